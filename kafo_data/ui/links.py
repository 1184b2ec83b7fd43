"""The "Copy link" button of every page: it copies the address of exactly this view and says it did.

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
.kafo-copy {width: 100%; padding: 0.35rem 0.75rem; border-radius: 0.5rem; font: inherit; font-size: 0.95rem;
  border: 1px solid #8a919c; background: #ffffff; color: #262730; cursor: pointer; min-height: 2.5rem;}
.kafo-copy:hover {border-color: #1f5fae; color: #1f5fae;}
.kafo-copy:focus-visible {outline: 2px solid #1f5fae; outline-offset: 2px;}
.kafo-copy-said {display: block; font-size: 0.875rem; color: #1d6b35; min-height: 1.2rem; margin-top: 0.2rem;}
.kafo-copy-by-hand {width: 100%; font-size: 0.8rem; margin-top: 0.2rem;}
</style>"""

_HTML = """<div class="kafo-copy-box" data-words='%(words)s'>
<button type="button" class="kafo-copy" aria-describedby="kafo-copy-said">%(label)s</button>
<span id="kafo-copy-said" class="kafo-copy-said" role="status" aria-live="polite"></span>
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
        box.appendChild(field);
      }
      field.value = url;
      field.focus();
      field.select();
      said.textContent = words.by_hand;
    };
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
    """The sidebar's "Copy link" button (see the module's doc)."""
    words = {"copied": t("links.copied", lang), "by_hand": t("links.by_hand", lang)}
    st.sidebar.html(_STYLE + _HTML % {"label": html.escape(t("links.copy", lang)),
                                      "words": html.escape(json.dumps(words, ensure_ascii=False))},
                    unsafe_allow_javascript=True)
