"""The chart base every figure shares: layout, dark text, the source line, and Plotly's image export.

Every text a chart draws is dark enough on white for WCAG AA (4.5:1): the Streamlit theme would
draw ticks in a grey of 3.7:1, so the colours are set here. Figures are plain dicts (Plotly's JSON
form): `st.plotly_chart` validates a dict once, a Plotly Express figure re-validates its template
on every update. The seizure charts (`seizures.charts`) and the budget charts (`money.charts`)
both build on this; `ui.look` draws them.

Plain text (issue 25): Plotly reads <br>, <b>, <span style> and <a href> in every title, label,
hover and legend, so a locality or an item name typed as markup would be drawn as such (a live
link in a hover, faked numbers). `base_figure` shows every string of the data as typed
(`fmt.plotly_literal`): the traces' values, texts, names and custom data, the titles, the axis and
legend titles, the annotations. A chart that writes its own markup into a trace's or annotation's
`text` (a bold country name in a map's hover) escapes the data pieces itself with `plain` and marks
the element `MARKUP`; hover templates are the charts' own wording and are left alone.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any

from kafo_data.fmt import plotly_literal

Figure = dict[str, Any]

TEXT = "#1c2530"        # the theme's text colour: 15:1 on white
AXIS_TEXT = "#3d4654"   # ticks, axis titles, source line: 9.6:1 on white
GRID = "#e3e7ed"
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 13, "color": TEXT}
TITLE_SIZE = 16
TITLE_CHARS = 40        # a title line that fits beside the mode bar's button on a 360 px phone
SOURCE_CHARS = 58      # a source line at 11 px that fits a 360 px phone
SEPARATORS = {"en": ".,", "fr": ",\u202f"}
IMAGE_WIDTH = 1000      # px of a downloaded chart, whatever the screen it was on


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=False) or [""]


def _axis(extra: dict | None = None) -> dict:
    extra = _plain_titled(extra or {})
    if "categoryarray" in extra:
        extra = {**extra, "categoryarray": plain(extra["categoryarray"])}
    return {"automargin": True, "color": AXIS_TEXT, "tickfont": {"color": AXIS_TEXT},
            "title": {"font": {"color": AXIS_TEXT}}, "gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID,
            **_merge_title(extra)}


def _merge_title(extra: dict) -> dict:
    if "title" in extra:
        extra = {**extra, "title": {"font": {"color": AXIS_TEXT}, **extra["title"]}}
    return extra


MARKUP = "_markup"  # on a trace or annotation: its `text` is the chart's own markup, its data pieces already plain
_DATA_KEYS = ("x", "y", "text", "hovertext", "customdata", "name", "labels", "ids")
PLAIN_META = "kafo-plain"  # layout.meta of a figure whose data is plain text already (brief.images skips it)


def plain(value: Any) -> Any:
    """Strings (also inside lists) as Plotly shows plain text: & < > as entities; anything else unchanged."""
    if isinstance(value, str):
        return plotly_literal(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _plain_trace(trace: dict) -> dict:
    markup = trace.pop(MARKUP, False)
    out = {**trace, **{k: plain(trace[k]) for k in _DATA_KEYS if k in trace and not (k == "text" and markup)}}
    for part in ("node", "link"):  # a Sankey's labels and custom data
        if isinstance(out.get(part), dict):
            out[part] = {**out[part], **{k: plain(out[part][k]) for k in ("label", "customdata") if k in out[part]}}
    return out


def _plain_annotation(note: dict) -> dict:
    """An annotation's text plain (unless the chart wrote its markup); a category it stands at, as the axis has it."""
    note = dict(note)
    markup = note.pop(MARKUP, False)
    out = {**note, **{k: plain(note[k]) for k in ("x", "y") if isinstance(note.get(k), str)}}
    return out if markup else {**out, "text": plain(note.get("text", ""))}


def _plain_titled(spec: Any) -> Any:
    """An axis or legend spec with its title's text plain."""
    if isinstance(spec, dict) and isinstance(spec.get("title"), dict) and "text" in spec["title"]:
        return {**spec, "title": {**spec["title"], "text": plain(spec["title"]["text"])}}
    return spec


def base_figure(traces: list[dict], title: str, height: int = 380, *, source: str | None = None,
            bottom: int = 10, right: int = 50, lang: str = "en", legend_rows: int = 0, **layout: Any) -> Figure:
    """The layout every chart shares: wrapped title, the source under it, dark text; every text from data plain.

    `bottom` is the room (px) under the plot; Plotly widens it for the axis's labels (automargin).
    """
    lines = [plain(line) for line in wrap(title, TITLE_CHARS)]
    notes = [plain(line) for line in wrap(source, SOURCE_CHARS)] if source else []
    traces = [_plain_trace(dict(trace)) for trace in traces]
    if "legend" in layout:
        layout["legend"] = _plain_titled(layout["legend"])
    top = 16 + 22 * len(lines) + 15 * len(notes) + (4 if notes else 0) + 26 * legend_rows
    title_spec: dict[str, Any] = {
        "text": "<br>".join(lines), "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "top",
        "yref": "container", "pad": {"t": 10, "l": 4}, "font": {"size": TITLE_SIZE, "color": TEXT}}
    if notes:  # under the title, where no axis label can sit on it, whatever the width
        title_spec["subtitle"] = {"text": "<br>".join(notes), "font": {"size": 11, "color": AXIS_TEXT}}
    base = {
        "title": title_spec, "height": height + 15 * len(notes), "font": FONT,
        "separators": SEPARATORS.get(lang, ".,"), "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": right, "t": top, "b": bottom},
        "legend": {"title": {"text": ""}, "font": {"color": TEXT}},
        "hoverlabel": {"font": {"size": 13}}, "meta": PLAIN_META,
        "annotations": [_plain_annotation(a) for a in layout.pop("annotations", [])],
    }
    for name in ("xaxis", "yaxis"):
        base[name] = _axis(layout.pop(name, None))
    for name in [k for k in layout if re.fullmatch(r"[xy]axis\d+", k)]:
        base[name] = _axis(layout.pop(name))
    return {"data": traces, "layout": {**base, **layout}}


# --- taking a chart away ------------------------------------------------------------------------

def file_stem(title: str, sample: bool = False) -> str:
    """A file name that says what the chart shows: 'kafo_firearms-pieces-by-country_sample'."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].rstrip("-")
    return "kafo_" + (slug or "chart") + ("_sample" if sample else "")


def plot_config(title: str, image_format: str = "png", *, sample: bool = False, height: int | None = None) -> dict:
    """Plotly's own client-side export, the only button of the mode bar: PNG (twice the pixels) or SVG.

    The image is laid out 1,000 px wide whatever the screen, so a chart taken from a phone reads as
    well in a report; zooming by scrolling stays off (it traps the page).
    """
    options: dict[str, Any] = {"format": image_format, "filename": file_stem(title, sample), "width": IMAGE_WIDTH,
                               "scale": 2 if image_format == "png" else 1}
    if height:
        options["height"] = height
    return {"displaylogo": False, "displayModeBar": True, "modeBarButtons": [["toImage"]], "scrollZoom": False,
            "toImageButtonOptions": options, "responsive": True}


def figure_height(figure: Figure) -> int:
    return int(figure["layout"]["height"])
