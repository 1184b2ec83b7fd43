"""The store's checks of every data file against the contract; each problem names its file and row.

The same rules the ingest applies to a row before it is stored are applied here to what is
already stored, so a hand-copied or half-written file is caught before it is shown. The whole
check (with the money rows' rules, which belong to the ingest) is `kafo_data.ingest.validate`.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from kafo_data import country_names
from kafo_data.config import built_dir
from kafo_data.contract import seizures as contract
from kafo_data.errors import ReferenceError
from kafo_data.store.db import RECORD_FILES, batch_dirs
from kafo_data.store.health import batch_problem
from kafo_data.store.reference import REFERENCE_TABLES, read_text, to_arrow

MAX_PER_CHECK = 20


def _known_values(root: Path) -> dict[str, list[str]]:
    values = {k: list(v) for k, v in contract.VOCABULARIES.items()}
    values["operation"] = [r["operation_id"] for r in read_text(root, "operations")]
    values["country"] = [r["iso3"] for r in read_text(root, "countries")]
    values["made_in"] = [*values["country"], *country_names.former(root)]  # ISO 3166-3 former countries too
    return values


def check_built(root: Path) -> list[str]:
    """The built parquet equals the reference text, table by table."""
    problems = []
    for table in REFERENCE_TABLES:
        path = built_dir(root) / f"{table}.parquet"
        if not path.is_file():
            problems.append(f"{path}: missing (run `python -m kafo_data build`)")
            continue
        built = pq.read_table(path)
        try:
            text = to_arrow(table, read_text(root, table), built.column_names)
        except (ReferenceError, KeyError) as exc:
            problems.append(f"{path}: does not match the reference text ({exc})")
            continue
        if not built.equals(text):
            problems.append(f"{path}: differs from data/reference/{table}.csv (run `python -m kafo_data build`)")
    return problems


def _column_problems(con: duckdb.DuckDBPyConnection, path: Path, table: str,
                     known: dict[str, list[str]]) -> list[str]:
    problems = []
    described = {r[0]: r[1] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()}
    for col in contract.TABLES[table]:
        if col.name not in described:
            if col.required:  # an optional column added later (tracing) is empty in a file written before it
                problems.append(f"{path}: missing column {col.name}")
            continue
        if described[col.name] != col.dtype:
            problems.append(f"{path}: column {col.name} is {described[col.name]}, expected {col.dtype}")
            continue
        checks = []
        if col.required:
            checks.append((f"{col.name} IS NULL", [], "empty"))
        if col.vocab:
            vocab = "made_in" if col.name == "country_of_manufacture" else col.vocab
            checks.append((f"{col.name} IS NOT NULL AND NOT list_contains(?, {col.name})",
                           [known[vocab]], "not an allowed value"))
        for cond, params, what in checks:
            rows = con.execute(
                f"SELECT file_row_number, {col.name} FROM read_parquet(?, file_row_number = true) "
                f"WHERE {cond} LIMIT {MAX_PER_CHECK}", [str(path), *params],
            ).fetchall()
            problems += [f"{path} row {n + 1}: {col.name} {v!r}: {what}" for n, v in rows]
    return problems


_ITEM_UNITS = "MAP(?::VARCHAR[], ?::VARCHAR[][])"
_ITEM_KEYS = list(contract.ITEM_TYPES)
_UNIT_PARAMS = [_ITEM_KEYS, [list(v[1]) for v in contract.ITEM_TYPES.values()]]
_CATEGORY_PARAMS = [_ITEM_KEYS, [[v[0]] for v in contract.ITEM_TYPES.values()]]
_MAX_PARAMS = [list(contract.MAX_QUANTITY), list(contract.MAX_QUANTITY.values())]

# table -> (condition that marks a bad row, its parameters, what a person is told)
ROW_RULES: dict[str, list[tuple[str, list[object], str]]] = {
    "seizures": [
        ("arrests < 0", [], "arrests is negative"),
        (f"arrests > {contract.MAX_ARRESTS}", [], f"more than {contract.MAX_ARRESTS} arrests in one seizure"),
        ("latitude NOT BETWEEN -90 AND 90 OR longitude NOT BETWEEN -180 AND 180", [], "coordinates out of range"),
    ],
    "seized_items": [
        ("quantity <= 0 OR isnan(quantity) OR isinf(quantity)", [], "quantity is not a number above 0"),
        ("quantity > map_extract(MAP(?::VARCHAR[], ?::DOUBLE[]), unit)[1]", _MAX_PARAMS,
         "quantity above the plausible bound of its unit (contract.MAX_QUANTITY)"),
        (f"NOT list_contains(map_extract({_ITEM_UNITS}, item_type)[1], unit)", _UNIT_PARAMS,
         "unit not allowed for the item type"),
        (f"category <> map_extract({_ITEM_UNITS}, item_type)[1][1]", _CATEGORY_PARAMS,
         "item type does not belong to the category"),
        *((f"{name} IS NOT NULL AND category <> 'firearms'", [], f"{name} on a line that is not a firearm")
          for name in contract.FIREARM_ONLY),
        ("illicit_origin IS NOT NULL AND tracing_status IS DISTINCT FROM 'origin_established'", [],
         "illicit_origin without tracing_status origin_established"),
    ],
}


def _row_problems(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> list[str]:
    problems = []
    present = {r[0] for r in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()}
    for cond, params, what in ROW_RULES[table]:
        if any(name in cond and name not in present for name in contract.FIREARM_ONLY):
            continue  # a file written before the tracing columns existed
        rows = con.execute(
            f"SELECT file_row_number FROM read_parquet(?, file_row_number = true) "
            f"WHERE {cond} LIMIT {MAX_PER_CHECK}", [str(path), *params],
        ).fetchall()
        problems += [f"{path} row {n + 1}: {what}" for (n,) in rows]
    return problems


def check_batches(root: Path) -> list[str]:
    """Every batch file against the contract, and keys unique across batches."""
    problems: list[str] = []
    known = _known_values(root)
    con = duckdb.connect()
    seizure_files, item_files = [], []
    for batch in batch_dirs(root):
        aside = batch_problem(batch)
        if aside:  # what the pages do with it (store.health): left out, named to managers only
            problems.append(f"{batch}: set aside, not served ({aside})")
        for table, filename in RECORD_FILES.items():
            path = batch / filename
            if not path.is_file():
                problems.append(f"{batch}: missing {filename}")
                continue
            (seizure_files if table == "seizures" else item_files).append(str(path))
            try:
                problems += _column_problems(con, path, table, known)
                if not any(str(path) in p and "column" in p for p in problems):
                    problems += _row_problems(con, path, table)
            except duckdb.Error as exc:
                problems.append(f"{path}: unreadable ({str(exc).splitlines()[0]})")
    if seizure_files and item_files and not problems:
        problems += _key_problems(con, seizure_files, item_files)
    return problems


def _key_problems(con: duckdb.DuckDBPyConnection, seizure_files: list[str], item_files: list[str]) -> list[str]:
    out = []
    for sid, n in con.execute(
        "SELECT seizure_id, count(*) FROM read_parquet(?) GROUP BY 1 HAVING count(*) > 1 LIMIT 20",
        [seizure_files],
    ).fetchall():
        out.append(f"seizure_id {sid!r} stored {n} times")
    for sid, line, n in con.execute(
        "SELECT seizure_id, line_no, count(*) FROM read_parquet(?) GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 20",
        [item_files],
    ).fetchall():
        out.append(f"item line {sid!r} #{line} stored {n} times")
    for (sid,) in con.execute(
        "SELECT DISTINCT i.seizure_id FROM read_parquet(?) i ANTI JOIN read_parquet(?) s USING (seizure_id) LIMIT 20",
        [item_files, seizure_files],
    ).fetchall():
        out.append(f"item lines of seizure {sid!r} have no seizure event")
    return out
