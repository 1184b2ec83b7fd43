"""The sample: deterministic, labelled, and adding up to the published numbers."""

from __future__ import annotations

import csv

import pyarrow as pa
import pytest

from kafo_data.ingest.validate import validate
from kafo_data.sample.seizures import generate_sample, synthetic, write_batch
from tests.conftest import read_records


def published(repo_data):
    with (repo_data / "reference" / "figures.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["shown"] == "true" and r["category"] and r["value"]]


def test_sample_totals_reconcile_with_published_figures(repo_data):
    _, records = read_records(repo_data)
    checked = 0
    for fig in published(repo_data):
        rows = records[(records.operation_id == fig["operation_id"]) & (records.category == fig["category"])
                       & (records.unit == fig["unit"])]
        if fig["item_type"]:
            rows = rows[rows.item_type == fig["item_type"]]
        if fig["operation_id"] == "TRIGGER-VIII":
            assert rows.empty
            continue
        total, value = rows.quantity.sum(), float(fig["value"])
        if fig["qualifier"] == "exact":
            assert total == value, fig["figure_id"]
        else:
            assert fig["qualifier"] == "more_than"
            assert value < total <= value * 1.06 + 2, fig["figure_id"]
        checked += 1
    assert checked >= 19


def test_kafo_ii_sample_equals_the_four_published_items(repo_data):
    _, records = read_records(repo_data)
    k2 = records[records.operation_id == "KAFO-II"]
    assert k2[k2.category == "firearms"].quantity.sum() == 50
    assert k2[k2.unit == "rounds"].quantity.sum() == 6162
    assert k2[k2.item_type == "dynamite"].quantity.sum() == 40593
    assert k2[k2.item_type == "detonator_cord"].quantity.sum() == 28
    assert set(k2.country_iso3) == {"BFA", "CIV", "MLI", "NER"}


def test_published_arrests_are_spread_over_events_exactly(repo_data):
    seizures, _ = read_records(repo_data)
    assert seizures[seizures.operation_id == "KAFO-V"].arrests.sum() == 75


def test_every_sample_row_says_it_is_sample(repo_data):
    seizures, records = read_records(repo_data)
    assert seizures.is_sample.all() and (seizures.source == "sample").all()
    assert records.is_sample.all()
    assert len(seizures) >= 200


def test_sample_events_fall_in_their_operation_window_and_countries(repo_data):
    seizures, _ = read_records(repo_data)
    with (repo_data / "reference" / "operations.csv").open(encoding="utf-8") as f:
        ops = {r["operation_id"]: r for r in csv.DictReader(f)}
    with (repo_data / "reference" / "operation_countries.csv").open(encoding="utf-8") as f:
        countries = {(r["operation_id"], r["country_iso3"]) for r in csv.DictReader(f)}
    for row in seizures.itertuples():
        op = ops[row.operation_id]
        assert op["start_date"] <= row.seizure_date.isoformat() <= op["end_date"]
        assert (row.operation_id, row.country_iso3) in countries


def test_generator_is_deterministic(repo_data):
    a = generate_sample(repo_data, seed=7)
    b = generate_sample(repo_data, seed=7)
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert not generate_sample(repo_data, seed=8)[1].equals(a[1])


@pytest.mark.parametrize("rows", [1, 1000, 4321])
def test_synthetic_sets_have_the_asked_rows_and_pass_validation(data_copy, rows):
    seizures, items = synthetic(data_copy, rows, seed=3)
    assert items.num_rows == rows
    write_batch(data_copy, "synthetic", seizures, items, {"kind": "synthetic"})
    assert validate(data_copy) == []


def test_validate_reports_file_and_row_of_a_bad_unit(data_copy):
    seizures, items = synthetic(data_copy, 10, seed=3)
    units = items.column("unit").to_pylist()
    units[4] = "kg" if items.column("item_type")[4].as_py() != "dynamite" else "rounds"
    items = items.set_column(items.schema.get_field_index("unit"), "unit", pa.array(units))
    write_batch(data_copy, "bad", seizures, items, {"kind": "test"})
    problems = validate(data_copy)
    assert any("bad/seized_items.parquet row 5: unit not allowed" in p for p in problems)
