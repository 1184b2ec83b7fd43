"""Numbers, dates and money as each language writes them (Babel, CLDR data).

English uses the en_GB conventions donors read in EU reports (6,162; 30 Nov 2020;
€3,248,537.00); French uses fr (6 162; 30 nov. 2020; 3 248 537,00 €).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from kafo_data.i18n import t

LOCALES = {"en": "en_GB", "fr": "fr_FR"}


# Babel takes 30-100 µs a number; a page writes a thousand on every rerun, mostly the same ones
# (issue 16's speed). The caches hold plain strings keyed by (value, language).
CACHED = 1 << 16


def number(value: float | int | None, lang: str) -> str:
    """A quantity: no decimals when whole, up to two otherwise; an em dash when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return _number(value, lang)


@lru_cache(maxsize=CACHED)
def _number(value: float | int, lang: str) -> str:
    if float(value).is_integer():
        return format_decimal(int(value), locale=LOCALES[lang])
    return format_decimal(value, format="#,##0.##", locale=LOCALES[lang])


@lru_cache(maxsize=CACHED)
def money(value: float, currency: str, lang: str) -> str:
    """An amount with its currency, always two decimals."""
    return format_currency(value, currency, locale=LOCALES[lang])


@lru_cache(maxsize=CACHED)
def date(value: dt.date | None, lang: str) -> str:
    if value is None:
        return "—"
    return format_date(value, format="medium", locale=LOCALES[lang])


@lru_cache(maxsize=4096)
def month(value: dt.date, lang: str) -> str:
    """A month as an axis label: "Nov 2019", "nov. 2019" (cached: a chart asks for the same few months)."""
    return format_date(value, "LLL y", locale=LOCALES[lang])


def percent(share: float, lang: str) -> str:
    return format_decimal(share * 100, format="0.#", locale=LOCALES[lang]) + ("\u202f%" if lang == "fr" else "%")


def figure(value: float | None, qualifier: str, unit_label: str, lang: str) -> str:
    """A published figure with its qualifier: "more than 400 pieces"; words keep no number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    amount = number(value, lang)
    text = amount if qualifier == "exact" else t(f"qualifier.{qualifier}", lang, value=amount)
    return f"{text} {unit_label}".strip()



def is_blank(value: object) -> bool:
    """None, NaN, pandas' NA or an empty string: a value with nothing to show."""
    if value is None or isinstance(value, str):
        return value in (None, "")
    try:
        return bool(value != value)  # NaN is the one value not equal to itself
    except TypeError:  # pandas' NA answers NA, which has no truth value
        return True


_MARKDOWN_MARKS = frozenset("\\`*_{}[]()<>#+-.!|~$:=^&\"'%@;,/?")
# GFM turns bare addresses into links after escapes are read: a zero-width space keeps them text.
_MARKDOWN_LIKE = re.compile(r"[\\`*_\[\]<>$~|{}]|:[\w+/-]+:|://|www\.|@|&\w+;|^\s*(?:[-+>#]|\d+[.)])")
_AUTOLINKS = re.compile(r"(?i)(?<=\\:)(?=\\/\\/)|(?<=www)(?=\\\.)|(?<=\\@)")


def literal(text: object) -> str:
    """Text from data, a file or a link, for the places Streamlit reads as Markdown, shown as received.

    Streamlit renders Markdown (links, bare addresses, images, LaTeX, headings, colours, icons) in
    notices, captions, labels, table cells and `st.markdown`. Every ASCII punctuation mark is
    backslash-escaped (CommonMark shows an escaped mark as itself); a zero-width space after
    `://`, `www` and `@` keeps an address from becoming a link; line breaks become spaces.
    Text with none of Markdown's marks (most names and places) comes back unchanged.
    """
    if is_blank(text):
        return ""
    value = " ".join(str(text).splitlines())
    if not _MARKDOWN_LIKE.search(value):
        return value
    escaped = "".join("\\" + c if c in _MARKDOWN_MARKS else c for c in value)
    return _AUTOLINKS.sub("\u200b", escaped)


def plotly_literal(text: object) -> str:
    """Text from data for a Plotly label, shown as received: Plotly reads <b>, <a href> and entities in labels."""
    if is_blank(text):
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
