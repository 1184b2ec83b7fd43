"""The cell key rule computed with pandas, from its description in docs/public-numbers.md.

The one thing shared with the product is the record key itself (DuckDB's `hash` of the seizure id
and `cellkey.salt()`): everything after it (which events make a cell, their key sums, the lookup
tables, the reflection at k, the sum steps) is written here again, independently.
"""

from __future__ import annotations

import math

import duckdb
import pandas as pd

from kafo_data import cellkey

COUNT = ((-2, 45), (-1, 51), (0, 64), (1, 51), (2, 45))
SUMS = ((-2, 38), (-1, 64), (0, 52), (1, 64), (2, 38))
DRAW = {"quantity": 0, "arrests": 1, "lines": 2}


def keys(ids: pd.Series) -> pd.DataFrame:
    """seizure_id, key_a, key_b of each distinct id."""
    frame = pd.DataFrame({"seizure_id": pd.Series(ids).drop_duplicates().astype(str)})
    con = duckdb.connect()
    con.register("ids", frame)
    got = con.execute("SELECT seizure_id, hash(seizure_id || ?) AS h FROM ids", [cellkey.salt()]).df()
    h = got.h.astype("uint64")
    return pd.DataFrame({"seizure_id": got.seizure_id, "key_a": (h % 256).astype(int),
                         "key_b": ((h // 256) % 256).astype(int)})


def _look(ck: int, table) -> int:
    upto = 0
    for value, share in table:
        upto += share
        if ck % 256 < upto:
            return value
    raise AssertionError


def count(n: int, key_sum: int, k: int) -> int | None:
    if n == 0:
        return 0
    if n < k:
        return None
    d = _look(key_sum, COUNT)
    return n + abs(d) if n + d < k else n + d


def total(q: float, key_sum: int, column: str) -> float:
    if q == 0:
        return q
    j = _look(((key_sum % 256) * 167 + 61 * DRAW[column]) % 256, SUMS)
    step = max(1, math.floor(0.025 * abs(q) + 0.5))
    return q + abs(j) * step if q + j * step <= 0 else q + j * step


def cells(lines: pd.DataFrame, by: list[str], k: int) -> pd.DataFrame:
    """Public cells of item lines grouped `by`: true and adjusted events, quantity and lines."""
    lines = lines.merge(keys(lines.seizure_id), on="seizure_id")
    true = lines.groupby(by, dropna=False).agg(quantity=("quantity", "sum"), lines=("line_no", "size"),
                                               events=("seizure_id", "nunique")).reset_index()
    sums = (lines.drop_duplicates([*by, "seizure_id"]).groupby(by, dropna=False)[["key_a", "key_b"]].sum()
            .reset_index())
    out = true.merge(sums, on=by)
    out["suppressed"] = (out.events > 0) & (out.events < k)
    out["shown_events"] = [count(n, a, k) for n, a in zip(out.events, out.key_a, strict=True)]
    for column in ("quantity", "lines"):
        out[f"shown_{column}"] = [None if h else total(q, b, column)
                                  for q, b, h in zip(out[column], out.key_b, out.suppressed, strict=True)]
    return out


def events(seizures: pd.DataFrame, by: list[str], k: int) -> pd.DataFrame:
    """Public cells of events grouped `by`: true and adjusted events and arrests."""
    seizures = seizures.merge(keys(seizures.seizure_id), on="seizure_id")
    out = seizures.groupby(by).agg(events=("seizure_id", "size"), arrests=("arrests", "sum"), key_a=("key_a", "sum"),
                                   key_b=("key_b", "sum")).reset_index()
    out["suppressed"] = (out.events > 0) & (out.events < k)
    out["shown_events"] = [count(n, a, k) for n, a in zip(out.events, out.key_a, strict=True)]
    out["shown_arrests"] = [None if h else total(q, b, "arrests")
                            for q, b, h in zip(out.arrests, out.key_b, out.suppressed, strict=True)]
    return out
