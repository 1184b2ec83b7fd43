"""The cell key method: every public number drawn from records is slightly and consistently adjusted.

Why: suppressing small cells inside one table does not stop two public selections from being
subtracted (all countries minus all but one gives the hidden one). Statistical offices that let
the public build its own tables (ABS TableBuilder, ONS Census 2021) give every record a fixed
random key; a cell's key is the sum of its records' keys modulo 256, and a fixed table maps the
cell key to a small adjustment. The same records always make the same cell key, so a cell shows the
same value on every page, in every file and in every process, and subtracting two answers gives
noise. docs/public-numbers.md states the design, its parameters and the measured attacks.

- An event's key: `hash(seizure_id || salt)` (DuckDB), two bytes of it, `key_a` (for counts) and
  `key_b` (for sums); the salt comes from `KAFO_CELL_KEY_SECRET`, so stored batches never change.
- A count n (events) of a cell: 0 stays 0, 1..k-1 is suppressed ("fewer than k", the threshold on
  the true count), else n + d with d in -2..2 from `COUNT_TABLE`, reflected (n + |d|) where n + d
  would fall under k.
- A sum q (pieces, rounds, kg, arrests, lines) of a cell of at least k events: q + j * step, j in
  -2..2 from `SUM_TABLE`, step = max(1, round(2.5 % of q)): it moves by at least one unit when it
  moves; a result of 0 or less is reflected (q + |j| * step); a sum of 0 stays 0.

The keys are SQL (`event_keys_sql`, summed into the rollups); the adjustment is `protect`, applied
to the small frame of true cells every public query fetches, so tables, charts, the map, filter
counts, headline numbers and downloads all go through the same function.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from collections.abc import Mapping, Sequence

import duckdb
import numpy as np
import pandas as pd

from kafo_data.config import small_cell_events

SECRET_ENV = "KAFO_CELL_KEY_SECRET"
# Used when the deployment sets none: public, so anyone can recompute the keys of ids they know.
DEFAULT_SECRET = "kafo-cell-key-default (set KAFO_CELL_KEY_SECRET)"
MIN_SECRET_LENGTH = 16
KEY_RANGE = 256
# (adjustment, how many of the 256 cell keys get it): an event count's table, mean 0, variance 1.8; a
# quarter of the cells unchanged (fewer, and subtracting two cells would more often give the truth).
COUNT_TABLE: tuple[tuple[int, int], ...] = ((-2, 45), (-1, 51), (0, 64), (1, 51), (2, 45))
# A sum's table: j steps; fewer zeros than the counts', so a small sum is rarely shown exact.
SUM_TABLE: tuple[tuple[int, int], ...] = ((-2, 38), (-1, 64), (0, 52), (1, 64), (2, 38))
SUM_STEP = 0.025  # a step is 2.5 % of the sum, at least one unit
SUM_COLUMNS: tuple[str, ...] = ("quantity", "arrests", "lines")  # their draws: 0, 1, 2 (others: by name)
# Each sum column of a cell reads its key through its own bijection of 0..255 (odd multiplier, offset),
# so the adjustments of a cell's quantity and arrests are not the same j.
_MIX = 167
_log = logging.getLogger(__name__)
_warned: set[str] = set()


def secret() -> str:
    """The deployment's secret (`KAFO_CELL_KEY_SECRET`), or the public default with a warning once per process."""
    value = os.environ.get(SECRET_ENV, "").strip()
    problem = secret_problem(value)
    if problem and problem not in _warned:
        _warned.add(problem)
        _log.warning(problem)
    return value or DEFAULT_SECRET


def secret_problem(value: str | None = None) -> str | None:
    """Why the secret is weak (unset or short), or None: `validate` and the server log say it."""
    value = os.environ.get(SECRET_ENV, "").strip() if value is None else value
    if not value:
        return (f"{SECRET_ENV} is not set: public counts are adjusted with a default key anyone can read "
                "(set one secret for every process: openssl rand -hex 32)")
    if "change-me" in value:
        return (f"{SECRET_ENV} is still the example value of deploy/dashboard.env: "
                "choose a long random one (openssl rand -hex 32)")
    if len(value) < MIN_SECRET_LENGTH:
        return (f"{SECRET_ENV} is shorter than {MIN_SECRET_LENGTH} characters: "
                "choose a long random one (openssl rand -hex 32)")
    return None


def salt() -> str:
    """What the SQL hashes with the seizure id: a digest of the secret, never the secret itself."""
    return hashlib.sha256(("kafo-cell-key|" + secret()).encode()).hexdigest()[:32]


def tag() -> str:
    """Changes when the keys would: the salt and the DuckDB version (its `hash`); stored rollups carry it."""
    return hashlib.sha1(f"{salt()}|{duckdb.__version__}".encode()).hexdigest()[:8]


