"""The events behind each published figure (the public reconciliation's small-count rule) against pandas.

`public._figure_events` reads them from `rollup_itemsets` (or its plain SQL without rollups); here they are
counted again with pyarrow and pandas on the shipped data (sample events) plus a batch of real events made
for the awkward cases: one event with lines of two item types that one figure names (counted once), an
event whose lines are of a figure's category and of another category the same figure names, the same item
type twice in one event, the right item in another unit (not counted), and events without item lines.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from kafo_data.sample.seizures import synthetic, write_batch
from kafo_data.seizures import public
from kafo_data.store.db import Database
from tests.conftest import DATA, read_records

# (operation, lines as (category, item type, unit, quantity)); every event is real (not sample)
EVENTS = [
    ("KAFO-V", [("firearms", "rifle", "pieces", 2), ("firearms", "assault_rifle", "pieces", 1)]),
    ("KAFO-V", [("firearms", "pistol", "pieces", 1), ("parts_components", "barrel", "pieces", 3)]),
    ("KAFO-V", [("parts_components", "magazine", "pieces", 5)]),
    ("KAFO-II", [("explosives", "dynamite", "sticks", 4), ("explosives", "dynamite", "sticks", 6)]),
    ("KAFO-II", [("explosives", "dynamite", "kg", 2.5)]),
    ("KAFO-II", [("firearms", "rifle", "pieces", 1), ("ammunition", "cartridge", "rounds", 40)]),
    ("KAFO-III", []),
    ("KAFO-V", []),
]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("figure-events") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("tmp", "rejected"))
    seizures, items = synthetic(root, 40, 3)
    s = seizures.to_pandas().iloc[:len(EVENTS)].copy()
    s["seizure_id"] = [f"FE-{k}" for k in range(len(EVENTS))]
    s["operation_id"] = [op for op, _ in EVENTS]
    s["is_sample"] = False
    s["source"] = "report"
    template = items.to_pandas().iloc[0]
    rows = []
    for k, (_, lines) in enumerate(EVENTS):
        for n, (category, item_type, unit, quantity) in enumerate(lines, start=1):
            row = template.copy()
            row["seizure_id"], row["line_no"] = f"FE-{k}", n
            row["category"], row["item_type"], row["unit"], row["quantity"] = category, item_type, unit, quantity
            if category != "firearms":
                for column in ("craft_made", "marking_status", "tracing_status", "illicit_origin",
                               "country_of_manufacture", "calibre", "make"):
                    row[column] = None
            rows.append(row)
    i = pd.DataFrame(rows)
    write_batch(root, "figure-events", pa.Table.from_pandas(s, schema=seizures.schema, preserve_index=False),
                pa.Table.from_pandas(i, schema=items.schema, preserve_index=False), {"kind": "report"})
    return root


def expected(root: Path, include_sample: bool) -> dict[str, int]:
    """Each shown figure's events, as `queries.reconciliation` matches its lines, counted by pandas."""
    seizures, records = read_records(root)
    if not include_sample:
        seizures, records = seizures[~seizures.is_sample], records[~records.is_sample]
    figures = pd.read_parquet(root / "built" / "figures.parquet")
    out = {}
    for f in figures[figures.shown & figures.value.notna()].itertuples():
        if f.indicator == "arrests":
            out[f.figure_id] = int((seizures.operation_id == f.operation_id).sum())
            continue
        lines = records[(records.operation_id == f.operation_id) & (records.unit == f.unit)]
        if isinstance(f.counts, str):
            names = set(f.counts.split(" "))
            lines = lines[lines.category.isin(names) | (lines.category + "/" + lines.item_type).isin(names)]
        else:
            lines = lines[lines.category == f.category]
            if isinstance(f.item_type, str):
                lines = lines[lines.item_type == f.item_type]
        out[f.figure_id] = int(lines.seizure_id.nunique())
    return out


def test_the_awkward_events_are_there(root):
    _, records = read_records(root)
    mine = records[records.seizure_id.str.startswith("FE-")]
    two_types = mine[(mine.operation_id == "KAFO-V") & mine.item_type.isin(["rifle", "assault_rifle"])]
    assert two_types.groupby("seizure_id").item_type.nunique().max() == 2
    assert records.is_sample.any() and (~records.is_sample).any()


@pytest.mark.parametrize("rollups", [True, False])
@pytest.mark.parametrize("include_sample", [True, False])
def test_each_figure_counts_its_events_once(root, rollups, include_sample):
    db = Database(root, rollups=rollups)
    try:
        want = expected(root, include_sample)
        assert public._figure_events(db, include_sample) == want
    finally:
        db.close()
    if not include_sample:  # the made events alone: one per event, whatever its lines
        assert want["k5-rifles-parts"] == 3 and want["k5-firearms"] == 3 and want["k2-dynamite"] == 1
        assert want["k5-arrests"] == 4 and want["k2-firearms-interpol"] == 1


@pytest.mark.parametrize("k", [2, 4])
def test_the_public_comparison_hides_exactly_the_small_counts(root, k, monkeypatch):
    monkeypatch.setenv("KAFO_SMALL_CELL_EVENTS", str(k))
    db = Database(root)
    try:
        rec = public.reconciliation(db, include_sample=False).set_index("figure_id")
    finally:
        db.close()
    want = expected(root, include_sample=False)
    assert rec.suppressed.to_dict() == {fid: 0 < want[fid] < k for fid in rec.index}
    assert rec.suppressed.any() and not rec.suppressed.all()
