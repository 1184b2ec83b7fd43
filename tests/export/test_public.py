"""The public downloads: the page's bytes and the command line's are the same; cells follow the rule."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from kafo_data.cli import main
from kafo_data.export import public as public_export
from kafo_data.seizures import public
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database
from tests.conftest import DATA


def test_the_command_line_writes_the_bytes_of_the_public_button(tmp_path, monkeypatch):
    monkeypatch.setenv("KAFO_EXPORT_TIME", "2026-11-30T10:00:00")
    made = dt.datetime(2026, 11, 30, 10, 0, 0)
    db = Database(DATA)
    pf = PublicFilters(operations=("KAFO-II",), countries=("BFA", "NER"))
    for fmt in public_export.FORMATS:
        out = tmp_path / f"t.{fmt}"
        assert main(["export", "--table", "month", "--operation", "KAFO-II", "--country", "BFA", "--country", "NER",
                     "--format", fmt, "--lang", "fr", "-o", str(out)]) == 0
        assert out.read_bytes() == public_export.build(db, "month", pf, fmt, "fr", made.date(), made), fmt


def test_a_public_csv_holds_the_public_table_and_no_record_column():
    db = Database(DATA)
    pf = PublicFilters(categories=("explosives",))
    text = public_export.build(db, "country", pf, "csv", "en", dt.date(2026, 11, 30)).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text))
    assert list(frame.columns) == ["country_iso3", "category", "unit", "quantity", "events", "note", "is_sample"]
    table = public.breakdowns(db, pf, ("country",))["country"]
    assert len(frame) == len(table)
    assert frame.quantity.isna().sum() == table.suppressed.sum() == (frame.note == "fewer than 3").sum()
    assert frame.quantity.sum() == table.quantity.sum()


def test_a_day_range_is_refused_for_a_public_table(tmp_path, capsys):
    code = main(["export", "--table", "totals", "--from", "2020-12-01", "-o", str(tmp_path / "x.csv")])
    assert code != 0 and "no day range" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
