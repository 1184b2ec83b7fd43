"""Plotly figures as SVG for the brief, through Plotly's kaleido and the system's Chromium.

One kaleido server per process (its browser starts once, 1-3 s; each later image ~0.2 s); `begin` starts it
early, in the background. Without a browser, `svg` raises `ChartsUnavailable` with a sentence the page
and the CLI show as is.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import threading
from typing import Any

from kafo_data.chart_base import PLAIN_META
from kafo_data.fmt import plotly_literal

_LOCK = threading.Lock()
_STARTED = False
WIDTH = 900


class ChartsUnavailable(RuntimeError):
    """No browser for kaleido: the brief is written without its charts, and says so."""


def browser() -> str | None:
    """The Chromium kaleido drives: BROWSER_PATH, or Debian's chromium on the PATH."""
    given = os.environ.get("BROWSER_PATH")
    if given and os.path.exists(given):
        return given
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def _start() -> None:
    global _STARTED
    if _STARTED:
        return
    path = browser()
    if path is None:
        raise ChartsUnavailable("no Chromium found (install Debian's chromium or set BROWSER_PATH)")
    os.environ["BROWSER_PATH"] = path
    try:
        import kaleido
    except ImportError as exc:
        raise ChartsUnavailable("kaleido is not installed (pip install -r requirements.txt)") from exc
    # No MathJax: kaleido would otherwise load it from a CDN on every browser start (a network fetch for nothing,
    # the charts hold no TeX); plotly.js comes from the installed plotly package.
    kaleido.start_sync_server(silence_warnings=True, mathjax=False)
    atexit.register(stop)  # before the browser's profile folder is removed, or its removal fails loudly
    _STARTED = True


def begin() -> None:
    """Start the browser without waiting for it (kaleido opens it on its own thread), so that it starts while the
    caller imports, opens the data and composes; the first `svg` then waits only for what is left. A missing
    browser is said by `svg`, not here."""
    with _LOCK, contextlib.suppress(ChartsUnavailable):
        _start()


def stop() -> None:
    """Close the browser kaleido started (the CLI when done; a server process at exit)."""
    global _STARTED
    with _LOCK:
        if _STARTED:
            import kaleido

            kaleido.stop_sync_server(silence_warnings=True)
            _STARTED = False


_DATA_KEYS = ("x", "y", "text", "customdata", "name", "labels", "ids")


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return plotly_literal(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def plain(figure: dict[str, Any]) -> dict[str, Any]:
    """The figure with every text that came from the data shown as received (no Plotly markup, no link).

    Trace values, names and annotations are data; titles, axis titles and hover templates are our own wording.
    """
    if figure.get("layout", {}).get("meta") == PLAIN_META:  # made by the chart base: plain already
        return figure
    layout = dict(figure.get("layout", {}))
    layout["annotations"] = [{**a, "text": plotly_literal(a.get("text", ""))} for a in layout.get("annotations", [])]
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        if "categoryarray" in layout[name]:
            layout[name] = {**layout[name], "categoryarray": _plain(layout[name]["categoryarray"])}
    traces = [{**tr, **{k: _plain(tr[k]) for k in _DATA_KEYS if k in tr}} for tr in figure.get("data", [])]
    return {**figure, "data": traces, "layout": layout}


def svg(figure: dict[str, Any], width: int = WIDTH) -> bytes:
    """One figure (Plotly's JSON form, as the pages draw it) as SVG bytes, its data shown as plain text."""
    figure = plain(figure)
    with _LOCK:
        _start()
        import kaleido

        layout = figure.get("layout", {})
        try:
            return kaleido.calc_fig_sync(figure, opts={"format": "svg", "width": width,
                                                       "height": int(layout.get("height", 400)), "scale": 1})
        except Exception as exc:  # the browser did not start or died: say so, never a traceback
            raise ChartsUnavailable(f"the chart renderer failed ({type(exc).__name__}: {exc})") from exc
