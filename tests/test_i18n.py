"""Both languages complete, and numbers, dates and money written as each language writes them."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from kafo_data.contract import seizures as contract
from kafo_data.fmt import date, figure, money, number
from kafo_data.i18n import LOCALES_DIR, catalogue, label, t
from tests.conftest import REPO


def test_every_key_exists_in_both_languages():
    en, fr = catalogue("en"), catalogue("fr")
    assert sorted(en.keys() - fr.keys()) == []
    assert sorted(fr.keys() - en.keys()) == []


def test_same_files_in_both_languages():
    names = {lang: sorted(p.name for p in (LOCALES_DIR / lang).glob("*.json")) for lang in ("en", "fr")}
    assert names["en"] == names["fr"]


def test_placeholders_match_between_languages():
    en, fr = catalogue("en"), catalogue("fr")
    for key, text in en.items():
        assert set(re.findall(r"{(\w+)}", text)) == set(re.findall(r"{(\w+)}", fr[key])), key


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_contract_value_and_column_has_a_label(lang):
    cat = catalogue(lang)
    for vocab, values in contract.VOCABULARIES.items():
        for value in values:
            assert f"{vocab}.{value}" in cat, (vocab, value)
    for table, columns in contract.TABLES.items():
        for col in columns:
            assert f"col.{table}.{col.name}" in cat and f"doc.{table}.{col.name}" in cat


def _keys_asked_for_in_code() -> set[str]:
    """Literal keys passed to t(...) anywhere in the app, pages and package."""
    keys = set()
    files = [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "kafo_data").rglob("*.py")]
    for path in files:
        if not path.is_file():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "t"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                keys.add(node.args[0].value)
    return keys


def test_every_key_the_code_asks_for_exists():
    missing = sorted(k for k in _keys_asked_for_in_code() if k not in catalogue("en"))
    assert missing == []


def test_numbers_dates_and_money_by_language():
    assert number(6162, "en") == "6,162"
    assert number(6162, "fr").replace("\u202f", " ") == "6 162"
    assert number(40593.0, "fr").replace("\u202f", " ") == "40 593"
    assert money(3248537, "EUR", "en") == "€3,248,537.00"
    assert money(3248537, "EUR", "fr").replace("\u202f", " ").replace("\xa0", " ") == "3 248 537,00 €"
    assert date(dt.date(2020, 11, 30), "en") == "30 Nov 2020"
    assert date(dt.date(2020, 11, 30), "fr") == "30 nov. 2020"


def test_figure_keeps_its_qualifier_in_each_language():
    assert figure(400, "more_than", label("unit", "pieces", "en"), "en") == "more than 400 pieces"
    assert figure(400, "more_than", label("unit", "pieces", "fr"), "fr") == "plus de 400 pièces"
    assert figure(120, "about", "", "fr") == "environ 120"
    assert figure(None, "words", "", "en") == ""
    assert t("qualifier.at_least", "en", value="3") == "at least 3"


def test_a_missing_key_is_an_error_not_a_silent_fallback():
    with pytest.raises(KeyError):
        t("no.such.key", "fr")
    assert isinstance(Path(LOCALES_DIR), Path)
