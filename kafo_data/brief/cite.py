"""How to cite a view, and the terms each part of the data stands under: one wording for the brief and the pages."""

from __future__ import annotations

import datetime as dt

from kafo_data.fmt import date as fmt_date
from kafo_data.i18n import t

TERMS: tuple[str, ...] = ("figures", "outlines", "records", "budget", "dashboard")


def citation(lang: str, view: str, selection: str, address: str, as_of: dt.date, today: dt.date) -> str:
    """The suggested citation of one view: who, what, which selection, its address, data date and the day read."""
    return t("brief.citation", lang, view=view, selection=selection,
             address=address or t("brief.no_address", lang), as_of=fmt_date(as_of, lang),
             today=fmt_date(today, lang))


def terms(lang: str) -> list[str]:
    """The licence or terms of each part, "not yet set" where the data's owner has set none."""
    return [t(f"brief.terms.{part}", lang) for part in TERMS]
