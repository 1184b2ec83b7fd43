"""`export --table firearms` and `--table reporting` write the pages' downloads byte for byte (issue 30)."""

from __future__ import annotations

import datetime as dt

import pytest

from kafo_data.cli import main
from kafo_data.export import firearms, reporting
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import get_database
from tests.conftest import DATA

WHEN = dt.datetime(2026, 12, 4, 10, 30)


@pytest.mark.parametrize(("table", "view", "fmt", "lang"), [
    ("firearms", "public", "zip", "en"), ("firearms", "managers", "csv-excel-fr", "fr"),
    ("reporting", "managers", "xlsx", "fr"), ("reporting", "public", "csv", "en")])
def test_the_command_writes_the_pages_bytes(tmp_path, monkeypatch, capsys, table, view, fmt, lang):
    monkeypatch.setenv("KAFO_EXPORT_TIME", WHEN.isoformat())
    out = tmp_path / "out"
    args = ["export", "--data-dir", str(DATA), "--table", table, "--view", view, "--format", fmt, "--lang", lang,
            "-o", str(out)]
    if table == "firearms":
        args += ["--operation", "KAFO-III"]
    assert main(args) == 0, capsys.readouterr().err
    db = get_database(DATA)
    if table == "firearms":
        page = firearms.build(db, Filters(operations=("KAFO-III",)), view, fmt, lang, WHEN.date(), WHEN)
    else:
        page = reporting.build(db, view, fmt, lang, WHEN.date(), WHEN)
    assert out.read_bytes() == page


def test_a_public_file_has_no_day_range(tmp_path, capsys):
    code = main(["export", "--data-dir", str(DATA), "--table", "firearms", "--from", "2020-12-01", "-o",
                 str(tmp_path / "x.csv")])
    assert code == 2 and "no day range" in capsys.readouterr().err


def test_a_public_zero_says_none_was_recorded_not_adjusted():
    """KAFO I recorded no tracing: its 0 is exact (nothing to adjust), every other shown number is adjusted."""
    import csv
    import io

    text = firearms.build(get_database(DATA), Filters(), "public", "csv", "en", WHEN.date(), WHEN).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    zeros = [r for r in rows if r["events"] == "0"]
    assert any(r["operation_id"] == "KAFO-I" and r["measure"] == "recorded" for r in zeros)
    assert {r["note"] for r in zeros} == {"none recorded: not adjusted"}
    shown = [r for r in rows if r["events"] not in ("", "0")]
    assert shown and {r["note"] for r in shown} == {"adjusted to protect sources"}
