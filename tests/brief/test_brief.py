"""The brief read back from its PDF: every figure, qualifier and source address, in English and French; hostile text.

The expected figures come from data/reference read with the csv module (not the code under test);
the PDF is read with pypdf. One brief draws its charts (one kaleido/Chromium start for the file); the
others are made without charts, which leaves their text the same.
"""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
from pypdf import PdfReader

from kafo_data.brief import build, images
from kafo_data.brief.content import Request
from kafo_data.fmt import money as fmt_money
from kafo_data.fmt import number
from kafo_data.store.db import Database
from kafo_data.store.reference import build_reference
from tests.conftest import DATA
from tests.export.test_published import reference
from tests.money.independent import cents, current_budget, read_money

pytestmark = pytest.mark.xdist_group("brief")  # one worker starts kaleido's Chromium

QUALIFIER_WORDS = {"en": {"more_than": "more than", "at_least": "at least", "about": "about", "some": "some"},
                   "fr": {"more_than": "plus de", "at_least": "au moins", "about": "environ", "some": "quelque"}}


def squeeze(text: str) -> str:
    """Text without any white space: a long address wraps across lines in the PDF."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_all_editions_brief_holds_every_figure_qualifier_and_source_address(lang):
    made = build.make(Database(DATA), Request("overview", lang), charts=False)
    text, _ = pdf_text(made.pdf)
    flat = squeeze(text)
    sources = {s["source_id"]: s for s in reference("sources")}
    for f in reference("figures"):
        french = lang == "fr" and f["fr_text"]  # the French page's words where UNODC published one
        quoted = sources[f["fr_source_id"]] if french else None
        if f["shown"] == "true":
            assert squeeze(f["fr_text"] if french else f["text"]) in flat, f["figure_id"]
            if quoted:
                assert squeeze(quoted["url"]) in flat, f["figure_id"]
            if f["value"]:
                amount = number(float(f["value"]), lang)
                words = QUALIFIER_WORDS[lang].get(f["qualifier"], "")
                assert squeeze(f"{words} {amount}") in flat, (f["figure_id"], words, amount)
        if sources[f["source_id"]]["url"]:
            assert squeeze(sources[f["source_id"]]["url"]) in flat, (f["figure_id"], f["source_id"])
    for op in reference("operations"):
        assert op["name"] in text
    assert {"en": "How to cite", "fr": "Comment citer"}[lang] in text
    assert {"en": "Natural Earth, public domain", "fr": "Natural Earth, domaine public"}[lang] in text


def test_one_edition_with_its_charts_fits_two_pages_and_draws_the_timeline_as_text(tmp_path):
    if images.browser() is None:
        pytest.skip("no Chromium for kaleido")
    address = build.address("http://dash.example.org", "overview", ("KAFO-II",), "fr")
    made = build.make(Database(DATA), Request("overview", "fr", ("KAFO-II",), address=address))
    assert made.charts_problem is None and made.refused == []
    text, pages = pdf_text(made.pdf)
    assert pages <= 2
    assert "Les éditions dans le temps" in text, "the chart's title is vector text"
    assert squeeze("http://dash.example.org/?operation=KAFO-II&lang=fr") in squeeze(text), \
        "the first page is served at / only: /overview is Streamlit's Page not found"
    from kafo_data.config import HOME_PAGE
    from tests.browser.driver import registry

    assert registry()[0].url_path == HOME_PAGE, "app.py's first page is the one the brief links to at /"
    assert "KAFO II ·" in text and "KAFO III ·" not in text, "one edition's results only"


def same_size_svg(figure, width=images.WIDTH):
    """A blank SVG of the size kaleido would draw `figure` at: a brief's layout without starting Chromium."""
    height = int(figure.get("layout", {}).get("height", 400))
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"/>'.encode()


def last_page_used(data: bytes) -> tuple[int, float]:
    """The number of pages and how far down the last page the text goes (0-1), its page-number footer left out."""
    reader = PdfReader(io.BytesIO(data))
    last = reader.pages[-1]
    lows: list[float] = []
    last.extract_text(visitor_text=lambda text, cm, tm, font, size: lows.append(tm[5] * cm[3] + cm[5])
                      if text.strip() else None)
    height = float(last.mediabox.height)
    footer = 13 / 25.4 * 72  # the bottom margin, where the page numbers stand
    return len(reader.pages), 1 - min(y for y in lows if y > footer) / height


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_editions_brief_fits_two_pages_with_room_to_spare(monkeypatch, lang):
    """Every edition's Overview brief (the longest: the timeline above the results), in English and French, is at
    most 2 pages and ends before the last quarter of its second page: a few more figures do not make a third."""
    monkeypatch.setattr(build.images, "svg", same_size_svg)
    monkeypatch.setattr(build.images, "begin", lambda: None)  # no browser started for nothing
    db = Database(DATA)
    for op in reference("operations"):
        ops = (op["operation_id"],)
        req = Request("overview", lang, ops, address=build.address(build.DEFAULT_BASE, "overview", ops, lang))
        pages, used = last_page_used(build.make(db, req).pdf)
        assert pages == 1 or (pages == 2 and used < 0.75), (ops, pages, used)


