"""The "Copy link" button of every page: it copies the address of exactly this view and says it did.

It sits in the top bar that Streamlit keeps on screen (fixed, in the strip of its header): on a phone, where the
sidebar is behind the menu, it is one tap away from anywhere on the page, and it takes no room from the page.

The address is the browser's own at the moment of the click: `kafo_data.ui.state` keeps every
choice of the page in it, so that is the view. The button is a few lines of our own fixed HTML and
script (`unsafe_allow_javascript`), its words from the locale files, passed as JSON; nothing from
data or links goes into it. Where the browser refuses the clipboard (an address over plain http
that is not this computer), the address is shown selected, to copy by hand.
"""

from __future__ import annotations

import html
import json

import streamlit as st

from kafo_data.i18n import t

_STYLE = """<style>
/* In the top bar that every page has (Streamlit's header, always on screen): on a phone, where the sidebar is
   behind the menu, the button is still one tap away, and it takes no room from the page. Level with the page's
   left edge beside an open sidebar (no `left`: a fixed box keeps its place in the line); centred between the
   menu buttons when the sidebar is folded away (phones, narrow windows), clear of the button that opens it. */
.kafo-copy-box {position: fixed; top: 0.7rem; z-index: 999990; display: flex; flex-direction: column;
  align-items: flex-start;}
body:has([data-testid="stExpandSidebarButton"]) .kafo-copy-box {left: 50%; transform: translateX(-50%);
  align-items: center;}
[data-testid="stElementContainer"]:has(.kafo-copy-box) {margin-bottom: -1rem;}  /* no gap in the page */
.kafo-copy {padding: 0.25rem 0.75rem; border-radius: 0.5rem; font: inherit; font-size: 0.9rem; white-space: nowrap;
  border: 1px solid #8a919c; background: #ffffff; color: #262730; cursor: pointer; min-height: 2.25rem;}
.kafo-copy:hover {border-color: #1f5fae; color: #1f5fae;}
.kafo-copy:focus-visible {outline: 2px solid #1f5fae; outline-offset: 2px;}
.kafo-copy-pop {position: absolute; top: 2.6rem; width: max-content; max-width: min(90vw, 26rem);
  display: flex; flex-direction: column; gap: 0.3rem; background: #ffffff; border-radius: 0.5rem;
  padding: 0.3rem 0.6rem; box-shadow: 0 1px 6px rgba(0, 0, 0, 0.2);}
.kafo-copy-pop:has(.kafo-copy-said:empty) {padding: 0; box-shadow: none;}  /* kept, so a screen reader hears it */
.kafo-copy-said {font-size: 0.875rem; color: #1d6b35; text-align: center;}
.kafo-copy-by-hand {width: min(85vw, 25rem); font-size: 0.8rem;}
@media print {.kafo-copy-box {display: none;}}
</style>"""

_HTML = """<div class="kafo-copy-box" data-words='%(words)s'>
<button type="button" class="kafo-copy" aria-describedby="kafo-copy-said">%(label)s</button>
<div class="kafo-copy-pop">
<span id="kafo-copy-said" class="kafo-copy-said" role="status" aria-live="polite"></span>
</div>
</div>
<script>
(() => {
  for (const box of document.querySelectorAll(".kafo-copy-box")) {
    if (box.dataset.ready) continue;
    box.dataset.ready = "1";
    const words = JSON.parse(box.dataset.words);
    const said = box.querySelector(".kafo-copy-said");
    const byHand = (url) => {
      let field = box.querySelector(".kafo-copy-by-hand");
      if (!field) {
        field = document.createElement("input");
        field.className = "kafo-copy-by-hand";
        field.readOnly = true;
        field.setAttribute("aria-label", words.by_hand);
        box.querySelector(".kafo-copy-pop").appendChild(field);
      }
      field.value = url;
      field.focus();
      field.select();
      said.textContent = words.by_hand;
    };
    const close = () => {  /* the box for copying by hand lies over the page: a tap beside it or Escape shuts it */
      const field = box.querySelector(".kafo-copy-by-hand");
      if (field) { field.remove(); said.textContent = ""; }
    };
    document.addEventListener("pointerdown", (event) => { if (!box.contains(event.target)) close(); });
    document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
    box.querySelector("button").addEventListener("click", async () => {
      const url = window.location.href;
      said.textContent = "";
      try {
        await navigator.clipboard.writeText(url);
        said.textContent = words.copied;
        setTimeout(() => { if (said.textContent === words.copied) said.textContent = ""; }, 4000);
      } catch (error) {
        byHand(url);
      }
    });
  }
})();
</script>"""


def copy_link_button(lang: str) -> None:
    """The "Copy link" button in the top bar of every page (see the module's doc)."""
    words = {"copied": t("links.copied", lang), "by_hand": t("links.by_hand", lang)}
    st.html(_STYLE + _HTML % {"label": html.escape(t("links.copy", lang)),
                              "words": html.escape(json.dumps(words, ensure_ascii=False))},
            unsafe_allow_javascript=True)
