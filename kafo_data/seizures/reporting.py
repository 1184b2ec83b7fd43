"""Which participating countries have sent their records for each edition (issue 30's reporting status).

A cell is one operation and one country: the national report files (batches) loaded with records of
both, their item lines and events there, when the last one was loaded and by whom, and the rows those
files had rejected. The generated sample is not a report: its lines are counted apart, and a cell with
only sample lines has no report. Rows are the reference's participating countries, plus any country a
report loaded records for (then `participating` is false).

Counts come from `rollup_events` (events and item lines by operation, country and source; a report's
source ends with its batch id in brackets, `ingest`'s rule), the batches' own `batch.json` for the rest,
once per data version. A report whose every row was rejected stored no batch, yet was sent: `ingest`
keeps its rejected rows (`rejected/<file>-<sha>-unstored.csv`) and, beside them, which operation and country each
named (`.json`, `kafo_data.ingest.commit`); the grid counts those rows in `rejected` and the loads in
`unstored`, so "sent, all rejected" is not "sent nothing". The public sees one line per operation: how
many participating countries have records, never which (`coverage`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from kafo_data.config import rejected_dir
from kafo_data.query_gate import public_query, query
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import Database

COLUMNS: tuple[str, ...] = ("operation_id", "country_iso3", "participating", "batches", "lines", "events",
                            "last_loaded", "loaded_by", "rejected", "sample_lines", "unstored", "last_unstored")


def _counts_sql(db: Database) -> str:
    if db.rollups:
        return ("SELECT operation_id, country_iso3, source, is_sample, sum(lines)::BIGINT AS lines, "
                "sum(events)::BIGINT AS events FROM rollup_events GROUP BY ALL")
    return ("SELECT s.operation_id, s.country_iso3, s.source, s.is_sample, coalesce(sum(i.n), 0)::BIGINT AS lines, "
            "count(*) AS events FROM seizures s LEFT JOIN (SELECT seizure_id, count(*) AS n FROM seized_items "
            "GROUP BY 1) i USING (seizure_id) GROUP BY ALL")


@query
def grid(db: Database, loads: str = "") -> pd.DataFrame:
    """Every operation x country cell (see the module's doc), in edition order then country.

    The stored reports' part is kept per data version; the loads that stored nothing change no data file, so
    they are read at each call, and a caller that keeps results per data version (the page) passes
    `loads_key` as `loads` to see a new one.
    """
    return _with_unstored(_stored(db).copy(), unstored(db.root))


@query
def unplaced_rows(db: Database, loads: str = "") -> int:
    """Rejected rows of loads that stored nothing which name no operation or country of the grid (`loads`: as
    for `grid`)."""
    return unplaced(unstored(db.root))


def _stored(db: Database) -> pd.DataFrame:
    return db.memo("reporting_grid", lambda: _grid(db))


def _unstored_files(root: Path) -> list[tuple[str, str, int]]:
    """(path, name, mtime) of each load that stored nothing, in name order."""
    try:
        entries = sorted((e for e in os.scandir(rejected_dir(root)) if e.name.endswith(".json")),
                         key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    out = []
    for entry in entries:
        try:
            out.append((entry.path, entry.name, entry.stat().st_mtime_ns))
        except OSError:
            continue
    return out


def loads_key(root: Path) -> str:
    """A word that changes whenever a load that stored nothing is written or replaced (a folder listing)."""
    return "|".join(f"{name}:{mtime}" for _path, name, mtime in _unstored_files(root))


_UNSTORED: dict[tuple[str, int], dict] = {}


def unstored(root: Path) -> list[dict]:
    """The loads that stored nothing (every row rejected), each as `kafo_data.ingest.commit` described it."""
    out, seen = [], {}
    for path, name, mtime in _unstored_files(root):
        key = (path, mtime)
        meta = _UNSTORED.get(key)
        if meta is None:
            try:
                read = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(read, dict) or not isinstance(read.get("cells"), list):
                continue
            meta = {**read, "_name": name, "_mtime": mtime}
        seen[key] = meta
        out.append(meta)
    _UNSTORED.clear()  # only what the folder holds now
    _UNSTORED.update(seen)
    return out


def unplaced(loads: list[dict]) -> int:
    """Rejected rows of those loads that name no operation or country the grid has (unreadable cells)."""
    return sum(int(c.get("rejected") or 0) for load in loads for c in load["cells"]
               if not c.get("operation_id") or not c.get("country_iso3"))


def _with_unstored(frame: pd.DataFrame, loads: list[dict]) -> pd.DataFrame:
    """The grid with each cell's loads that stored nothing: their count, latest time, rejected rows."""
    rows = [(c["operation_id"], c["country_iso3"], int(c.get("rejected") or 0), str(load.get("loaded_at") or ""))
            for load in loads for c in load["cells"] if c.get("operation_id") and c.get("country_iso3")]
    frame = frame.assign(unstored=0, last_unstored=None)
    if not rows:
        return frame[list(COLUMNS)]
    extra = pd.DataFrame(rows, columns=["operation_id", "country_iso3", "rows", "at"]).groupby(
        ["operation_id", "country_iso3"], sort=False).agg(files=("rows", "size"), rows=("rows", "sum"),
                                                          at=("at", "max")).reset_index()
    order = {op: k for k, op in enumerate(dict.fromkeys(frame.operation_id))}
    known = set(zip(frame.operation_id, frame.country_iso3, strict=True))
    new = extra[[(o, c) not in known and o in order for o, c in zip(extra.operation_id, extra.country_iso3,
                                                                      strict=True)]]
    if len(new):
        frame = pd.concat([frame, pd.DataFrame({
            "operation_id": new.operation_id, "country_iso3": new.country_iso3, "participating": False,
            "batches": 0, "lines": 0, "events": 0, "last_loaded": None, "loaded_by": None, "rejected": 0,
            "sample_lines": 0, "unstored": 0, "last_unstored": None})], ignore_index=True)
        frame = frame.assign(_o=frame.operation_id.map(order)).sort_values(
            ["_o", "country_iso3"], kind="stable").drop(columns="_o").reset_index(drop=True)
    merged = frame.merge(extra, on=["operation_id", "country_iso3"], how="left")
    found = merged.files.notna()
    frame.loc[found.values, "unstored"] = merged.files[found].astype(int).values
    frame.loc[found.values, "rejected"] = (frame.rejected[found.values] + merged.rows[found].astype(int).values)
    frame.loc[found.values, "last_unstored"] = merged["at"][found].values
    for column in ("batches", "lines", "events", "rejected", "sample_lines", "unstored"):
        frame[column] = frame[column].astype(int)
    frame["participating"] = frame["participating"].astype(bool)
    return frame[list(COLUMNS)]


def _grid(db: Database) -> pd.DataFrame:
    """The grid in one statement: counts by operation, country and batch, joined to the batches' metadata."""
    infos = [_meta(path) for path in db.batches]
    counts = _counts_sql(db)
    frame = db.frame(
        "WITH b AS (SELECT unnest(?::VARCHAR[]) AS batch_id, unnest(?::VARCHAR[]) AS loaded_at, "
        "unnest(?::VARCHAR[]) AS loaded_by, unnest(?::BIGINT[]) AS rejected), "
        f"s AS (SELECT operation_id, country_iso3, is_sample, source, sum(lines) AS lines, sum(events) AS events "
        f"FROM ({counts}) x GROUP BY ALL), "
        "c AS (SELECT *, regexp_extract(source, ?, 1) AS batch_id FROM s), "
        "r AS (SELECT operation_id, country_iso3, "
        "count(DISTINCT nullif(c.batch_id, '')) FILTER (WHERE NOT is_sample) AS batches, "
        "coalesce(sum(lines) FILTER (WHERE NOT is_sample), 0) AS lines, "
        "coalesce(sum(events) FILTER (WHERE NOT is_sample), 0) AS events, "
        "max(b.loaded_at) FILTER (WHERE NOT is_sample) AS last_loaded, "
        "arg_max(b.loaded_by, b.loaded_at || b.batch_id) FILTER (WHERE NOT is_sample) AS loaded_by, "
        "coalesce(sum(b.rejected) FILTER (WHERE NOT is_sample), 0) AS rejected, "
        "coalesce(sum(lines) FILTER (WHERE is_sample), 0) AS sample_lines "
        "FROM c LEFT JOIN b USING (batch_id) GROUP BY 1, 2), "
        "p AS (SELECT operation_id, country_iso3, TRUE AS participating FROM operation_countries) "
        "SELECT operation_id, country_iso3, coalesce(p.participating, FALSE) AS participating, "
        "coalesce(r.batches, 0) AS batches, coalesce(r.lines, 0) AS lines, coalesce(r.events, 0) AS events, "
        "r.last_loaded, r.loaded_by, coalesce(r.rejected, 0) AS rejected, coalesce(r.sample_lines, 0) AS sample_lines "
        "FROM p FULL OUTER JOIN r USING (operation_id, country_iso3) LEFT JOIN operations o USING (operation_id) "
        "ORDER BY o.start_date NULLS LAST, operation_id, country_iso3",
        [[i[0] for i in infos], [i[1] for i in infos], [i[2] for i in infos], [i[3] for i in infos],
         r"\[([^\[\]]+)\]$"],
    )
    for column in ("batches", "lines", "events", "rejected", "sample_lines"):
        frame[column] = frame[column].astype(int)
    frame["participating"] = frame["participating"].astype(bool)
    frame["last_loaded"] = frame["last_loaded"].astype(object).where(frame["last_loaded"].notna(), None)
    frame["loaded_by"] = frame["loaded_by"].astype(object).where(frame["loaded_by"].notna(), None)
    return frame[[c for c in COLUMNS if c in frame]]


_META: dict[tuple[str, int], tuple[str, str | None, str | None, int]] = {}


def _meta(batch: Path) -> tuple[str, str | None, str | None, int]:
    """(batch id, loaded at, loaded by, rows rejected) of one batch, read once per process and batch.json.

    A batch directory never changes once renamed in (`store.batches`): 500 batch.json files were 12 ms a grid.
    """
    path = batch / "batch.json"
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return batch.name, None, None, 0
    if key not in _META:
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        _META[key] = (batch.name, meta.get("loaded_at"), meta.get("loaded_by") or None, int(meta.get("rejected") or 0))
    return _META[key]


@query
def missing(db: Database, f: Filters) -> dict[str, list[str]]:
    """Participating countries with no report loaded, by operation, within the filters' operations and countries."""
    frame = _stored(db)
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
    """The public's line per operation: participating countries, how many of them have a report loaded, and
    whether generated sample records of the operation show on the other pages (`sample`)."""
    frame = _stored(db)
    frame = frame[frame.participating]
    out = frame.assign(reported=frame.batches > 0, sample=frame.sample_lines > 0).groupby(
        "operation_id", sort=False).agg(participating=("country_iso3", "size"), reported=("reported", "sum"),
                                        sample=("sample", "any")).reset_index()
    out["reported"] = out["reported"].astype(int)
    out["sample"] = out["sample"].astype(bool)
    return out


def status_key(batches: int, unstored: int) -> str:
    """A cell's state: a report stored; sent but every row rejected (nothing stored); nothing sent."""
    if batches:
        return "reporting.status.reported"
    return "reporting.status.all_rejected" if unstored else "reporting.status.none"


def grid_table(frame: pd.DataFrame, names: dict[str, str], ops: dict[str, str], lang: str) -> pd.DataFrame:
    """The grid for the screen: labels in the reader's language, "⚠ No report" where none is loaded."""
    from kafo_data.fmt import date, number
    from kafo_data.i18n import t

    def when(value: object) -> str:
        return "" if value is None or pd.isna(value) else date(dt.date.fromisoformat(str(value)[:10]), lang)

    return pd.DataFrame({
        t("reporting.col.operation", lang): [ops.get(v, v) for v in frame.operation_id],
        t("reporting.col.country", lang): [names.get(v, v) for v in frame.country_iso3],
        t("reporting.col.status", lang): [t(status_key(n, u), lang) for n, u in zip(frame.batches, frame.unstored,
                                                                                     strict=True)],
        t("reporting.col.batches", lang): [number(v, lang) for v in frame.batches],
        t("reporting.col.lines", lang): [number(v, lang) for v in frame.lines],
        t("reporting.col.events", lang): [number(v, lang) for v in frame.events],
        t("reporting.col.last_loaded", lang): [when(v) for v in frame.last_loaded],
        t("reporting.col.loaded_by", lang): ["" if v is None or pd.isna(v) else str(v) for v in frame.loaded_by],
        t("reporting.col.rejected", lang): [number(v, lang) for v in frame.rejected],
        t("reporting.col.unstored", lang): [number(v, lang) for v in frame.unstored],
        t("reporting.col.sample_lines", lang): [number(v, lang) for v in frame.sample_lines],
        t("reporting.col.participating", lang): [
            t("reporting.yes" if p else "reporting.no" if n else "reporting.no_sent", lang)
            for p, n in zip(frame.participating, frame.lines, strict=True)],
    })


STATES: tuple[str, ...] = ("reported", "all_rejected", "none", "outside")


def matrix(frame: pd.DataFrame, names: dict[str, str], ops: dict[str, str], lang: str
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The grid as the screen draws it: a row per operation, a column per participating country (ISO3 code,
    in the order of the countries' names).

    Two frames of the same shape: the short text of each cell (item lines loaded; "⚠ rejected" for a report
    whose every row was rejected; "—" for no report; empty where the country is not in that operation) and
    its state (one of STATES), which the page colours. Countries with records but outside an operation are
    in the detailed table, not here.
    """
    from kafo_data.country_names import name_key
    from kafo_data.fmt import number
    from kafo_data.i18n import t

    cells = frame[frame.participating]
    countries = sorted(dict.fromkeys(cells.country_iso3), key=lambda c: name_key(names.get(c, c)))
    operations = list(dict.fromkeys(cells.operation_id))
    by = {(o, c): r for o, c, r in zip(cells.operation_id, cells.country_iso3, cells.itertuples(), strict=True)}
    texts, states = [], []
    for op in operations:
        row_text, row_state = [], []
        for country in countries:
            r = by.get((op, country))
            state = "outside" if r is None else status_key(r.batches, r.unstored).removeprefix("reporting.status.")
            row_state.append(state)
            row_text.append({"outside": "", "none": "—", "all_rejected": t("reporting.cell.all_rejected", lang),
                             "reported": number(r.lines, lang) if r is not None else ""}[state])
        texts.append(row_text)
        states.append(row_state)
    head = countries  # ISO3 codes: the grid fits a page; the page names each code (`matrix_key`)
    index = pd.Index([ops.get(o, o) for o in operations], name=t("reporting.col.operation", lang))
    return (pd.DataFrame(texts, columns=head, index=index), pd.DataFrame(states, columns=head, index=index))


def matrix_key(codes: list[str], names: dict[str, str]) -> str:
    """The codes of the grid's columns with their names: "BEN Bénin · BFA Burkina Faso..." (plain text)."""
    return " · ".join(f"{c} {names.get(c, c)}" for c in codes)


def coverage_lines(frame: pd.DataFrame, ops: dict[str, str], lang: str) -> list[str]:
    """The public's sentence per operation: "KAFO II: records from 3 of 4 participating countries."."""
    from kafo_data.i18n import t

    sample = frame["sample"] if "sample" in frame else [False] * len(frame)
    return [t("reporting.public.line", lang, operation=ops.get(op, op), reported=int(r), participating=int(p))
            + (" " + t("reporting.public.sample", lang) if smp else "")
            for op, r, p, smp in zip(frame.operation_id, frame.reported, frame.participating, sample, strict=True)]


def missing_text(gaps: dict[str, list[str]], names: dict[str, str], ops: dict[str, str], lang: str) -> str:
    """The Seizures page's empty state, for managers: editions and countries with no report loaded (plain text)."""
    from kafo_data.fmt import literal
    from kafo_data.i18n import t

    pairs = [t("reporting.missing_pair", lang, operation=ops.get(op, op),
               countries=", ".join(names.get(c, c) for c in countries)) for op, countries in gaps.items()]
    return literal(t("reporting.missing", lang, list="; ".join(pairs)))
