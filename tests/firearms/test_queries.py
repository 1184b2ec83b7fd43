"""SDG 16.4.2 and every firearm breakdown against pandas over the stored files (issue 30).

The independent side reads the parquet files with pyarrow and counts with pandas (`read_records`), no
DuckDB. Two data sets: the shipped sample, and 10,000 generated lines edited into edge cases: an
operation with no firearm (TRIGGER-VIII), one whose firearms have no tracing recorded (KAFO-I), one whose
firearms all had their origin established (KAFO-II), firearms with and without marks, and a country
with 2 seizure events (KAFO-V, Ghana) for the public rule.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kafo_data.config import built_dir, reference_dir
from kafo_data.firearms import public, queries, views
from kafo_data.sample.seizures import replace_batch, synthetic
from kafo_data.seizures import public as seizure_public
from kafo_data.seizures.filters import Filters
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.batches import record_table
from kafo_data.store.db import Database
from tests.conftest import DATA, read_records, select_records

pytestmark = pytest.mark.xdist_group("firearms-edge")  # one worker builds the 10,000-line edge data

BY = {part: by for part, (_, by) in queries.PARTS.items()}


def expected(records: pd.DataFrame, f: Filters) -> pd.DataFrame:
    """Every cell of `queries.cells`, counted with pandas: part, keys, measure, value, events."""
    lines = select_records(records, f.without("category"))
    lines = lines[lines.category == "firearms"].copy()
    lines["craft_made"] = lines.craft_made.map({True: "true", False: "false"})
    masks = {"firearms": lines.quantity.notna(), "recorded": lines.tracing_status.notna(),
             "established": lines.tracing_status == "origin_established"}
    out = []
    for part, by in BY.items():
        for measure in queries.MEASURES if part in queries.INDICATOR_PARTS else ("firearms",):
            if not by:
                chosen = lines[masks[measure]]
                out.append({"part": part, "measure": measure, "value": float(chosen.quantity.sum()),
                            "events": chosen.seizure_id.nunique()})
                continue
            groups = lines.groupby(list(by), dropna=False)
            for key, group in groups:
                key = key if isinstance(key, tuple) else (key,)
                chosen = group[masks[measure].loc[group.index]]
                out.append({"part": part, "measure": measure, **dict(zip(by, key, strict=True)),
                            "value": float(chosen.quantity.sum()), "events": chosen.seizure_id.nunique()})
    return _canonical(pd.DataFrame(out))


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=["part", *queries.KEY_COLUMNS, "measure", "value", "events"])
    for c in ("part", *queries.KEY_COLUMNS, "measure"):
        frame[c] = frame[c].map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                                else str(v))
    frame["value"] = frame["value"].astype(float)
    frame["events"] = frame["events"].astype(int)
    keys = ["part", *queries.KEY_COLUMNS, "measure"]
    return frame.sort_values(keys, na_position="first", kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def edge_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10,000 generated item lines, edited into the edge cases of the module's doc."""
    root = tmp_path_factory.mktemp("firearms") / "data"
    for folder in (reference_dir(DATA), built_dir(DATA)):
        shutil.copytree(folder, root / folder.name)
    seizures, items = synthetic(root, 10_000, seed=30)
    s, i = seizures.to_pandas(), items.to_pandas()
    op = i.seizure_id.map(dict(zip(s.seizure_id, s.operation_id, strict=True)))
    firearm = i.category == "firearms"
    # TRIGGER-VIII: no firearm (its firearm lines become ammunition)
    gone = firearm & (op == "TRIGGER-VIII")
    i.loc[gone, ["category", "item_type", "unit"]] = ["ammunition", "cartridge", "rounds"]
    i.loc[gone, ["craft_made", "country_of_manufacture", "marking_status", "tracing_status", "illicit_origin"]] = None
    firearm = i.category == "firearms"
    i.loc[firearm & (op == "KAFO-I"), ["tracing_status", "illicit_origin"]] = None  # nothing recorded
    all_traced = firearm & (op == "KAFO-II")
    i.loc[all_traced, "tracing_status"] = "origin_established"
    i.loc[all_traced & i.illicit_origin.isna(), "illicit_origin"] = "other"
    # KAFO-V in Ghana: only 2 seizure events
    ghana = s[(s.operation_id == "KAFO-V") & (s.country_iso3 == "GHA")].seizure_id
    kept = set(i[i.seizure_id.isin(ghana) & (i.category == "firearms")].seizure_id.unique()[:2])
    dropped = set(ghana) - kept
    s, i = s[~s.seizure_id.isin(dropped)], i[~i.seizure_id.isin(dropped)]
    tables = [record_table(name, frame.astype(object).where(frame.notna(), None).to_dict("records"))
              for name, frame in (("seizures", s), ("seized_items", i))]
    replace_batch(root, "sample", *tables, {"batch_id": "sample", "kind": "synthetic", "is_sample": True})
    return root


