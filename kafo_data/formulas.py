"""The one rule against formula injection, for every file the dashboard writes (exports, rejected rows).

A text cell whose first non-blank character is = + - @, tab, CR or LF gets a leading ', so a
spreadsheet shows it as text and never runs it. `TRIGGER_PATTERN` states it once: data cells get
it in SQL (`neutralised`, the pattern bound as `?`), cells written from Python through `neutralise`.
"""

from __future__ import annotations

import re

TRIGGER_PATTERN = "^ *[=+\\-@\t\r\n]"
_TRIGGER = re.compile(TRIGGER_PATTERN)


def neutralise(text: str) -> str:
    """A text cell made safe for spreadsheets: a leading ' when it could start a formula."""
    return "'" + text if _TRIGGER.match(text) else text


def neutralised(column: str, alias: str | None = None) -> str:
    """SQL for one text column with the formula-injection rule applied (pattern bound as `?`)."""
    return f"CASE WHEN regexp_matches({column}, ?) THEN '''' || {column} ELSE {column} END AS {alias or column}"
