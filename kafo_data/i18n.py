"""One catalogue per language: every string a user reads comes from here.

The catalogues are flat JSON files (`locales/en/*.json`, `locales/fr/*.json`) so a translator
can review them without reading code. A key missing in one language is a test failure, not a
silent fallback.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

LANGS: tuple[str, ...] = ("en", "fr")
DEFAULT_LANG = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """The whole catalogue of one language: every `locales/<lang>/*.json` file, merged.

    One file per area (vocabulary, pages, upload, budget, export) so that people working on
    different screens do not edit the same file; a key defined in two files is an error.
    """
    if lang not in LANGS:
        raise KeyError(f"unknown language {lang!r}")
    merged: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / lang).glob("*.json")):
        part = json.loads(path.read_text(encoding="utf-8"))
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"{path.name} redefines {sorted(clash)[:3]}")
        merged.update(part)
    return merged


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled; KeyError if missing."""
    text = catalogue(lang)[key]
    return text.format(**values) if values else text


def label(vocab: str, value: str, lang: str) -> str:
    """The label of one vocabulary value (category, unit, agency...); the id if none is known."""
    return catalogue(lang).get(f"{vocab}.{value}", value)


def has(key: str, lang: str) -> bool:
    return key in catalogue(lang)
