"""What a chart image must say about itself once it leaves the page: the selection, the notes, the data date,
the view's address and the terms; and a file name that says what it shows.

`with_context` adds to a figure built by the chart base (`charts.base_figure`): the selection as a
second title line ("KAFO II · Niger · Firearms"), then, under the source line, the adjusted-counts
note where public counts of records are shown and one line with the data date, the view's address
and the terms. Plain values in, a figure out; every text from data or a link is shown as typed
(`fmt.plotly_literal`), since Plotly reads <b> and <a href> in labels.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kafo_data.chart_base import SOURCE_CHARS, TITLE_CHARS, Figure, wrap
from kafo_data.fmt import plotly_literal


@dataclass(frozen=True)
class Context:
    """The selection in words (labels) and as ids (for the file name), and the lines to add under the source."""

    selection: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    footer: str = ""


def with_context(figure: Figure, ctx: Context) -> Figure:
    """The figure with its selection under the title and the notes and footer under its source line."""
    layout = dict(figure["layout"])
    title = dict(layout["title"])
    added_title = wrap(" · ".join(plotly_literal(s) for s in ctx.selection), TITLE_CHARS) if ctx.selection else []
    lines = [line for text in (*ctx.notes, ctx.footer) if text for line in wrap(plotly_literal(text), SOURCE_CHARS)]
    if not added_title and not lines:
        return figure
    if added_title:
        title["text"] = "<br>".join([title["text"], *added_title])
    if lines:
        subtitle = dict(title.get("subtitle") or {"font": {"size": 11}})
        subtitle["text"] = "<br>".join([t for t in (subtitle.get("text"), *lines) if t])
        title["subtitle"] = subtitle
    extra = 22 * len(added_title) + 15 * len(lines)
    margin = dict(layout.get("margin", {}))
    margin["t"] = margin.get("t", 0) + extra
    layout.update(title=title, margin=margin, height=int(layout.get("height", 380)) + extra)
    return {**figure, "layout": layout}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def file_stem(title: str, ctx: Context, sample: bool = False) -> str:
    """kafo-ii_ner_firearms-pieces-by-country: the selection's ids, then what the chart shows (then _sample)."""
    parts = [_slug(i) for i in ctx.ids if _slug(i)] or ["kafo"]
    stem = "_".join([*parts, _slug(title)[:80].rstrip("-") or "chart"])
    return stem + ("_sample" if sample else "")