@pytest.mark.parametrize("rollups", [True, False])
def test_cells_equal_pandas_on_the_sample(rollups):
    _, records = read_records(DATA)
    db = Database(DATA, rollups=rollups)
    for f in (Filters(), Filters(operations=("KAFO-III",), countries=("NER", "MLI")), Filters(include_sample=False),
              Filters(categories=("ammunition", "firearms"))):
        got = _canonical(queries.cells(db, f))
        pd.testing.assert_frame_equal(got, expected(records, f), check_dtype=False)
    assert queries.cells(db, Filters(categories=("ammunition",))).value.sum() == 0  # firearms left out
    db.close()


def test_cells_and_indicator_on_the_edge_cases(edge_data):
    _, records = read_records(edge_data)
    fast, plain = Database(edge_data), Database(edge_data, rollups=False)
    for f in (Filters(), Filters(operations=("KAFO-V",)), Filters(countries=("GHA",))):
        want = expected(records, f)
        pd.testing.assert_frame_equal(_canonical(queries.cells(fast, f)), want, check_dtype=False)
        pd.testing.assert_frame_equal(_canonical(queries.cells(plain, f)), want, check_dtype=False)
    cells = queries.cells(fast, Filters())
    ops = views.indicator_rows(cells, "operation", lambda v: v, "en")
    assert "TRIGGER-VIII" not in set(ops.key), "no firearm: no row"
    kafo1 = ops[ops.key == "KAFO-I"].iloc[0]
    assert np.isnan(kafo1.share) and kafo1.text == "tracing not recorded" and kafo1.firearms > 0
    assert ops[ops.key == "KAFO-II"].iloc[0].text == "100.0 %"
    assert views.sentences(views.indicator(queries.cells(fast, Filters(operations=("KAFO-I",)))), "en")[0].startswith(
        "Tracing not recorded for any of these")
    firearms = records[(records.category == "firearms") & (records.operation_id == "KAFO-III")]
    share = firearms[firearms.tracing_status == "origin_established"].quantity.sum() / firearms.quantity.sum()
    assert ops[ops.key == "KAFO-III"].iloc[0].text == f"{100 * share:.1f} %"
    marks = views.breakdown(cells, "marking", {}, "en")
    assert {"Marked", "Marking erased", "Unmarked"} <= set(marks.series)
    fast.close()
    plain.close()


def test_public_cells_are_adjusted_within_bounds_and_hide_small_cells(edge_data):
    db = Database(edge_data)
    pf = PublicFilters(operations=("KAFO-V",))
    exact = queries.cells(db, pf.as_filters())
    shown = public.cells(db, pf)
    assert len(shown) == len(exact) and (shown.part == exact.part).all()
    ghana = shown[(shown.part == "country") & (shown.country_iso3 == "GHA")]
    assert ghana.suppressed.all() and ghana.value.isna().all(), "2 events: fewer than 3"
    assert exact[(exact.part == "country") & (exact.country_iso3 == "GHA") & (exact.measure == "firearms")
                 ].events.iloc[0] == 2
    visible = ~shown.suppressed & (exact.events > 0)
    step = np.maximum(1, np.floor(0.025 * exact.value + 0.5))
    assert (abs(shown.value - exact.value)[visible] <= 2 * step[visible]).all()
    assert (abs(shown.events.astype(float) - exact.events.astype(float))[visible] <= 2).all()
    assert (shown.value[visible] != exact.value[visible]).any(), "adjusted, not exact"
    rows = views.indicator_rows(shown, "country", lambda v: v, "en", public=True)
    assert rows.share.dropna().between(0, 100).all()
    assert rows[rows.key == "GHA"].iloc[0].text == "fewer than 3"
    assert rows.text[rows.share.notna()].str.endswith("(adjusted)").all()
    # the same cell reads the same as on the Seizures page: firearms (pieces) by operation
    seizures = seizure_public.breakdowns(db, PublicFilters())["operation"]
    pieces = seizures[(seizures.category == "firearms") & (seizures.unit == "pieces")].set_index("operation_id")
    mine = public.cells(db, PublicFilters())
    mine = mine[(mine.part == "operation") & (mine.measure == "firearms")].set_index("operation_id")
    assert dict(mine.value) == dict(pieces.quantity.astype(float))
    db.close()