def event_keys_sql(seizure_id: str = "seizure_id") -> str:
    """`key_a, key_b` of one event as SQL select items (each 0..255), from its seizure id.

    A cell's key sums are `sum(key_a)` and `sum(key_b)` over its distinct events (an event counts
    once per cell however many of its item lines fall in it); sums of sums stay exact, so rollups
    carry them next to their event counts.
    """
    h = f"hash({seizure_id} || '{salt()}')"
    return f"({h} % 256)::BIGINT AS key_a, (({h} // 256) % 256)::BIGINT AS key_b"


def _lookup(key_sums: np.ndarray, table: tuple[tuple[int, int], ...]) -> np.ndarray:
    """The adjustment the table gives each cell key (a key sum modulo 256)."""
    values = np.array([value for value, _ in table])
    upto = np.cumsum([share for _, share in table])
    return values[np.searchsorted(upto, np.mod(key_sums, KEY_RANGE), side="right")]


def adjust_counts(n: np.ndarray, key_sums: np.ndarray, k: int) -> np.ndarray:
    """Public counts: 0 stays 0, 1..k-1 is NaN (suppressed), else n + d, reflected to n + |d| under k."""
    n = np.asarray(n, dtype=float)
    d = _lookup(np.asarray(key_sums, dtype=np.int64), COUNT_TABLE)
    out = np.where(n + d < k, n + np.abs(d), n + d)
    out = np.where(n == 0, 0.0, out)
    return np.where(np.isnan(n) | ((n > 0) & (n < k)), np.nan, out)


def adjust_sums(q: np.ndarray, key_sums: np.ndarray, column: str) -> np.ndarray:
    """Public sums: q + j * step (step max(1, 2.5 % of q rounded half up)); 0 stays 0; a result <= 0 reflected."""
    q = np.asarray(q, dtype=float)
    mixed = (np.mod(np.asarray(key_sums, dtype=np.int64), KEY_RANGE) * _MIX + 61 * draw(column)) % KEY_RANGE
    j = _lookup(mixed, SUM_TABLE)
    step = np.maximum(1.0, np.floor(SUM_STEP * np.abs(q) + 0.5))
    out = np.where(q + j * step <= 0, q + np.abs(j) * step, q + j * step)
    return np.where(q == 0, q, out)


def draw(column: str) -> int:
    """Which draw of a cell's key a sum uses: by its name, so a cell's quantity is adjusted alike everywhere."""
    return SUM_COLUMNS.index(column) if column in SUM_COLUMNS else zlib.crc32(column.encode()) % KEY_RANGE


def protect(cells: pd.DataFrame, events: str = "events", key_a: str = "key_a", key_b: str = "key_b",
            sums: Sequence[str] = ("quantity",), counts: Mapping[str, str] | None = None,
            k: int | None = None) -> pd.DataFrame:
    """The public form of a frame of cells: THE function every public number drawn from records goes through.

    `cells` has one row per cell: any key columns, the cell's true distinct event count (`events`),
    the sums of its events' keys (`key_a`, `key_b`: `sum(key_a)` over the cell's distinct events,
    see `event_keys_sql`), the true `sums` (quantity, arrests, ...) and other counts of events
    (`counts`: column -> the column holding the key_a sum of the events it counts). Returns the
    same rows with `events` and every count adjusted (nullable integers), every sum adjusted
    (floats), all missing where the cell rests on 1..k-1 true events, a `suppressed` column, and
    the key sums dropped. A count of `counts` that is itself 1..k-1 is missing too. k:
    `config.small_cell_events()`.
    """
    k = small_cell_events() if k is None else k
    out = cells.copy()
    n = pd.to_numeric(out[events]).fillna(0).to_numpy(dtype=float)
    small = (n > 0) & (n < k)
    others = dict(counts or {})
    key_columns = {key_a, key_b, *others.values()}
    for column, key in {events: key_a, **others}.items():
        got = adjust_counts(pd.to_numeric(out[column]).fillna(0).to_numpy(dtype=float),
                            pd.to_numeric(out[key]).fillna(0).to_numpy(dtype=np.int64), k)
        out[column] = pd.array(np.where(small, np.nan, got), dtype="Float64").round().astype("Int64")
    for column in sums:
        got = adjust_sums(pd.to_numeric(out[column]).fillna(0).to_numpy(dtype=float),
                          pd.to_numeric(out[key_b]).fillna(0).to_numpy(dtype=np.int64), column)
        out[column] = np.where(small, np.nan, got)
    out["suppressed"] = small
    return out.drop(columns=[c for c in key_columns if c in out.columns])
