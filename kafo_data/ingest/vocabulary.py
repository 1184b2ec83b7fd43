"""Report vocabulary and cells: the mapping files, and the parsers for numbers and dates.

Everything a manager may need to extend lives in text files under `data/mapping/` (see its
README): column headers, item names, units, services, criminal contexts, categories, extra
country names and operation names, each with its language. They are compared after
`ingest_read.norm` (accents, case, punctuation, spaces), and checked when loaded: a synonym
that points at a value the record contract does not know, or at two different values, is a
MappingError naming the file and line, so a typo never turns into a wrong record.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from kafo_data import country_names
from kafo_data.config import built_dir, mapping_dir
from kafo_data.contract import seizures as contract
from kafo_data.i18n import LANGS, label
from kafo_data.ingest.read import norm

# The firearm columns of a report, and the vocabulary each one's values come from (`firearms.csv`).
FIREARM_FIELDS: tuple[str, ...] = ("craft_made", "country_of_manufacture", "marking_status", "tracing_status",
                                   "illicit_origin")
FIREARM_VOCABS: dict[str, tuple[str, ...]] = {
    "craft_made": ("true", "false"),
    "marking_status": contract.MARKING_STATUSES,
    "tracing_status": contract.TRACING_STATUSES,
    "illicit_origin": contract.ILLICIT_ORIGINS,
}

FIELDS: tuple[str, ...] = (
    "seizure_ref", "operation", "date", "country", "admin1", "locality", "agency", "category", "item",
    "quantity", "unit", "arrests", "notes", "latitude", "longitude", "calibre", "make", "criminal_context",
    *FIREARM_FIELDS,
)
# Units that count things: a generic "pièces"/"unités" becomes the item's own counting unit.
COUNT_UNITS: tuple[str, ...] = ("pieces", "rounds", "sticks", "cords", "pills")


class MappingError(ValueError):
    """A file in data/mapping breaks a rule.

    `str()` names the file and line, for the administrator who edits it (command line); `file`, `line` and
    `problem` are the same parts apart, so that the page can say which list is broken without a server path.
    """

    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        self.file, self.problem, self.line = file, problem, line
        super().__init__(f"mapping/{file}{f' line {line}' if line else ''}: {problem}")


class OutOfRange(ValueError):
    """A number too large to be anything a report means (1e400 read as infinity, a 400-digit cell)."""


# Larger than any plausible quantity of any unit (contract.MAX_QUANTITY): beyond it a number is refused as
# such, before any unit is considered.
MAX_NUMBER = 1e15


@dataclass(frozen=True)
class ItemEntry:
    """What one item name in items.csv means (two spellings of one meaning compare equal)."""

    synonym: str = field(compare=False)
    category: str
    item_type: str
    default_unit: str | None
    craft_made: bool | None


Where = tuple[str, int]  # a mapping file's name and the line of a row in it


def _bad(where: Where, problem: str) -> MappingError:
    return MappingError(where[0], problem, where[1])


def _mapping_rows(folder: Path, name: str, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    path = folder / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise MappingError(name, f"missing column {missing[0]!r}")
            for line, row in enumerate(reader, start=2):
                yield line, {k: (v or "").strip() for k, v in row.items() if k}
    except FileNotFoundError as exc:
        raise MappingError(name, "the file is missing") from exc


def _put(table: dict, key: object, value: object, where: Where) -> None:
    if key in table and table[key] != value:
        raise _bad(where, f"{key!r} already means {table[key]!r}, not {value!r}")
    table[key] = value


def _langs(value: str, where: Where) -> frozenset[str]:
    if value == "any":
        return frozenset(LANGS)
    if value not in LANGS:
        raise _bad(where, f"lang must be fr, en or any, not {value!r}")
    return frozenset({value})


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


@dataclass
class Mappings:
    """Every vocabulary the engine maps report text to, loaded from data/mapping and data/built."""

    headers: dict[str, tuple[str, frozenset[str]]]
    items: dict[str, ItemEntry]
    units: dict[tuple[str, str | None], str]
    agencies: dict[str, str]
    contexts: dict[str, str]
    categories: dict[str, str]
    countries: dict[str, str]
    operations: dict[str, str]
    op_dates: dict[str, tuple[dt.date, dt.date]]
    op_countries: dict[str, frozenset[str]]
    root: Path = Path()
    firearm_values: dict[str, dict[str, str]] = field(default_factory=dict)
    items_longest: list[str] = field(default_factory=list)
    header_names: dict[str, list[str]] = field(default_factory=dict)
    # countries a firearm may be made in: today's (`countries`) and the former ones of ISO 3166-3
    made_in: dict[str, str] = field(default_factory=dict)
    # field -> words meaning "not known" (`empty_words.csv`): such a cell is an empty cell
    empty_words: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Mappings:
        """Read and check the mapping files; a bad row raises MappingError naming file and line."""
        folder = mapping_dir(root)
        headers: dict[str, tuple[str, frozenset[str]]] = {}
        names: dict[str, list[str]] = {}
        for line, r in _mapping_rows(folder, "headers.csv", ("field", "synonym", "lang")):
            where = ("headers.csv", line)
            if r["field"] not in FIELDS:
                raise _bad(where, f"unknown field {r['field']!r}")
            key = norm(_no_brackets(r["synonym"]))
            langs = _langs(r["lang"], where)
            if key in headers:
                if headers[key][0] != r["field"]:
                    raise _bad(where, f"{key!r} already names {headers[key][0]!r}")
                langs = langs | headers[key][1]
            headers[key] = (r["field"], langs)
            names.setdefault(r["field"], []).append(r["synonym"])
        items: dict[str, ItemEntry] = {}
        for line, r in _mapping_rows(folder, "items.csv", ("synonym", "category", "item_type", "default_unit",
                                                           "craft_made")):
            where = ("items.csv", line)
            item_type = r["item_type"]
            if item_type not in contract.ITEM_TYPES:
                raise _bad(where, f"unknown item type {item_type!r}")
            if contract.category_of(item_type) != r["category"]:
                raise _bad(where, f"{item_type} belongs to {contract.category_of(item_type)}")
            unit = r["default_unit"] or None
            if unit and unit not in contract.units_for(item_type):
                raise _bad(where, f"unit {unit!r} is not allowed for {item_type}")
            if r["craft_made"] not in {"", "true", "false"}:
                raise _bad(where, "craft_made must be true, false or empty")
            craft = None if not r["craft_made"] else r["craft_made"] == "true"
            _put(items, norm(r["synonym"]), ItemEntry(r["synonym"], r["category"], item_type, unit, craft), where)
        units: dict[tuple[str, str | None], str] = {}
        for u in contract.UNITS:
            units[(norm(u), None)] = u
        for line, r in _mapping_rows(folder, "units.csv", ("synonym", "unit", "item_type")):
            where = ("units.csv", line)
            if r["unit"] != "count" and r["unit"] not in contract.UNITS:
                raise _bad(where, f"unknown unit {r['unit']!r}")
            if r["item_type"] and r["item_type"] not in contract.ITEM_TYPES:
                raise _bad(where, f"unknown item type {r['item_type']!r}")
            units[(norm(r["synonym"]), r["item_type"] or None)] = r["unit"]
        simple = {}
        for name, column, vocab in (("agencies.csv", "agency", contract.AGENCIES),
                                    ("contexts.csv", "criminal_context", contract.CRIMINAL_CONTEXTS),
                                    ("categories.csv", "category", contract.CATEGORIES)):
            table: dict[str, str] = {}
            for line, r in _mapping_rows(folder, name, ("synonym", column)):
                where = (name, line)
                if r[column] not in vocab:
                    raise _bad(where, f"unknown {column} {r[column]!r}")
                _put(table, norm(r["synonym"]), r[column], where)
            for value in vocab:
                for lang in LANGS:
                    table.setdefault(norm(label(column, value, lang)), value)
                table.setdefault(norm(value), value)
            simple[column] = table
        countries, made_in = _country_index(root, folder)
        operations, op_dates, op_countries = _operation_index(root, folder)
        mappings = cls(headers, items, units, simple["agency"], simple["criminal_context"], simple["category"],
                       countries, operations, op_dates, op_countries)
        mappings.firearm_values = _firearm_values(folder)
        mappings.items_longest = sorted(items, key=len, reverse=True)
        mappings.root = Path(root)
        mappings.header_names = names
        mappings.made_in = made_in
        mappings.empty_words = _empty_words(folder)
        return mappings

    def is_empty_word(self, field_name: str, text: str) -> bool:
        """Whether a cell says "not known" (`-`, « inconnu », "n/a"...): read as an empty cell."""
        n = norm(text)
        return not n or n in self.empty_words.get(field_name, frozenset()) or n in self.empty_words.get(
            "*", frozenset())

    def header_field(self, text: str) -> tuple[str | None, frozenset[str]]:
        return self.headers.get(norm(_no_brackets(text)), (None, frozenset()))

    def header_score(self, texts: Sequence[str]) -> int:
        """How many distinct known columns a row names: the header row is the row with most."""
        return len({f for f, _ in (self.header_field(x) for x in texts) if f})

    def operation(self, text: str) -> str | None:
        """An operation id from "KAFO-II", "KAFO II", "Kafo 2", "Opération KAFO 2"... or None."""
        n = norm(text)
        if n in self.operations:
            return self.operations[n]
        m = re.fullmatch(r"(?:op |operation )?([a-z]+) ?([ivx]+|\d{1,2})", n)
        if not m:
            return None
        number = m.group(2)
        roman = _roman(int(number)) if number.isdigit() else number
        return self.operations.get(f"{m.group(1)} {roman}")

    def item(self, text: str) -> tuple[ItemEntry, str | None] | None:
        """The item an item name means, and a calibre written after it; None when unknown."""
        n = norm(text)
        if n in self.items:
            return self.items[n], None
        for key in self.items_longest:
            if n.startswith(key + " "):
                calibre = _calibre(n[len(key) + 1:])
                if calibre:
                    return self.items[key], calibre
        return None

    def close_items(self, text: str, limit: int = 4) -> list[str]:
        """Known item names that come close to an unknown one (what the manager probably meant)."""
        return difflib.get_close_matches(norm(text), list(self.items), n=limit, cutoff=0.6)

    def unit(self, text: str, item_type: str) -> str | None:
        n = norm(text)
        unit = self.units.get((n, item_type)) or self.units.get((n, None))
        if unit == "count":
            return next((u for u in contract.units_for(item_type) if u in COUNT_UNITS), "count")
        return unit


def _firearm_values(folder: Path) -> dict[str, dict[str, str]]:
    """Report words for the firearm columns (`firearms.csv`), then each value's own id and labels."""
    out: dict[str, dict[str, str]] = {name: {} for name in FIREARM_VOCABS}
    for line, r in _mapping_rows(folder, "firearms.csv", ("field", "synonym", "value")):
        where = ("firearms.csv", line)
        if r["field"] not in FIREARM_VOCABS:
            raise _bad(where, f"unknown field {r['field']!r}")
        if r["value"] not in FIREARM_VOCABS[r["field"]]:
            raise _bad(where, f"unknown {r['field']} {r['value']!r}")
        _put(out[r["field"]], norm(r["synonym"]), r["value"], where)
    for name, vocab in FIREARM_VOCABS.items():
        for value in vocab:
            out[name].setdefault(norm(value), value)
            if name != "craft_made":
                for lang in LANGS:
                    out[name].setdefault(norm(label(name, value, lang)), value)
    return out


