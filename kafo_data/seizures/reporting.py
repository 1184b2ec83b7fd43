"""Which participating countries have sent their records for each edition (issue 30's reporting status).

A cell is one operation and one country: the national report files (batches) loaded with records of
both, their item lines and events there, when the last one was loaded and by whom, and the rows those
files had rejected. The generated sample is not a report: its lines are counted apart, and a cell with
only sample lines has no report. Rows are the reference's participating countries, plus any country a
report loaded records for (then `participating` is false).

Counts come from `rollup_events` (events and item lines by operation, country and source; a report's
source ends with its batch id in brackets, `ingest`'s rule), the batches' own `batch.json` for the rest,
once per data version. The public sees one line per operation: how many participating countries have
records, never which (`coverage`).
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from kafo_data.gate import public_query, query
from kafo_data.seizures.filters import Filters
from kafo_data.store.batches import list_batches
from kafo_data.store.db import Database

_BATCH = re.compile(r"\[([^\[\]]+)\]$")
COLUMNS: tuple[str, ...] = ("operation_id", "country_iso3", "participating", "batches", "lines", "events",
                            "last_loaded", "loaded_by", "rejected", "sample_lines")


def _counts_sql(db: Database) -> str:
    if db.rollups:
        return ("SELECT operation_id, country_iso3, source, is_sample, sum(lines)::BIGINT AS lines, "
                "sum(events)::BIGINT AS events FROM rollup_events GROUP BY ALL")
    return ("SELECT s.operation_id, s.country_iso3, s.source, s.is_sample, coalesce(sum(i.n), 0)::BIGINT AS lines, "
            "count(*) AS events FROM seizures s LEFT JOIN (SELECT seizure_id, count(*) AS n FROM seized_items "
            "GROUP BY 1) i USING (seizure_id) GROUP BY ALL")


@query
def grid(db: Database) -> pd.DataFrame:
    """Every operation x country cell (see the module's doc), in edition order then country; kept per data version."""
    return db.memo("reporting_grid", lambda: _grid(db)).copy()


def _grid(db: Database) -> pd.DataFrame:
    infos = {b.batch_id: b for b in list_batches(db.root)}
    cells: dict[tuple[str, str], dict] = {}

    def cell(op: str, iso3: str) -> dict:
        return cells.setdefault((op, iso3), {"operation_id": op, "country_iso3": iso3, "participating": False,
                                             "batch_ids": set(), "lines": 0, "events": 0, "sample_lines": 0})

    for op, iso3 in db.rows("SELECT operation_id, country_iso3 FROM operation_countries"):
        cell(op, iso3)["participating"] = True
    for op, iso3, source, is_sample, lines, events in db.rows(_counts_sql(db)):
        c = cell(op, iso3)
        if is_sample:
            c["sample_lines"] += int(lines)
            continue
        found = _BATCH.search(source or "")
        if found:
            c["batch_ids"].add(found.group(1))
        c["lines"] += int(lines)
        c["events"] += int(events)
    order = {op: k for k, (op,) in enumerate(db.rows("SELECT operation_id FROM operations ORDER BY start_date"))}
    rows = []
    for (op, iso3), c in sorted(cells.items(), key=lambda kv: (order.get(kv[0][0], len(order)), kv[0])):
        loaded = sorted((infos[b] for b in c["batch_ids"] if b in infos), key=lambda b: (b.loaded_at, b.batch_id))
        last = loaded[-1] if loaded else None
        rows.append({"operation_id": op, "country_iso3": iso3, "participating": c["participating"],
                     "batches": len(c["batch_ids"]), "lines": c["lines"], "events": c["events"],
                     "last_loaded": last.loaded_at if last else None, "loaded_by": last.loaded_by if last else None,
                     "rejected": sum(int(b.rejected or 0) for b in loaded), "sample_lines": c["sample_lines"]})
    return pd.DataFrame(rows, columns=list(COLUMNS))


@query
def missing(db: Database, f: Filters) -> dict[str, list[str]]:
    """Participating countries with no report loaded, by operation, within the filters' operations and countries."""
    frame = grid(db)
    frame = frame[frame.participating & (frame.batches == 0)]
    if f.operations:
        frame = frame[frame.operation_id.isin(f.operations)]
    if f.countries:
        frame = frame[frame.country_iso3.isin(f.countries)]
    out: dict[str, list[str]] = {}
    for op, iso3 in zip(frame.operation_id, frame.country_iso3, strict=True):
        out.setdefault(op, []).append(iso3)
    return out


@public_query
def coverage(db: Database) -> pd.DataFrame:
    """The public's line per operation: participating countries, and how many of them have a report loaded."""
    frame = grid(db)
    frame = frame[frame.participating]
    out = frame.assign(reported=frame.batches > 0).groupby("operation_id", sort=False).agg(
        participating=("country_iso3", "size"), reported=("reported", "sum")).reset_index()
    out["reported"] = out["reported"].astype(int)
    return out


def grid_table(frame: pd.DataFrame, names: dict[str, str], ops: dict[str, str], lang: str) -> pd.DataFrame:
    """The grid for the screen: labels in the reader's language, "⚠ No report" where none is loaded."""
    from kafo_data.fmt import date, number
    from kafo_data.i18n import t

    def when(value: object) -> str:
        return "" if value is None or pd.isna(value) else date(dt.date.fromisoformat(str(value)[:10]), lang)

    return pd.DataFrame({
        t("reporting.col.operation", lang): [ops.get(v, v) for v in frame.operation_id],
        t("reporting.col.country", lang): [names.get(v, v) for v in frame.country_iso3],
        t("reporting.col.status", lang): [t("reporting.status.reported" if n else "reporting.status.none", lang)
                                          for n in frame.batches],
        t("reporting.col.batches", lang): [number(v, lang) for v in frame.batches],
        t("reporting.col.lines", lang): [number(v, lang) for v in frame.lines],
        t("reporting.col.events", lang): [number(v, lang) for v in frame.events],
        t("reporting.col.last_loaded", lang): [when(v) for v in frame.last_loaded],
        t("reporting.col.loaded_by", lang): ["" if v is None or pd.isna(v) else str(v) for v in frame.loaded_by],
        t("reporting.col.rejected", lang): [number(v, lang) for v in frame.rejected],
        t("reporting.col.sample_lines", lang): [number(v, lang) for v in frame.sample_lines],
        t("reporting.col.participating", lang): [t("reporting.yes" if p else "reporting.no", lang)
                                                 for p in frame.participating],
    })


def coverage_lines(frame: pd.DataFrame, ops: dict[str, str], lang: str) -> list[str]:
    """The public's sentence per operation: "KAFO II: records from 3 of 4 participating countries."."""
    from kafo_data.i18n import t

    return [t("reporting.public.line", lang, operation=ops.get(op, op), reported=int(r), participating=int(p))
            for op, r, p in zip(frame.operation_id, frame.reported, frame.participating, strict=True)]


def missing_text(gaps: dict[str, list[str]], names: dict[str, str], ops: dict[str, str], lang: str) -> str:
    """The Seizures page's empty state, for managers: editions and countries with no report loaded (plain text)."""
    from kafo_data.fmt import literal
    from kafo_data.i18n import t

    pairs = [t("reporting.missing_pair", lang, operation=ops.get(op, op),
               countries=", ".join(names.get(c, c) for c in countries)) for op, countries in gaps.items()]
    return literal(t("reporting.missing", lang, list="; ".join(pairs)))
