"""The pages against the reference files (issue 27): quotations in their language with a labelled translation,
captions naming the sources of what they draw, the officers' source, the budget total's link.

Expectations are read from data/reference with the csv module and composed here, not by the views.
"""

from __future__ import annotations

import csv
import functools
import json

import pytest

from tests.conftest import REPO, as_shown
from tests.pages.test_pages import open_page, texts

LANG_NAME = {"en": {"fr": "in French"}, "fr": {"en": "en anglais"}}
MARKS = {"en": ("“", "”"), "fr": ("« ", " »")}
TRANSLATION = {"en": "Our translation, not the source's words: ",
               "fr": "Notre traduction, pas les mots de la source : "}


def _rows(table: str) -> list[dict[str, str]]:
    with (REPO / "data" / "reference" / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@functools.cache
def _edition(lang: str, operation: str) -> str:
    """The Overview with one edition's cards, as shown (one run per language and edition in a test process)."""
    at = open_page("pages/overview.py", lang=lang)
    at.button_group(key="ov_operation").set_value(operation).run()
    return as_shown(texts(at))


@pytest.mark.parametrize("lang, operation", [("en", "KAFO-III"), ("fr", "KAFO-III"), ("fr", "TRIGGER-VIII"),
                                             ("en", "TRIGGER-VIII")])
def test_each_card_quotes_the_source_in_its_language_and_labels_our_translation(clear_caches, lang, operation):
    body = _edition(lang, operation)
    opening, closing = MARKS[lang]
    shown = [f for f in _rows("figures") if f["operation_id"] == operation and f["shown"] == "true"]
    assert shown
    for fig in shown:
        quote = f"{opening}{fig['text']}{closing}"
        if fig["quote_lang"] == lang:  # the reader's language: the words alone, no translation of them
            assert quote in body and TRANSLATION[lang] + fig["translation"] not in body, fig["figure_id"]
        else:
            language = LANG_NAME[lang][fig["quote_lang"]]
            assert f"{quote} ({language}" in body, fig["figure_id"]
            assert TRANSLATION[lang] + fig["translation"] in body, fig["figure_id"]


def test_french_readers_see_kafo_iii_as_published_and_english_readers_see_it_translated(clear_caches):
    fr, en = _edition("fr", "KAFO-III"), _edition("en", "KAFO-III")
    assert "« 850 agents de différents organismes" in fr and "850 officers" not in fr
    assert "“850 agents de différents organismes" in en and "850 officers from various law enforcement" in en


def test_trigger_viii_shows_the_figures_the_data_lacked_with_the_qualifier_s_own_word(clear_caches):
    en, fr = _edition("en", "TRIGGER-VIII"), _edition("fr", "TRIGGER-VIII")
    for value in ("some 120 persons", "some 6,000", "more than 45 tonnes", "40 tonnes", "818 kg", "more than 3 tonnes",
                  "more than 10,000 L", "141 tusks", "42 persons", "78 persons", "45 investigations"):
        assert value in en, value
    assert "about 120" not in en and "environ 120" not in fr
    assert "quelque 120 personnes" in fr.replace("\u202f", " ")
    assert "Another source says “Some 40 tonnes of fins of endangered shark species" in en


def _expected_sources(lang: str) -> tuple[list[str], list[str]]:
    """The short names of the sources of what the timeline and the map draw, composed from the CSV files."""
    column = "short_name_fr" if lang == "fr" else "short_name"
    names = {s["source_id"]: s[column] for s in _rows("sources")}
    ops = sorted(_rows("operations"), key=lambda o: o["start_date"])
    countries = _rows("operation_countries")
    order = {o["operation_id"]: k for k, o in enumerate(ops)}
    countries.sort(key=lambda c: (order[c["operation_id"]], c["country_iso3"]))
    officers: dict[str, str] = {}
    for fig in _rows("figures"):
        if fig["indicator"] == "officers" and fig["shown"] == "true":
            officers.setdefault(fig["operation_id"], fig["source_id"])
    timeline = [o["source_id"] for o in ops] + [c["source_id"] for c in countries]
    timeline += [officers[o["operation_id"]] for o in ops if o["operation_id"] in officers]
    return (list(dict.fromkeys(names[s] for s in timeline)),
            list(dict.fromkeys(names[c["source_id"]] for c in countries)))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_captions_name_the_sources_of_what_each_chart_draws(clear_caches, lang):
    at = open_page("pages/overview.py", lang=lang)
    captions = [as_shown(c.value) for c in at.caption]
    timeline, drawn_map = _expected_sources(lang)
    separator = " ; " if lang == "fr" else "; "
    line = "Sources : {} ." if lang == "fr" else "Sources: {}."
    assert any(line.format(separator.join(timeline)).replace(" .", ".") in c for c in captions), timeline
    assert any(line.format(separator.join(drawn_map)).replace(" .", ".") in c for c in captions), drawn_map
    assert "EU Illicit Flows (illicitflows.eu)" in timeline and len(drawn_map) < len(timeline)
    assert not any("Sources: UNODC, INTERPOL" in c or "Sources : ONUDC, INTERPOL" in c for c in captions)
    charts = [json.loads(chart.proto.spec)["layout"]["title"]["subtitle"]["text"].replace("<br>", " ")
              for chart in at.get("plotly_chart")]  # the source line under each chart's title, wrapped
    assert any(separator.join(timeline) in spec for spec in charts)  # the chart's own source line, in its image
    assert any(separator.join(drawn_map) + ". " in spec for spec in charts)


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/operations.py"])
def test_the_officers_shown_name_their_source_and_the_other_source_s_figure(clear_caches, page):
    body = as_shown(texts(open_page(page)))
    figs = {f["figure_id"]: f for f in _rows("figures")}
    # KAFO II: 260 (INTERPOL's release) is shown; the project description's "more than 260" is the note
    assert f"“{figs['k2-officers-project']['text']}”" in body and "KAFO II — INTERPOL (via africanews)¹" in body
    assert f"“{figs['t8-officers-interpol']['text']}”" in body


def test_the_operations_table_marks_the_officers_another_source_words_otherwise(clear_caches):
    at = open_page("pages/operations.py")
    table = next(t.value for t in at.table if "Officers" in t.value.columns)
    officers = dict(zip(table["Operation"], table["Officers"], strict=True))
    assert officers["KAFO II"] == "260 ¹" and officers["Trigger VIII"] == "521 ²"  # two footnotes, two marks
    assert officers["KAFO V"] == "more than 500"


def test_intro_ties_only_kafo_ii_to_the_eu_project_in_both_languages(clear_caches):
    en, fr = as_shown(texts(open_page("pages/overview.py"))), as_shown(texts(open_page("pages/overview.py", lang="fr")))
    assert "KAFO V in 2024, within a project funded by the European Union" not in en
    assert "KAFO II ran within a project funded by the European Union" in en and "Germany" in en
    assert "KAFO II s'est déroulée dans le cadre d'un projet financé par l'Union européenne" in fr
    assert "Allemagne" in fr


def test_the_budget_total_links_to_its_source(clear_caches):
    project = {r["field"]: r for r in _rows("project")}
    source = next(s for s in _rows("sources") if s["source_id"] == project["budget_value"]["source_id"])
    at = open_page("pages/budget.py")
    links = [m.value for m in at.markdown if f"](<{source['url']}>)" in m.value]
    assert len(links) >= 2  # the total's source line and the project card


@pytest.mark.parametrize("lang, undated", [("en", "copy not dated"), ("fr", "copie non datée")])
def test_a_source_without_a_date_says_so(clear_caches, lang, undated):
    source = next(s for s in _rows("sources") if s["source_id"] == "interpol-2019-kafo1")
    assert source["published"] == ""  # the Homeland Security Today copy shows no date of its own
    body = as_shown(texts(open_page("pages/data_sources.py", lang=lang)))
    line = next(line for line in body.splitlines() if source["title"] in line)
    assert line.endswith(f"{source['publisher_fr' if lang == 'fr' else 'publisher']}, {undated}")


PAGES = REPO / "tests" / "fixtures" / "source_pages"


def _page_words(source_id: str) -> str:
    """A source page's words as copied into the fixtures, spaces flattened."""
    return " ".join((PAGES / f"{source_id}.txt").read_text(encoding="utf-8").split())


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_what_kafo_means_is_quoted_in_the_page_s_words_with_our_translation_labelled(clear_caches, lang):
    source = next(s for s in _rows("sources") if s["source_id"] == "unodc-2020-07-kafo2-workshop")
    at = open_page("pages/overview.py", lang=lang)
    line = next(as_shown(c.value) for c in at.caption if "KAFO means" in c.value)
    opening, closing = MARKS[lang]
    quoted = line.split(f"{' :' if lang == 'fr' else ':'} {opening}", 1)[1].split(closing, 1)[0]
    assert quoted.startswith("KAFO means") and quoted in _page_words(source["source_id"])
    assert "Diola" in line and "ioula" not in line  # the source's spelling
    assert f"](<{source['url']}>)" in line  # the quotation's page, linked
    if lang == "fr":  # the English words, then ours, labelled as ours; nothing of ours inside the quotation marks
        assert "(en anglais)" in line and line.index(quoted) < line.index(TRANSLATION["fr"])
        assert "« KAFO » signifie" not in line and "(ONUDC, 13 juillet 2020)" not in line


def test_the_french_country_filter_sorts_names_as_french_readers_do(clear_caches):
    options = open_page("pages/operations.py", lang="fr").sidebar.multiselect(key="f_country").options
    first = [next(k for k, o in enumerate(options) if o.startswith(name)) for name in ("Bénin", "Burkina Faso",
                                                                                       "Côte d'Ivoire", "Tchad")]
    assert first == sorted(first), options  # accents set aside: Bénin before Burkina Faso


NOTE = {"en": "note", "fr": "note_fr"}


@pytest.mark.parametrize("lang, operation", [("en", "KAFO-V"), ("fr", "KAFO-V"), ("en", "TRIGGER-VIII"),
                                             ("fr", "TRIGGER-VIII")])
def test_each_card_shows_its_note_in_the_reader_s_language(clear_caches, lang, operation):
    body = _edition(lang, operation)
    shown = [f for f in _rows("figures") if f["operation_id"] == operation and f["shown"] == "true" and f["note"]]
    assert shown
    label = "Note : " if lang == "fr" else "Note: "
    for fig in shown:  # e.g. "Counted within the 400 firearms: not to be added to them"
        assert label + fig[NOTE[lang]] in body, fig["figure_id"]
    other = "en" if lang == "fr" else "fr"
    assert not any(label + f[NOTE[other]] in body for f in shown)
    adding = {"KAFO-V": "k5-rifles-parts", "TRIGGER-VIII": "t8-goods"}[operation]  # the notes that stop a sum
    assert any(f["figure_id"] == adding for f in shown)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_card_s_footnote_mark_is_on_the_card_s_value(clear_caches, lang):
    body = _edition(lang, "KAFO-V")
    lines = body.splitlines()
    # k5-firearms is footnoted by the page's opening sentence ("thousands of firearms")
    opening = next(f for f in _rows("figures") if f["figure_id"] == "k5-firearms-opening")
    note = next(line for line in lines if opening["text"] in line)
    assert note.removeprefix(":small[").startswith("¹ "), note
    value = "more than 400" if lang == "en" else "plus de 400"
    assert any(line.startswith("### ") and value in line and line.endswith(" ¹") for line in lines), value


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_two_officers_footnotes_have_two_marks_in_the_table_and_under_the_timeline(clear_caches, lang):
    ops = [o["name"] for o in sorted(_rows("operations"), key=lambda o: o["start_date"])]
    noted = [n for n in ops if n in ("KAFO II", "Trigger VIII")]  # the editions whose officers a second source words
    overview = [as_shown(c.value) for c in open_page("pages/overview.py", lang=lang).caption]
    operations = as_shown(texts(open_page("pages/operations.py", lang=lang)))
    for mark, name in zip("¹²", noted, strict=True):
        assert any(f"{mark} {name}" in c for c in overview), (mark, name)
        assert f"\n{mark} {name}" in f"\n{operations}", (mark, name)
    timeline = next(c for c in overview if "Trigger VIII" in c and "¹" in c)
    assert timeline.count("¹") == timeline.count("²") == 2  # each: its source in the list, its note


def test_the_french_results_page_shows_every_note_in_french(clear_caches):
    at = open_page("pages/results.py", lang="fr")
    frame = at.dataframe[0].value
    notes = {n for n in frame["Note"] if n}
    shown = [f for f in _rows("figures") if f["shown"] == "true" and f["note"]]
    assert notes == {f["note_fr"] for f in shown}
    assert not notes & {f["note"] for f in shown}  # "Same figure in INTERPOL's release" was shown to French readers


def test_the_french_budget_page_names_the_total_s_publisher_in_french(clear_caches):
    project = {r["field"]: r for r in _rows("project")}
    source = next(s for s in _rows("sources") if s["source_id"] == project["budget_value"]["source_id"])
    body = as_shown(texts(open_page("pages/budget.py", lang="fr")))
    assert source["publisher_fr"] in body and source["publisher"] not in body


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_operations_tables_claim_as_published_only_for_the_sources_words(clear_caches, lang):
    at = open_page("pages/operations.py", lang=lang)
    tables = [t.value for t in at.table] + [d.value for d in at.dataframe]
    headings = [str(c) for table in tables for c in table.columns]
    assert not [h for h in headings if "as published" in h or "tel que publié" in h], headings
    column = "short_name_fr" if lang == "fr" else "short_name"
    names = {s["source_id"]: s[column] for s in _rows("sources")}
    side = next(t for t in tables if any("summary" in str(c) or "résumé" in str(c) for c in t.columns))
    source = next(c for c in side.columns if c in ("Source of the dates and role", "Source des dates et du rôle"))
    ops = {o["name"]: o for o in _rows("operations")}
    for name, shown in zip(side.iloc[:, 0], side[source], strict=True):
        assert shown == names[ops[name]["source_id"]], name  # the role's summary names what it summarises
    words = next(t for t in tables if any(c in ("As the source words it", "Dans les mots de la source")
                                          for c in t.columns))
    by_op = dict(zip(words.iloc[:, 0], words.iloc[:, 2], strict=True))
    agencies = [a for a in _rows("operation_agencies") if a["operation_id"] == "KAFO-III"]
    assert by_op["KAFO III"].startswith("; ".join(a["text"] for a in agencies))
    other = ("KAFO I", "(en anglais)") if lang == "fr" else ("KAFO III", "(in French)")
    assert by_op[other[0]].endswith(other[1]) and "(" not in by_op["KAFO III" if lang == "fr" else "KAFO I"]


def test_the_french_view_quotes_unodc_s_french_page_on_kafo_v_and_cites_it(clear_caches):
    figs = {f["figure_id"]: f for f in _rows("figures")}
    page = next(s for s in _rows("sources") if s["source_id"] == figs["k5-firearms"]["fr_source_id"])
    fr, en = _edition("fr", "KAFO-V"), _edition("en", "KAFO-V")
    card = fr.split("**Armes à feu**", 1)[1].split("**", 1)[0]  # the firearms card, up to the next card's label
    assert f"« {figs['k5-firearms']['fr_text']} »" in card and "(en anglais" not in card
    assert TRANSLATION["fr"] not in card and f"](<{page['url']}>)" in card
    assert f"« {figs['k5-rifles-parts']['fr_text']} »" in fr  # « dont plus de 250 fusils, pièces et composants »
    assert f"“{figs['k5-firearms']['text']}”" in en and page["url"] not in en  # English readers: the English page