def test_the_budget_brief_has_the_published_total_the_illustration_label_and_the_donors():
    made = build.make(Database(DATA), Request("budget", "en", ("KAFO-II",)), charts=False)
    text, _ = pdf_text(made.pdf)
    assert "3,248,537.00" in text and "Illustration:" in text
    assert "The budget is not split by operation" in text, "as the page says when an operation is chosen"
    for donor in ("European Union", "Germany", "France"):
        assert donor in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_budget_brief_of_one_donor_and_output_shows_that_selections_money(lang):
    """The Budget page's donor and output filters reach the brief: its selection line and its amounts are
    those of EU's output 2, computed here from the parquet files with pandas and Decimal (not DuckDB)."""
    budgets, transactions = read_money(DATA)
    mine = current_budget(budgets)
    mine = mine[(mine.donor_id == "EU") & (mine.output == 2)]
    spent = transactions[(transactions.donor_id == "EU") & (transactions.output == 2)]
    every = transactions[transactions.donor_id == "EU"]
    assert not mine.empty and not spent.empty and len(set(mine.currency)) == 1
    currency = mine.currency.iloc[0]

    def amount(frame, types=("disbursement", "expenditure")):
        return fmt_money(cents(frame[frame.transaction_type.isin(types)].value) / 100, currency, lang)

    made = build.make(Database(DATA), Request("budget", lang, donors=("EU",), outputs=(2,)), charts=False)
    text, pages = pdf_text(made.pdf)
    flat = squeeze(text)
    words = {"en": ("Donors: European Union", "Outputs: Output 2"),
             "fr": ("Bailleurs : Union européenne", "Produits : Produit 2")}[lang]
    assert all(squeeze(w) in flat for w in words), "the selection is stated"
    assert squeeze(fmt_money(cents(mine.value) / 100, currency, lang)) in flat, "the selection's budget"
    for measure in ("outgoing_commitment", "disbursement", "expenditure"):
        assert squeeze(amount(spent, (measure,))) in flat, measure
    assert squeeze(amount(spent)) in flat, "disbursed and spent"
    assert squeeze(amount(every)) not in flat, "not the whole donor's spending"
    assert pages <= 2


HOSTILE_TITLE = '<img src="file:///etc/passwd"> **bold** [click](http://evil.example/x)'
HOSTILE_URL = "file:///etc/passwd"
HOSTILE_TEXT = "<script>alert(1)</script> <link rel=stylesheet href=http://evil.example/s.css> ![x](http://e.example/p.png)"


