"""The chart base every figure shares: layout, dark text, the source line, and Plotly's image export.

Every text a chart draws is dark enough on white for WCAG AA (4.5:1): the Streamlit theme would
draw ticks in a grey of 3.7:1, so the colours are set here. Figures are plain dicts (Plotly's JSON
form): `st.plotly_chart` validates a dict once, a Plotly Express figure re-validates its template
on every update. The seizure charts (`seizures.charts`) and the budget charts (`money.charts`)
both build on this; `ui.look` draws them.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any

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
    return {"automargin": True, "color": AXIS_TEXT, "tickfont": {"color": AXIS_TEXT},
            "title": {"font": {"color": AXIS_TEXT}}, "gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID,
            **_merge_title(extra or {})}


def _merge_title(extra: dict) -> dict:
    if "title" in extra:
        extra = {**extra, "title": {"font": {"color": AXIS_TEXT}, **extra["title"]}}
    return extra


def base_figure(traces: list[dict], title: str, height: int = 380, *, source: str | None = None,
            bottom: int = 10, right: int = 50, lang: str = "en", legend_rows: int = 0, **layout: Any) -> Figure:
    """The layout every chart shares: wrapped title, the source under it, dark text.

    `bottom` is the room (px) under the plot; Plotly widens it for the axis's labels (automargin).
    """
    lines = wrap(title, TITLE_CHARS)
    notes = wrap(source, SOURCE_CHARS) if source else []
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
        "hoverlabel": {"font": {"size": 13}}, "annotations": list(layout.pop("annotations", [])),
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