def _no_brackets(text: str) -> str:
    """A header without a bracketed note: "Quantité (nombre)" -> "Quantité"."""
    stripped = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    return stripped if stripped.strip() else text


_CALIBRE_TOKEN = re.compile(
    r"calibres?|caliber|cal|gauge|ga|mm|x|n|no|"
    r"x?\d+(?:[.,]\d+)?(?:x\d+(?:[.,]\d+)?)*(?:mm|r)?"
)


def _calibre(rest: str) -> str | None:
    """The calibre in what follows a known item name, or None when it is anything else."""
    tokens = rest.split()
    if not tokens or not all(_CALIBRE_TOKEN.fullmatch(tok) for tok in tokens):
        return None
    if not any(ch.isdigit() for ch in rest):
        return None
    kept = [tok for tok in tokens if tok not in {"calibre", "calibres", "caliber", "cal", "gauge", "ga", "n", "no"}]
    return " ".join(kept) or None


def _country_index(root: Path, folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Country names -> ISO3 for a seizure's country, and the same with ISO 3166-3's former countries
    (`country_names.csv`) for a firearm's country of manufacture; a synonym of a former country
    (`countries.csv`) counts for the second only."""
    path = built_dir(root) / "countries.parquet"
    rows = pq.read_table(path, columns=["iso3", "name_en", "name_fr"]).to_pylist()
    former = [{"iso3": code, "name_en": en, "name_fr": fr} for code, (en, fr) in country_names.former(root).items()]
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for r in [*rows, *former]:
        for name in (r["iso3"], r["name_en"], r["name_fr"]):
            key = norm(name or "")
            if not key:
                continue
            if key in index and index[key] != r["iso3"]:
                ambiguous.add(key)
            index.setdefault(key, r["iso3"])
    for key in ambiguous:
        del index[key]
    codes = {r["iso3"] for r in rows}
    old = {r["iso3"] for r in former}
    for line, r in _mapping_rows(folder, "countries.csv", ("synonym", "iso3")):
        where = ("countries.csv", line)
        if r["iso3"] not in codes | old:
            raise _bad(where, f"unknown ISO3 code {r['iso3']!r}")
        _put(index, norm(r["synonym"]), r["iso3"], where)
    return {k: v for k, v in index.items() if v not in old}, index


def _empty_words(folder: Path) -> dict[str, frozenset[str]]:
    """`empty_words.csv`: field (`*`: every firearm column) -> the words that mean "not known" there."""
    out: dict[str, set[str]] = {}
    for line, r in _mapping_rows(folder, "empty_words.csv", ("field", "synonym")):
        if r["field"] != "*" and r["field"] not in FIREARM_FIELDS:
            raise _bad(("empty_words.csv", line), f"unknown field {r['field']!r}")
        out.setdefault(r["field"], set()).add(norm(r["synonym"]))
    return {k: frozenset(v) for k, v in out.items()}


def _operation_index(root: Path, folder: Path) -> tuple[dict[str, str], dict[str, tuple[dt.date, dt.date]],
                                                          dict[str, frozenset[str]]]:
    ops = pq.read_table(built_dir(root) / "operations.parquet",
                        columns=["operation_id", "name", "start_date", "end_date"]).to_pylist()
    index: dict[str, str] = {}
    dates = {}
    for r in ops:
        index[norm(r["operation_id"])] = r["operation_id"]
        index[norm(r["name"])] = r["operation_id"]
        dates[r["operation_id"]] = (r["start_date"], r["end_date"])
    for line, r in _mapping_rows(folder, "operations.csv", ("synonym", "operation_id")):
        where = ("operations.csv", line)
        if r["operation_id"] not in dates:
            raise _bad(where, f"unknown operation {r['operation_id']!r}")
        _put(index, norm(r["synonym"]), r["operation_id"], where)
    members: dict[str, set[str]] = {}
    for r in pq.read_table(built_dir(root) / "operation_countries.parquet",
                           columns=["operation_id", "country_iso3"]).to_pylist():
        members.setdefault(r["operation_id"], set()).add(r["country_iso3"])
    return index, dates, {k: frozenset(v) for k, v in members.items()}


_SPACE_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?", re.ASCII)
_COMMA_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", re.ASCII)
_PLAIN = re.compile(r"\d+(?:[.,]\d+)?|[.,]\d+", re.ASCII)


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII digits, the Arabic decimal separator as a point.

    Accepted on purpose (issue 25): a report typed in Arabic (Chad, Mauritania) writes "٣" or
    "١٢٫٥", a Japanese or Chinese input method "５"; each is the number it reads as, in every script
    Unicode calls a decimal digit. Letters that only look like digits (superscripts, circled
    numbers) are not decimal digits and stay refused.
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else "." if c == "\u066b" else c for c in text)


def parse_number(value: object, lang: str) -> float:
    """A number as French or English Excel writes it: "6 162", "6\u00a0162", "1,5", "1.5", "6,162" (en).

    A comma is a decimal comma, except in a file with English headers where "6,162" groups
    thousands. Digits of other scripts read as theirs (`ascii_digits`). Raises ValueError for
    anything else ("abc", "1.234.567", "12°N", "²").
    """
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError as exc:  # an int too large for a float
            raise OutOfRange(value) from exc
        if math.isnan(number):
            raise ValueError(value)
        if not math.isfinite(number) or abs(number) > MAX_NUMBER:
            raise OutOfRange(value)
        return number
    text = ascii_digits(str(value).strip().replace("\u2212", "-"))
    sign = ""
    if text[:1] in "+-" and text:
        sign, text = text[0], text[1:].strip()
    if _SPACE_GROUPED.fullmatch(text):
        text = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")
    elif lang == "en" and _COMMA_GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif _PLAIN.fullmatch(text):
        text = text.replace(",", ".")
    else:
        raise ValueError(value)
    number = float(sign + text)
    if not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise OutOfRange(value)
    return number


_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2})?)?")
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SERIAL = re.compile(r"\d{5}(?:[.,]\d+)?")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date:
    """A real date: dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yy), yyyy-mm-dd, an Excel date or serial number.

    Day first always, as in the programme's countries; "11/30/2020" is refused (ValueError with
    "month_first") rather than read either way.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value))
    text = str(value).strip()
    m = _DAY_FIRST.fullmatch(text)
    if m:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if len(m.group(3)) == 2 else 0
        try:
            return dt.date(year, month, day)
        except ValueError:
            if month > 12 and day <= 12:
                try:
                    dt.date(year, day, month)
                except ValueError:
                    pass
                else:
                    raise ValueError("month_first") from None
            raise
    m = _ISO.fullmatch(text)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if _SERIAL.fullmatch(text):
        return _serial(float(text.replace(",", ".")))
    raise ValueError(text)


def _serial(number: float) -> dt.date:
    if not 1 <= number < 2958466:
        raise ValueError(number)
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))
