"""Chromium's own print (Ctrl+P) of any page: no sidebar, text at reading size on A4, charts that fit, no blank page.

Streamlit lays the page out in a full-height scrolling box, so a print showed only what fitted one screen
and left blank sheets; its charts and grids keep the pixel width they had on screen, so a 1,400 px page
printed them cut at the paper's edge. The print style lets the boxes grow, hides the sidebar, the toolbar
and the buttons, and lays the page's column out at the paper's width: text, tables and metrics reflow
there at their own size (scaling the whole column to fit printed body text at about 7.5 pt), columns
stack, and only what keeps a drawn pixel width (a chart, a data grid) is scaled (`zoom`) to the paper.
A small script of ours (fixed text, no data) measures each such element on screen and keeps its scale
in a CSS variable on it as the page changes.
"""

from __future__ import annotations

import streamlit as st

PRINT_WIDTH_PX = 700  # A4 (210 mm) less 12 mm margins each side, at 96 px an inch

_STYLE = """<style>
@media print {
  @page { size: A4; margin: 12mm; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stBaseButton-header"],
  [data-testid="stElementToolbar"], .modebar-container, iframe[title="streamlit_app"] { display: none !important; }
  html, body, #root, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stAppScrollToBottomContainer"] {
    position: static !important; overflow: visible !important; height: auto !important; min-height: 0 !important;
    max-height: none !important; }
  [data-testid="stMain"] { margin: 0 !important; padding: 0 !important; width: auto !important; }
  [data-testid="stMainBlockContainer"] {
    width: auto !important; max-width: 100% !important; min-width: 0 !important; padding: 0 !important;
    margin: 0 !important; }
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; }
  [data-testid="stColumn"] { flex: 1 1 100% !important; width: 100% !important; min-width: 0 !important; }
  [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stDeckGlJsonChart"],
  [data-testid="stImage"], [data-testid="stVegaLiteChart"] { zoom: var(--kafo-print-zoom, 0.7); }
  [data-testid="stTable"] table, [data-testid="stMarkdownContainer"] table { width: 100% !important;
    table-layout: auto; }
  [data-testid="stTable"] td, [data-testid="stTable"] th, [data-testid="stMarkdownContainer"] td {
    overflow-wrap: anywhere; }
  pre, code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stTable"] tr, figure,
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
</style>"""

_SCRIPT = """<script>
(() => {
  if (window.__kafoPrint) return;
  window.__kafoPrint = true;
  const drawn = '[data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stDeckGlJsonChart"], '
    + '[data-testid="stImage"], [data-testid="stVegaLiteChart"]';
  const keep = () => {
    if (window.matchMedia("print").matches) return;
    document.querySelectorAll(drawn).forEach((el) => {
      const width = el.getBoundingClientRect().width;
      if (width) el.style.setProperty("--kafo-print-zoom", String(Math.min(1, %(paper)d / width)));
    });
  };
  keep();
  window.addEventListener("resize", keep);
  window.addEventListener("beforeprint", keep);
  setInterval(keep, 1000);
})();
</script>"""


def print_style() -> None:
    """The print style and its scale-keeping script, once per page (see the module's doc)."""
    st.sidebar.html(_STYLE + _SCRIPT % {"paper": PRINT_WIDTH_PX}, unsafe_allow_javascript=True)
