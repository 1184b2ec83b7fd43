"""The money tests' independent computation: parquet read with pyarrow and pandas, Decimal amounts, no DuckDB."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from kafo_data.config import money_dir
from kafo_data.ingest.money import write_money_batch

TOTAL = Decimal("3248537.00")
TOTAL_CENTS = 324_853_700
NNBSP = "\u202f"


# --- independent computation ---------------------------------------------------------------

def read_money(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Budget lines and transactions as stored (sample, or the real batches once any exist)."""
    frames = {}
    for table in ("budgets", "transactions"):
        batches = sorted((money_dir(root) / "batches").glob(f"*/{table}.parquet"))
        files = batches or [money_dir(root) / f"{table}.parquet"]
        frames[table] = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
    return frames["budgets"], frames["transactions"]


def current_budget(budgets: pd.DataFrame) -> pd.DataFrame:
    """IATI: a revised line replaces the original lines of the same donor and output it overlaps."""
    revised = budgets[budgets.budget_type == "revised"]
    keep = []
    for row in budgets.itertuples():
        if row.budget_type == "revised":
            keep.append(True)
            continue
        same = revised[(revised.donor_id == row.donor_id) & (revised.output == row.output)
                       & (revised.period_start <= row.period_end) & (revised.period_end >= row.period_start)]
        keep.append(same.empty)
    return budgets[keep]


def cents(values: pd.Series) -> int:
    return int(sum(Decimal(v) for v in values) * 100)


def usd_copy(data_copy: Path) -> Path:
    """A data copy whose budget lines are the sample's plus one line in US dollars (a real batch)."""
    budgets = pq.read_table(money_dir(data_copy) / "budgets.parquet").to_pylist()
    extra = dict(budgets[0], budget_id="USD-1", currency="USD", value=Decimal("1227.10"), is_sample=False,
                 source="test", budget_type="original", output=1, period_start=dt.date(2025, 1, 1),
                 period_end=dt.date(2025, 12, 31))
    write_money_batch(data_copy, "budgets-usd", "budgets", [*budgets, extra], {"batch_id": "budgets-usd"})
    return data_copy


