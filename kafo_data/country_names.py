"""Country names beyond the reference, from `data/mapping/country_names.csv`.

Two kinds of line. `former`: a country of ISO 3166-3 (USSR `SUHH`, Czechoslovakia `CSHH`, Yugoslavia
`YUCS`, East Germany `DDDE`) that many firearms seized today were made in; accepted as a country of
manufacture only, never as a country of seizure (the reference lists today's countries). `short`: the
name a reader uses where ISO's list writes an inverted form ("Russie", not "Russie, Fédération de"):
every page shows these (`shown`), so a country reads the same everywhere.
"""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

from kafo_data.config import mapping_dir

FILE = "country_names.csv"
_CACHE: dict[tuple[str, int], dict[str, tuple[str, str, str]]] = {}


def table(root: Path) -> dict[str, tuple[str, str, str]]:
    """code -> (kind, English name, French name); read once per file version. No file: nothing."""
    path = mapping_dir(root) / FILE
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return {}
    if key not in _CACHE:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = [r for r in csv.DictReader(f) if (r.get("code") or "").strip()]
        _CACHE[key] = {r["code"].strip(): (r["kind"].strip(), r["name_en"].strip(), r["name_fr"].strip())
                       for r in rows}
    return _CACHE[key]


def former(root: Path) -> dict[str, tuple[str, str]]:
    """Former countries (ISO 3166-3): code -> (English name, French name)."""
    return {code: (en, fr) for code, (kind, en, fr) in table(root).items() if kind == "former"}


def shown(names: dict[str, str], root: Path, lang: str) -> dict[str, str]:
    """The reference's names with the short forms and former countries of the file, in `lang`."""
    column = 1 if lang == "en" else 2
    return {**names, **{code: row[column] for code, row in table(root).items()}}


def name_key(name: str) -> str:
    """Sort key of a name as a reader expects it: accents and case set aside ("Bénin" before "Burkina Faso")."""
    folded = unicodedata.normalize("NFKD", str(name))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()
