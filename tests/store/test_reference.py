"""The published figures: exact, qualified, sourced, and the parquet equal to the text."""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from kafo_data.errors import ReferenceError
from kafo_data.seizures import queries
from kafo_data.store.checks import check_built
from kafo_data.store.db import get_database
from kafo_data.store.reference import REFERENCE_TABLES, build_reference, check_reference
from tests.conftest import REPO


def run_cli(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kafo_data", *args], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8")


def test_built_parquet_equals_reference_text_cell_by_cell(repo_data):
    for table in REFERENCE_TABLES:
        with (repo_data / "reference" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            text_rows = list(csv.DictReader(f))
        built = pq.read_table(repo_data / "built" / f"{table}.parquet").to_pylist()
        assert len(built) == len(text_rows), table
        for text, parquet in zip(text_rows, built, strict=False):
            for key, raw in text.items():
                value = parquet[key]
                if raw == "":
                    assert value is None, (table, key)
                elif isinstance(value, float):
                    assert value == float(raw), (table, key)
                else:
                    assert str(value).lower() == raw.lower(), (table, key)
    assert check_built(repo_data) == []


def test_changed_text_is_detected_until_rebuilt(data_copy):
    path = data_copy / "reference" / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("6162,exact", "6163,exact"), encoding="utf-8")
    assert any("figures.parquet" in p for p in check_built(data_copy))
    build_reference(data_copy)
    assert check_built(data_copy) == []


def test_every_reference_row_cites_a_known_source(repo_data):
    assert check_reference(repo_data) == []


@pytest.mark.parametrize("bad, message", [
    ("k4-firearms,KAFO-IV,firearms,36,words", "in words"),
    ("k4-firearms,KAFO-IV,firearms,,roughly", "unknown qualifier"),
])
def test_reference_rules_refuse_bad_figures(data_copy, bad, message):
    path = data_copy / "reference" / "figures.csv"
    text = path.read_text(encoding="utf-8").replace("k4-firearms,KAFO-IV,firearms,,words", bad)
    path.write_text(text, encoding="utf-8")
    assert any(message in p for p in check_reference(data_copy))
    with pytest.raises(ReferenceError):
        build_reference(data_copy)


def test_unknown_source_is_refused(data_copy):
    path = data_copy / "reference" / "figures.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",unodc-2025-01-kafo5,", ",nowhere,", 1),
                    encoding="utf-8")
    assert any("unknown source_id 'nowhere'" in p for p in check_reference(data_copy))


def test_cli_figures_kafo_ii_json_lists_the_published_numbers_with_sources():
    result = run_cli("figures", "--operation", "KAFO-II", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    shown = {(f["indicator"], f["value"], f["qualifier"], f["unit"]): f for f in figures if f["shown"]}
    assert ("firearms", 50, "exact", "pieces") in shown
    assert ("ammunition", 6162, "exact", "rounds") in shown
    assert ("dynamite", 40593, "exact", "sticks") in shown
    assert ("detonator_cords", 28, "exact", "cords") in shown
    assert ("officers", 260, "exact", "officers") in shown
    for f in figures:
        assert f["source_title"] and f["source_id"]
    assert shown[("officers", 260, "exact", "officers")]["source_url"].startswith("https://www.africanews.com/")
    footnotes = {(f["indicator"], f["value"], f["qualifier"]) for f in figures if not f["shown"]}
    assert footnotes == {("officers", 260, "more_than"), ("firearms", 50, "more_than"), ("arrests", None, "words")}


def test_qualifiers_units_and_words_survive(repo_data):
    frame = queries.figures(get_database(repo_data))
    by_id = {r["figure_id"]: r for r in frame.to_dict("records")}
    assert (by_id["k5-firearms"]["value"], by_id["k5-firearms"]["qualifier"]) == (400, "more_than")
    assert math.isnan(by_id["k4-firearms"]["value"])
    assert by_id["k4-firearms"]["text"] == "dozens of firearms"
    # the page's own French words ("plusieurs milliers de munitions"), with an English translation
    assert (by_id["k3-ammunition"]["text"], by_id["k3-ammunition"]["quote_lang"]) == (
        "plusieurs milliers de munitions", "fr")
    assert by_id["k3-ammunition"]["translation"] == "several thousand rounds of ammunition"
    assert (by_id["k5-detonating-cord"]["unit"], by_id["k2-detonator-cords"]["unit"]) == ("m", "cords")
    assert (by_id["t8-arrests"]["qualifier"], by_id["t8-arrests"]["value"]) == ("some", 120)


def test_cote_d_ivoire_survives_text_to_parquet_to_query(repo_data):
    names = queries.countries(get_database(repo_data)).set_index("iso3")
    assert names.loc["CIV", "name_en"] == "Côte d'Ivoire"
    assert names.loc["CIV", "name_fr"] == "Côte d'Ivoire"
    assert names.loc["TCD", "name_fr"] == "Tchad"


def test_cli_unknown_operation_is_one_line_and_exit_2():
    result = run_cli("figures", "--operation", "KAFO-IX")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: unknown operation 'KAFO-IX'"


def test_cli_build_on_missing_reference_is_a_clear_error(tmp_path):
    shutil.copytree(REPO / "data" / "reference", tmp_path / "reference")
    (tmp_path / "reference" / "sources.csv").unlink()
    result = run_cli("build", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "sources.csv" in result.stderr
