"""The Firearms and Reporting status pages through AppTest (issue 30), with the public-view tests' search.

The data is the public-view tests' (the sample plus one national report, loaded by a manager): the public
Firearms page (every chart and its table open) and its downloads must hold no make, calibre, seizure id,
place, batch id or file name; the managers' page says SDG 16.4.2 as an independent count of the stored
records gives it; the public Reporting status says how many countries reported, never which.
"""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from kafo_data.export import firearms as firearm_export
from kafo_data.export import formats
from kafo_data.export import reporting as reporting_export
from kafo_data.firearms.views import VIEWS
from kafo_data.i18n import LANGS
from kafo_data.seizures.filters import Filters
from kafo_data.store.db import get_database
from tests.conftest import open_app, read_records
from tests.pages.test_access import AUTH, MANAGER, loaded_data, readable, secrets_of, setting, tree_text

pytestmark = pytest.mark.xdist_group("firearms-page")  # one worker builds the module's loaded data copy, not three

__all__ = ["loaded_data", "setting"]  # the public-view tests' fixtures, used here by name


def open_page(page: str, view: str = "operation", lang: str = "en", manager: bool = False) -> AppTest:
    def signed_in(at: AppTest) -> None:
        if manager:
            at.secrets = AUTH
            at.user = {"is_logged_in": True, "email": MANAGER, "sub": "x", "email_verified": True}

    return open_app(page, {"lang": lang}, session={"fa_view": view, "twin_chart": True}, before=signed_in,
                    remote=True)


def leaks(text: str, secrets: dict[str, re.Pattern]) -> list[str]:
    """`test_access.leaks`, one pattern per kind (a pattern per value took 40 s here)."""
    return sorted(f"{kind}: {hit}" for kind, pattern in secrets.items() for hit in set(pattern.findall(text)))


def firearm_secrets(root) -> dict[str, re.Pattern]:
    """The public-view tests' secrets, and every make and calibre of the stored firearm lines."""
    found = secrets_of(root)
    _, records = read_records(root)
    found["make"] = {m for m in records.make.dropna() if len(m) > 3}
    found["calibre"] = {c for c in records.calibre.dropna() if re.search(r"\d[.,x]\d|mm|R$", c)}
    assert found["make"] and found["calibre"]
    return {kind: re.compile(rf"(?<![\w.])({'|'.join(re.escape(v) for v in sorted(values, key=len, reverse=True))})"
                             rf"(?![\w])") for kind, values in found.items() if values}


def test_the_public_firearms_page_and_files_show_no_weapon_or_seizure(loaded_data):
    secrets = firearm_secrets(loaded_data)
    assert leaks("a Beretta, in 7.62x39 mm", secrets) == ["calibre: 7.62x39 mm", "make: Beretta"]  # the search works
    for view in VIEWS:
        at = open_page("pages/firearms.py", view)
        text = tree_text(at)
        assert leaks(text, secrets) == [], view
        assert at.table, f"the table twin of {view} is drawn"
    at = open_page("pages/firearms.py", "tracing", "fr")
    assert leaks(tree_text(at), secrets) == []
    assert "Origine établie pour" in tree_text(at)
    db = get_database(loaded_data)
    for fmt, lang in zip(formats.FORMATS, (*LANGS, *LANGS), strict=True):  # each format, each language
        for f in (Filters(), Filters(operations=("KAFO-II",), countries=("BFA",))):
            data = firearm_export.build(db, f, "public", fmt, lang, dt.date(2026, 12, 4))
            assert leaks(readable(data, fmt), secrets) == [], (fmt, lang, f)
        data = reporting_export.build(db, "public", fmt, lang, dt.date(2026, 12, 4))
        assert leaks(readable(data, fmt), secrets) == [] and "Burkina" not in readable(data, fmt)


def test_the_managers_firearms_page_says_the_indicator_of_the_records(loaded_data):
    _, records = read_records(loaded_data)
    kafo2 = records[(records.category == "firearms") & (records.operation_id == "KAFO-II")]
    seized = int(kafo2.quantity.sum())
    established = int(kafo2[kafo2.tracing_status == "origin_established"].quantity.sum())
    recorded = int(kafo2[kafo2.tracing_status.notna()].quantity.sum())
    at = open_app("pages/firearms.py", {"operation": "KAFO-II"})  # local mode: the starter is a manager
    text = "\n".join(m.value for m in at.markdown)
    share = f"{100 * established / seized:.1f} %"
    assert f"Origin established for {established} of {seized} firearms seized: {share}." in text, text
    assert f"Tracing recorded for {recorded} of {seized} firearms." in text
    assert "not the figure States report to UNODC" in text and "Metadata-16-04-02" in text


def test_reporting_status_grid_for_managers_and_one_line_per_operation_for_the_public(loaded_data):
    at = open_app("pages/reporting.py")
    matrix = at.dataframe[0].value  # operations x participating countries, one short text a cell
    _, records = read_records(loaded_data)
    loaded = records[~records.is_sample.astype(bool)].groupby(["operation_id", "country_iso3"]).size()
    with (loaded_data / "reference" / "operation_countries.csv").open(encoding="utf-8") as handle:
        taking_part = {(r["operation_id"], r["country_iso3"]) for r in csv.DictReader(handle)}
    with (loaded_data / "reference" / "operations.csv").open(encoding="utf-8") as handle:
        op_ids = {r["name"]: r["operation_id"] for r in csv.DictReader(handle)}
    assert set(matrix.columns) == {c for _, c in taking_part} and len(matrix) == len({o for o, _ in taking_part})
    for op_name, row in matrix.iterrows():
        for country, text in row.items():
            key = (op_ids[op_name], country)
            want = (f"{loaded[key]:,}" if key in loaded.index else "—") if key in taking_part else ""
            assert text == want, (op_name, country, text, want)
    assert (matrix == "—").sum().sum() == len(taking_part) - 1, "one report loaded (KAFO II, Burkina Faso)"
    assert "BFA Burkina Faso · CAF Central African Republic" in " ".join(c.value for c in at.caption)
    grid = at.dataframe[1].value
    row = grid[(grid["Operation"] == "KAFO II") & (grid["Country"] == "Burkina Faso")].iloc[0]
    assert (row["Status"], row["Reports loaded"], row["Loaded by"]) == ("Reported", "1", MANAGER)
    assert (grid["Status"] == "⚠ No report").sum() == len(grid) - 1
    public = open_page("pages/reporting.py")
    text = "\n".join(m.value for m in public.markdown)
    assert "KAFO II: records from 1 of 4 participating countries. The records of this edition shown on the other " \
        "pages include generated sample data" in text.replace("\\", "")
    assert "Burkina" not in text and not public.dataframe


def test_the_managers_seizures_page_names_the_editions_and_countries_with_no_report(loaded_data):
    at = open_app("pages/seizures.py", {"operation": "KAFO-III", "sample": "0"})
    text = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "No report loaded yet for: KAFO III (Burkina Faso, Côte d'Ivoire, Guinea, Mali, Niger, Senegal, Chad)." \
        in text, text