@pytest.fixture
def hostile_data(data_copy):
    """A data copy whose KAFO II source and one of its figures carry Markdown, HTML and file:// addresses."""
    ref = data_copy / "reference"
    for table, change in (("sources", {"title": HOSTILE_TITLE, "url": HOSTILE_URL}),
                          ("figures", {"text": HOSTILE_TEXT}),
                          ("operations", {"name": "KAFO <b>II</b> <a href='http://evil.example'>x</a>"})):
        with (ref / f"{table}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        key = {"sources": "source_id", "figures": "figure_id", "operations": "operation_id"}[table]
        target = {"sources": "interpol-2020-12-kafo2", "figures": "k2-firearms-interpol", "operations": "KAFO-II"}
        for row in rows:
            if row[key] == target[table]:
                row.update(change)
        with (ref / f"{table}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    build_reference(data_copy)
    shutil.rmtree(data_copy / "tmp", ignore_errors=True)
    return data_copy


def test_hostile_strings_stay_plain_text_in_the_brief_and_nothing_is_fetched(hostile_data):
    made = build.make(Database(hostile_data), Request("overview", "en", ("KAFO-II",)), charts=False)
    assert made.refused == [], "the renderer was asked for nothing"
    text, _ = pdf_text(made.pdf)
    flat = squeeze(text)
    for hostile in (HOSTILE_TITLE, HOSTILE_TEXT, HOSTILE_URL, "KAFO <b>II</b>"):
        assert squeeze(hostile) in flat, hostile
    assert b"/URI (file:" not in made.pdf and b"evil.example/x)" not in made.pdf, "no link to a hostile address"


def test_hostile_strings_in_a_chart_image_stay_text():
    figure = {"data": [{"type": "bar", "x": ["<a href='http://evil.example'>NER</a>", "<b>MLI</b>"], "y": [1, 2]}],
              "layout": {"height": 200, "annotations": [{"text": "<img src=file:///etc/passwd>", "x": 0, "y": 1}]}}
    plain = images.plain(figure)
    assert plain["data"][0]["x"] == ["&lt;a href='http://evil.example'&gt;NER&lt;/a&gt;", "&lt;b&gt;MLI&lt;/b&gt;"]
    assert plain["layout"]["annotations"][0]["text"] == "&lt;img src=file:///etc/passwd&gt;"
    if images.browser() is None:
        pytest.skip("no Chromium for kaleido")
    svg = images.svg(figure, width=400).decode()
    assert "<a " not in svg and "<img" not in svg and "&#60;b&#62;MLI&#60;/b&#62;" in svg, "shown as typed"


def test_a_chart_renderer_that_does_not_answer_is_given_up_and_the_next_image_starts_another(monkeypatch):
    """Under load kaleido once waited for ever on a tab that never came back: every wait has a deadline."""
    import asyncio
    import time

    import kaleido

    if images.browser() is None:
        pytest.skip("no Chromium for kaleido")

    async def never(*args, **kwargs):
        await asyncio.sleep(3600)

    figure = {"data": [{"type": "bar", "x": ["NER"], "y": [1]}], "layout": {"height": 100}}
    registered, register = [], images.atexit.register
    monkeypatch.setattr(images.atexit, "register", lambda f: registered.append(register(f)))
    monkeypatch.setattr(images, "_AT_EXIT", [])
    with monkeypatch.context() as patched:
        patched.setattr(images, "TIMEOUT_S", 1.0)
        patched.setattr(kaleido.Kaleido, "calc_fig", never)
        started = time.monotonic()
        with pytest.raises(images.ChartsUnavailable, match="did not answer within 1 s"):
            images.begin()
            given_up = images._RENDERER
            images.svg(figure, width=100)
    assert time.monotonic() - started < 20 and images._RENDERER is None, "given up, its browser closed"
    assert given_up.loop.is_closed() and not given_up.thread.is_alive(), "its thread and loop end with it"
    assert images.svg(figure, width=100).startswith(b"<svg"), "the next image starts a browser of its own"
    assert registered == [images.stop], "closed at exit once, however many browsers were started"

    def fails_after_the_first(*args, width=images.WIDTH):
        if width != 10:  # make()'s first image, the browser's start, went through
            raise images.ChartsUnavailable("the chart renderer did not answer within 60 s")
        return b"<svg/>"

    monkeypatch.setattr(build.images, "svg", fails_after_the_first)
    made = build.make(Database(DATA), Request(page="overview", operations=("KAFO-II",), lang="en"))
    assert made.charts_problem == "the chart renderer did not answer within 60 s" and made.pdf.startswith(b"%PDF")


def test_the_renderer_refuses_every_address_but_its_own_images():
    from kafo_data.brief import pdf

    refused: list[str] = []
    html = ('<p>x</p><img src="file:///etc/hostname"><img src="http://127.0.0.1:9/a.png">'
            '<link rel="stylesheet" href="https://evil.example/s.css">'
            '<img src="data:image/svg+xml;utf8,<svg xmlns=\'http://www.w3.org/2000/svg\' width=\'4\' height=\'4\'>'
            '<image href=\'file:///etc/hostname\'/></svg>">')
    data = pdf.render(html, refused)
    assert data.startswith(b"%PDF")
    assert set(refused) == {"file:///etc/hostname", "http://127.0.0.1:9/a.png", "https://evil.example/s.css"}


def test_the_command_line_writes_the_brief(tmp_path, monkeypatch, capsys):
    from kafo_data.cli import main

    monkeypatch.setattr(build.images, "svg", lambda *a, **k: (_ for _ in ()).throw(images.ChartsUnavailable("none")))
    monkeypatch.setattr(build.images, "begin", lambda: None)
    out = tmp_path / "brief.pdf"
    assert main(["brief", "--operation", "KAFO-IV", "--lang", "fr", "-o", str(out)]) == 0
    text, pages = pdf_text(out.read_bytes())
    assert "KAFO IV" in text and "Comment citer" in text and pages <= 2
    assert "charts left out" in capsys.readouterr().err
    assert main(["brief", "--operation", "KAFO-IX", "-o", str(out)]) == 2
    assert main(["brief", "--page", "budget", "--donor", "XX", "-o", str(out)]) == 2
    assert main(["brief", "--donor", "EU", "-o", str(out)]) == 2, "donors filter the Budget page only"
    assert "use them with --page budget" in capsys.readouterr().err


def test_the_budget_briefs_link_back_holds_its_donors_and_outputs():
    assert (build.address("http://x.org", "budget", ("KAFO-II",), "fr", False, ("EU",), (2, 1))
            == "http://x.org/budget?donor=EU&output=1&output=2&operation=KAFO-II&sample=0&lang=fr")


@pytest.mark.parametrize("lang", ["fr"])  # one language: a PDF costs ~3 s; the marks are the same in both
def test_the_operations_brief_explains_each_officers_mark_under_its_table(lang):
    made = build.make(Database(DATA), Request("operations", lang), charts=False)
    text = " ".join(pdf_text(made.pdf)[0].split())
    says = "indique «" if lang == "fr" else "says “"
    for mark, name in (("¹", "KAFO II"), ("²", "Trigger VIII")):  # the table's "260 ¹" and "521 ²", explained
        assert f"{mark} {name}" in text and says in text.split(f"{mark} {name}", 1)[1][:120], (mark, name)
