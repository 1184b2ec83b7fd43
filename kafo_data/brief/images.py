"""Plotly figures as SVG for the brief, through Plotly's kaleido and the system's Chromium.

One kaleido browser per process (it starts once, 1-3 s; each later image ~0.2 s); `begin` starts it early, in
the background. Every wait has a deadline (`TIMEOUT_S`): a browser that does not answer is closed, the brief
says its charts are missing, and the next one starts another. Without a browser, `svg` raises
`ChartsUnavailable` with a sentence the page and the CLI show as is.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import shutil
import threading
from typing import Any

from kafo_data.chart_base import PLAIN_META
from kafo_data.fmt import plotly_literal

_LOCK = threading.Lock()
WIDTH = 900
TIMEOUT_S = 60.0  # the browser's start, or one image: past it the browser is closed and the next call starts another


class ChartsUnavailable(RuntimeError):
    """No browser for kaleido: the brief is written without its charts, and says so."""


def browser() -> str | None:
    """The Chromium kaleido drives: BROWSER_PATH, or Debian's chromium on the PATH."""
    given = os.environ.get("BROWSER_PATH")
    if given and os.path.exists(given):
        return given
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class _Renderer:
    """A kaleido browser on an event loop of our own, so that every wait has a deadline.

    kaleido's own sync server waits without one: under load a tab that never came back from its reload
    left a brief (and a test worker) waiting for ever.
    """

    def __init__(self) -> None:
        import kaleido

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kafo-kaleido", daemon=True)
        self.thread.start()

        async def opened() -> Any:
            # No MathJax: kaleido would load it from a CDN at every start (the charts hold no TeX).
            k = kaleido.Kaleido(mathjax=False, timeout=TIMEOUT_S)
            await k.open()
            return k

        self.kaleido = asyncio.run_coroutine_threadsafe(opened(), self.loop)

    def svg(self, figure: dict[str, Any], opts: dict[str, Any]) -> bytes:
        k = self.kaleido.result(TIMEOUT_S)
        return asyncio.run_coroutine_threadsafe(k.calc_fig(figure, opts=opts), self.loop).result(TIMEOUT_S)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            k = self.kaleido.result(0)
            try:
                asyncio.run_coroutine_threadsafe(k.close(), self.loop).result(10)
            finally:
                with contextlib.suppress(Exception):
                    k.subprocess.kill()  # a browser that did not close in time
        self.kaleido.cancel()

        async def cancelled() -> None:  # what was left waiting (an image past its deadline) ends before the loop
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cancelled(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


_RENDERER: _Renderer | None = None
_AT_EXIT: list[bool] = []  # `stop` is registered once, whatever the number of restarts


def _start() -> _Renderer:
    global _RENDERER
    if _RENDERER is None:
        path = browser()
        if path is None:
            raise ChartsUnavailable("no Chromium found (install Debian's chromium or set BROWSER_PATH)")
        os.environ["BROWSER_PATH"] = path
        try:
            import kaleido  # noqa: F401
        except ImportError as exc:
            raise ChartsUnavailable("kaleido is not installed (pip install -r requirements.txt)") from exc
        _RENDERER = _Renderer()
        if not _AT_EXIT:
            atexit.register(stop)  # before the browser's profile folder is removed, or its removal fails loudly
            _AT_EXIT.append(True)
    return _RENDERER


def begin() -> None:
    """Start the browser without waiting for it (it opens on the renderer's own thread), so that it starts while
    the caller imports, opens the data and composes; the first `svg` then waits only for what is left. A missing
    browser is said by `svg`, not here."""
    with _LOCK, contextlib.suppress(ChartsUnavailable):
        _start()


def stop() -> None:
    """Close the browser (the CLI when done; a server process at exit; a renderer past its deadline)."""
    global _RENDERER
    with _LOCK:
        if _RENDERER is not None:
            _RENDERER.close()
            _RENDERER = None


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
    opts = {"format": "svg", "width": width, "height": int(figure.get("layout", {}).get("height", 400)), "scale": 1}
    with _LOCK:
        renderer = _start()
        try:
            return renderer.svg(figure, opts)
        except Exception as exc:  # the browser did not start, died or did not answer: say so, never a traceback
            failure = exc
    stop()  # the next brief starts a browser of its own
    if isinstance(failure, concurrent.futures.TimeoutError):
        raise ChartsUnavailable(f"the chart renderer did not answer within {TIMEOUT_S:.0f} s") from failure
    raise ChartsUnavailable(f"the chart renderer failed ({type(failure).__name__}: {failure})") from failure
