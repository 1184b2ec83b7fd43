"""Chromium's own print (Ctrl+P) of any page: no sidebar, the page whole on A4, charts that fit, no blank page.

Streamlit lays the page out in a full-height scrolling box, so a print showed only what fitted one screen
and left blank sheets; its charts keep the pixel width they had on screen, so a 1,400 px page printed
them cut at the paper's edge. The print style lets the boxes grow, hides the sidebar, the toolbar and
the buttons, and scales the page's column as a whole (`zoom`) so that its width on screen fits the
paper: the charts, tables and text keep the layout the reader saw. A small script of ours (fixed text,
no data) keeps that width in a CSS variable as the window changes.
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
  [data-testid="stMainBlockContainer"] {
    zoom: var(--kafo-print-zoom, 0.6); width: var(--kafo-screen-width, auto) !important;
    max-width: none !important; padding: 0 !important; margin: 0 !important; }
  [data-testid="stPlotlyChart"], [data-testid="stMetric"], [data-testid="stTable"] tr, figure,
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; }
}
</style>"""

_SCRIPT = """<script>
(() => {
  if (window.__kafoPrint) return;
  window.__kafoPrint = true;
  const keep = () => {
    if (window.matchMedia("print").matches) return;
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    if (!main) return;
    const width = main.getBoundingClientRect().width;
    if (!width) return;
    const root = document.documentElement.style;
    root.setProperty("--kafo-screen-width", width + "px");
    root.setProperty("--kafo-print-zoom", String(Math.min(1, %(paper)d / width)));
  };
  keep();
  window.addEventListener("resize", keep);
  window.addEventListener("beforeprint", keep);
  setInterval(keep, 1000);
})();
</script>"""


def print_style() -> None:
    """The print style and its width-keeping script, once per page (see the module's doc)."""
    st.sidebar.html(_STYLE + _SCRIPT % {"paper": PRINT_WIDTH_PX}, unsafe_allow_javascript=True)
