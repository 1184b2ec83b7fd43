"""The firearm cells for the public: aggregates only, every number adjusted by the cell key method.

The cells are those of `kafo_data.firearms.queries` (by operation, country of seizure, firearm type,
marking, craft, country of manufacture, tracing status, illicit origin; never a make, a calibre, a
place, a date or a seizure id), each with its events' key sums, through `cellkey.protect` as every
public number drawn from records: a cell of 1 to k-1 events has no number ("fewer than k"), the others
are adjusted slightly and consistently (the same cell reads the same on every page and in every file:
firearms by operation here equal the Seizures page's firearms by operation). SDG 16.4.2's numerator
(`established`) and the firearms whose tracing is recorded (`recorded`) are cells of their own, so the
indicator is never shown from a numerator the rule would hide. The public filters have no dates.
"""

from __future__ import annotations

import pandas as pd

from kafo_data import cellkey
from kafo_data.firearms import queries
from kafo_data.query_gate import public_query
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database


@public_query
def cells(db: Database, pf: PublicFilters) -> pd.DataFrame:
    """Every public cell of the selection's firearm lines: `value` and `events` adjusted, missing where hidden."""
    sql, params = queries.cells_sql(db, pf.as_filters(), keys=True)
    true = db.frame(sql, params).rename(columns={"value": "quantity"})
    shown = cellkey.protect(true, sums=("quantity",)).rename(columns={"quantity": "value"})
    shown["value"] = shown["value"].astype("float64")
    shown["suppressed"] = shown["suppressed"].astype(bool)
    return shown
