"""Every published result as a download: the same bytes on the Results page and from the command line.

`python -m kafo_data export --table published` and the Results page's button both call `write`,
so a script and a person get the same file. The rows are the reference figures (real, sourced,
never adjusted: they are what each operation published), one row per figure in the reference
order; a figure a second source words differently is its own row whose `footnote_of` names the
figure it qualifies. Public: it holds no seizure record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import BinaryIO

from kafo_data.contract import seizures as contract
from kafo_data.errors import FilterError
from kafo_data.export.formats import EXTENSIONS, FORMATS, SUFFIXES
from kafo_data.export.writers import Extract, Field, FilterLine, in_memory, vocabulary_labels, write_table
from kafo_data.i18n import LANGS, label, t
from kafo_data.store.db import Database

__all__ = ["FORMATS", "Selection", "build", "file_name", "write"]

STEM = "kafo_published_results"


def _field(name: str, kind: str = "text", vocab: str | None = None) -> Field:
    return Field(name, kind, f"results.col.{name}", f"results.doc.{name}", vocab)  # type: ignore[arg-type]


FIELDS: tuple[Field, ...] = (
    _field("operation_id", vocab="operation"),
    _field("figure_id"),
    _field("indicator", vocab="indicator"),
    _field("value", "number"),
    _field("qualifier", vocab="qualifier"),
    _field("unit", vocab="unit"),
    _field("text"),
    _field("quote_lang"),
    _field("translation"),
    _field("translation_lang"),
    _field("fr_text"),
    _field("fr_source_id"),
    _field("note"),
    _field("note_fr"),
    _field("footnote_of"),
    _field("source_title"),
    _field("source_publisher"),
    _field("source_publisher_fr"),
    _field("source_published"),
    _field("source_url"),
    _field("source_id"),
)


@dataclass(frozen=True)
class Selection:
    """Which results: operations and indicators (empty = all), as ids checked against the reference."""

    operations: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


def known(db: Database) -> dict[str, list[str]]:
    """The operations (date order) and indicators (first published first) a selection may name."""
    ops = [r[0] for r in db.rows("SELECT operation_id FROM operations ORDER BY start_date, operation_id")]
    indicators = [r[0] for r in db.rows(
        "SELECT indicator FROM figures GROUP BY indicator ORDER BY min(file_row_number)")]
    return {"operations": ops, "indicators": indicators}


def checked(db: Database, selection: Selection) -> Selection:
    """The selection with every id known (FilterError names the first unknown one), in the reference order."""
    allowed = known(db)
    for attr in ("operations", "indicators"):
        bad = [v for v in getattr(selection, attr) if v not in allowed[attr]]
        if bad:
            raise FilterError(f"unknown {attr[:-1]}: {', '.join(map(repr, bad))}")
    return Selection(*(tuple(v for v in allowed[a] if v in getattr(selection, a))
                       for a in ("operations", "indicators")))


def extract(selection: Selection) -> Extract:
    """The selected figures with their source, in the reference order (operation first)."""
    sql = (
        "SELECT f.operation_id, f.figure_id, f.indicator, f.value, f.qualifier, f.unit, f.text, f.quote_lang, "
        "f.translation, f.translation_lang, f.fr_text, f.fr_source_id, f.note, f.note_fr, "
        "f.footnote_of, s.title AS source_title, s.publisher AS source_publisher, "
        "s.publisher_fr AS source_publisher_fr, s.published AS source_published, s.url AS source_url, "
        "f.source_id, o.start_date AS op_start, "
        "f.file_row_number AS row_order "
        "FROM figures f JOIN sources s USING (source_id) JOIN operations o USING (operation_id) "
        "WHERE (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], f.operation_id)) "
        "AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], f.indicator))"
    )
    ops, ind = list(selection.operations), list(selection.indicators)
    return Extract(sql, (ops, ops, ind, ind), FIELDS, ("op_start", "row_order"),
                   title_key="results.export.title", rows_key="results.export.rows")


def qualifier_labels() -> dict[str, dict[str, dict[str, str]]]:
    """The qualifier words alone ("more than"), for the labelled formats (the catalogue's hold a {value})."""
    return {lg: {"qualifier": {q: t(f"results.qualifier.{q}", lg) for q in contract.QUALIFIERS}} for lg in LANGS}


def describe(db: Database, selection: Selection, lang: str) -> list[FilterLine]:
    """The selection as the README and the filters sheet state it."""
    lines = []
    if selection.operations:
        names = vocabulary_labels(db, "operation", lang)
        lines.append(FilterLine(t("export.filter.operation", lang),
                                ", ".join(names.get(o, o) for o in selection.operations),
                                ", ".join(selection.operations)))
    if selection.indicators:
        lines.append(FilterLine(t("results.filter.indicator", lang),
                                ", ".join(label("indicator", i, lang) for i in selection.indicators),
                                ", ".join(selection.indicators)))
    return lines


def file_name(selection: Selection, today: dt.date, fmt: str) -> str:
    """kafo_published_results_KAFO-II_firearms_2026-12-04.csv: what is inside, and when."""
    parts = [STEM, *("-".join(v) for v in (selection.operations, selection.indicators) if v), today.isoformat()]
    return "_".join(parts) + SUFFIXES.get(fmt, "") + "." + EXTENSIONS[fmt]


def write(db: Database, selection: Selection, fmt: str, lang: str, out: BinaryIO, today: dt.date,
          made_at: dt.datetime | None = None) -> int:
    """Write the selected results in `fmt` (the CLI); returns the row count."""
    selection = checked(db, selection)
    name = file_name(selection, today, "csv").removesuffix(".csv")
    return write_table(db, extract(selection), fmt, lang, out, today=today, made_at=made_at, name=name,
                       filters=describe(db, selection, lang), labels=qualifier_labels())


def build(db: Database, selection: Selection, fmt: str, lang: str, today: dt.date,
          made_at: dt.datetime | None = None) -> bytes:
    """The download as bytes (what the page's button serves); equal to `write` for equal arguments."""
    return in_memory(lambda out: write(db, selection, fmt, lang, out, today, made_at))
