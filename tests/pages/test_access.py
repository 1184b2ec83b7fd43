"""Who sees what, on every page, through AppTest: public, signed-in manager, signed in but not listed, local mode.

The public view is checked the way the issue asks: render every page as a public visitor (an
address that is not loopback, or sign-in configured and nobody signed in) and search the whole
element tree, and every file the public can download, for any place, region, coordinate,
seizure id, batch id or uploaded file name of the data: none may appear. The data is the shipped
sample plus a real national report loaded as a batch, so a batch id and a file name exist.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import streamlit as st
from google.protobuf import text_format
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from kafo_data import query_gate
from kafo_data.config import small_cell_events
from kafo_data.export import public as public_export
from kafo_data.export import published
from kafo_data.i18n import LANGS
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.seizures.public import PublicFilters
from kafo_data.store import batches
from kafo_data.store.db import get_database
from kafo_data.ui.data import forget as forget_results
from kafo_data.ui.page import TWINS
from tests.conftest import REPO, local_mode_cookie, open_app, read_records

pytestmark = pytest.mark.xdist_group("public-view")  # one worker builds the module's loaded data copy, not four

REPORT = REPO / "tests" / "fixtures" / "ingest" / "rapport_kafo2_bfa.csv"
PAGES = ["pages/overview.py", "pages/seizures.py", "pages/operations.py", "pages/results.py", "pages/budget.py",
         "pages/data_sources.py", "pages/upload.py"]
AUTH = {"auth": {"redirect_uri": "http://kafo.example.org/oauth2callback", "cookie_secret": "x" * 32,
                 "client_id": "kafo", "client_secret": "not-a-secret",
                 "server_metadata_url": "http://idp.example.org/.well-known/openid-configuration"}}
MANAGER = "amina.diallo@unodc.example"
OUTSIDER = "press.officer@news.example"


@pytest.fixture(scope="module")
def loaded_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data plus one national report, loaded as a manager would."""
    import shutil

    root = tmp_path_factory.mktemp("access") / "data"
    shutil.copytree(REPO / "data", root, ignore=shutil.ignore_patterns("tmp", "rejected"))
    plan = ingest.plan(root, REPORT.name, REPORT.read_bytes())
    commit(root, plan, loaded_by=MANAGER)
    return root


@pytest.fixture(autouse=True)
def setting(loaded_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    managers = tmp_path / "managers.toml"
    managers.write_text(f'emails = ["{MANAGER}"]\n', encoding="utf-8")
    monkeypatch.setenv("KAFO_DATA_DIR", str(loaded_data))
    monkeypatch.setenv("KAFO_MANAGERS_FILE", str(managers))
    st.cache_data.clear()
    forget_results()
    st.cache_resource.clear()
    yield loaded_data


def open_as(role: str, page: str, lang: str = "en", **params: str) -> AppTest:
    """Run one page as a role: public, manager, outsider (signed in, not listed), local."""
    def sign_in(at: AppTest) -> None:
        if role in ("manager", "outsider", "signed_out"):
            at.secrets = AUTH
            at.user = ({"is_logged_in": False} if role == "signed_out" else
                       {"is_logged_in": True, "email": MANAGER if role == "manager" else OUTSIDER, "sub": "x",
                        "email_verified": True})

    # every table twin and the records open: what they would show is searched too
    with patch_config_options({"server.address": "127.0.0.1" if role == "local" else "192.0.2.2"}):
        return open_app(page, {"lang": lang, **params}, session=dict.fromkeys((*TWINS, "rec_open"), True),
                        before=sign_in)


def shown(markdown: str) -> str:
    """Markdown as a reader sees it: fmt.literal's escapes and zero-width spaces gone."""
    return markdown.replace("\\", "").replace("\u200b", "")


def tree_text(at: AppTest) -> str:
    """Every element of the page, main and sidebar, as text: its whole message, tables as CSV."""
    parts: list[str] = []

    def walk(node: object) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        value = getattr(node, "value", None) if type(node).__name__ in ("Dataframe", "Table") else None
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_csv())
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(text_format.MessageToString(proto, as_utf8=True))

    walk(at._tree)
    return "\n".join(parts)


def public_words() -> str:
    """Text the public may read anyway: the catalogues and the reference facts (a region named like a country...)."""
    texts = [p.read_text(encoding="utf-8") for p in (REPO / "kafo_data" / "locales").rglob("*.json")]
    for path in (REPO / "data" / "built").glob("*.parquet"):
        frame = pq.read_table(path).to_pandas()
        texts += [str(v) for c in frame.columns for v in frame[c].tolist()]
    return "\n".join(texts)


def secrets_of(root: Path) -> dict[str, set[str]]:
    """What must never reach a public visitor, found in the stored records and batches."""
    s, _ = read_records(root)
    allowed = public_words()

    def words(values: object) -> set[str]:
        return {str(v) for v in values if isinstance(v, str) and v and not re.search(
            rf"(?<!\w){re.escape(v)}(?!\w)", allowed)}

    coordinates = {f"{v:.4f}" for v in pd.concat([s.latitude, s.longitude]).dropna()}
    reports = [b for b in batches.list_batches(root) if not b.is_sample]
    assert reports, "the fixture loaded a report"
    return {"locality": words(s.locality), "region": words(s.admin1), "coordinate": coordinates,
            "seizure id": set(s.seizure_id), "batch id": {b.batch_id for b in reports},
            "file name": {b.file for b in reports if b.file}, "source": words(s.source)}


def _any_secret(values: frozenset[str]) -> re.Pattern:
    """One pattern for every value (longest first): a text holds a value iff this finds a match in it."""
    alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])")


_PATTERNS: dict[frozenset[str], re.Pattern] = {}


def leaks(text: str, secrets: dict[str, set[str]]) -> list[str]:
    """Every secret value the text holds as a whole token, named with its kind.

    One combined search per kind first (a few hundred separate searches per text were nine tenths of
    this file's time); only a text that holds some value is searched value by value, to name them all.
    """
    found = []
    for kind, values in secrets.items():
        key = frozenset(values)
        pattern = _PATTERNS.get(key) or _PATTERNS.setdefault(key, _any_secret(key))
        if not values or not pattern.search(text):
            continue
        for value in values:
            if re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", text):
                found.append(f"{kind}: {value}")
    return sorted(found)


@pytest.fixture(scope="module")
def secrets(loaded_data: Path) -> dict[str, set[str]]:
    found = secrets_of(loaded_data)
    assert len(found["locality"]) > 50 and len(found["seizure id"]) > 250 and found["coordinate"]
    return found


@pytest.mark.parametrize("role", ["public", "signed_out"])
@pytest.mark.parametrize("page", PAGES)
def test_a_public_page_shows_no_place_coordinate_id_batch_or_file(role, page, secrets, monkeypatch):
    asked: list[object] = []  # every function the page runs through ui.data.q (kafo_data.query_gate)
    declared = query_gate.is_query
    monkeypatch.setattr(query_gate, "is_query", lambda fn: asked.append(fn) or declared(fn))
    for lang in LANGS:
        at = open_as(role, page, lang)
        assert page == "pages/upload.py" or asked, "the page ran no query: the gate was not watched"
        assert [fn.__qualname__ for fn in asked if not query_gate.is_public(fn)] == [], (role, page)
        assert leaks(tree_text(at), secrets) == [], (role, page, lang)
        titles = [t.value for t in at.title]
        refused = {"en": "Sign in to see this page", "fr": "Connectez-vous pour voir cette page"}[lang]
        assert (titles[-1:] == [refused]) == (page == "pages/upload.py"), ("only Load reports is for managers", titles)


def test_the_public_seizures_page_with_every_filter_still_shows_no_record(secrets):
    at = open_as("public", "pages/seizures.py", operation="KAFO-II", country="BFA", category="firearms",
                 **{"from": "2020-12-01", "to": "2020-12-01"})
    text = tree_text(at)
    assert leaks(text, secrets) == []
    assert "fewer than 3" in text, "one country, one category, one operation: small cells"
    assert not at.sidebar.date_input, "no day range for the public"
    assert any("day range of this link" in c.value for c in at.sidebar.caption)


def test_every_public_download_shows_no_record(loaded_data, secrets):
    db = get_database(loaded_data)
    for table in public_export.TABLES:
        for fmt in public_export.FORMATS:
            for lang in LANGS:
                for pf in (PublicFilters(), PublicFilters(operations=("KAFO-II",), countries=("BFA",))):
                    data = public_export.build(db, table, pf, fmt, lang, dt.date(2026, 11, 30))
                    assert leaks(readable(data, fmt), secrets) == [], (table, fmt, lang, pf)
    for fmt in published.FORMATS:  # the published results (the Results page's download)
        for lang in LANGS:
            data = published.build(db, published.Selection(), fmt, lang, dt.date(2026, 11, 30))
            assert leaks(readable(data, fmt), secrets) == [], ("published", fmt, lang)


def test_every_public_brief_shows_no_record(loaded_data, secrets):
    from pypdf import PdfReader

    from kafo_data.brief import build
    from kafo_data.brief.content import Request

    db = get_database(loaded_data)
    for page, lang, ops in (("operations", "fr", ()), ("budget", "en", ("KAFO-II",))):
        made = build.make(db, Request(page, lang, ops), charts=False)
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(made.pdf)).pages)
        assert "KAFO" in text and leaks(text, secrets) == [], (page, lang)


def readable(data: bytes, fmt: str) -> str:
    if fmt in ("zip", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8-sig")


def test_a_public_download_says_fewer_than_k_in_each_language(loaded_data):
    db = get_database(loaded_data)
    pf = PublicFilters(operations=("KAFO-II",), countries=("BFA",))
    k = small_cell_events()
    en = public_export.build(db, "item_type", pf, "csv", "en", dt.date(2026, 11, 30)).decode("utf-8-sig")
    fr = public_export.build(db, "item_type", pf, "csv-excel-fr", "fr", dt.date(2026, 11, 30)).decode("utf-8-sig")
    assert f"fewer than {k}" in en and f"moins de {k}" in fr
    rows = list(pd.read_csv(io.StringIO(en)).itertuples())
    assert all(pd.isna(r.quantity) and pd.isna(r.events) for r in rows if r.note == f"fewer than {k}")
    assert all(r.events >= k for r in rows if pd.isna(r.note))


@pytest.mark.parametrize("page", PAGES)
def test_a_manager_sees_every_page_and_the_records(page):
    at = open_as("manager", page)
    text = tree_text(at)
    assert "Sign in to see this page" not in text
    assert any(MANAGER in shown(c.value) and "manager" in c.value for c in at.sidebar.caption)
    assert any(b.label == "Sign out" for b in at.sidebar.button)


def test_a_manager_sees_records_places_and_who_loaded_each_batch(secrets):
    seizures = tree_text(open_as("manager", "pages/seizures.py"))
    assert leaks(seizures, secrets), "the managers' page shows places and ids"
    upload = open_as("manager", "pages/upload.py")
    assert upload.file_uploader
    assert any(MANAGER in frame.value.to_csv() for frame in upload.dataframe), "loaded_by is shown"


def test_signed_in_but_not_listed_is_public_and_told_so(secrets):
    at = open_as("outsider", "pages/seizures.py")
    assert leaks(tree_text(at), secrets) == []
    assert any(OUTSIDER in shown(i.value) and "not on the managers' list" in i.value for i in at.info)
    assert any(b.label == "Sign out" for b in at.sidebar.button)
    upload = open_as("outsider", "pages/upload.py")
    assert not upload.file_uploader and [t.value for t in upload.title] == ["Sign in to see this page"]


@pytest.mark.parametrize("role", ["public", "signed_out", "outsider"])
def test_a_link_to_load_reports_says_sign_in_never_the_page(role):
    at = open_as(role, "pages/upload.py")
    assert not at.file_uploader and not at.get("form")
    assert [t.value for t in at.title] == ["Sign in to see this page"]
    if role == "signed_out":
        assert any(b.label == "Sign in" for b in at.button), "sign-in is configured: the button is there"
    if role == "outsider":
        assert any(b.label == "Sign out" for b in at.sidebar.button)
        assert any("not on the managers' list" in i.value for i in at.info)


def test_local_mode_is_a_manager_with_a_banner(secrets):
    at = open_as("local", "pages/seizures.py")
    assert any("Local mode" in m.value and "only listens on this computer" in m.value for m in at.markdown)
    assert leaks(tree_text(at), secrets), "records and places are shown"
    assert open_as("local", "pages/upload.py").file_uploader


@pytest.mark.parametrize("claims, reason", [
    ({"email": "someone@\u212aafo.example", "email_verified": True}, "not_listed"),   # Kelvin sign for k
    ({"email": MANAGER.replace("a", "\uff41", 1), "email_verified": True}, "not_listed"),  # full-width a
    ({"email": MANAGER.upper().replace("I", "\u0130"), "email_verified": True}, "not_listed"),  # dotted I
    ({"email": MANAGER, "email_verified": 0}, "unverified"),
    ({"email": MANAGER, "email_verified": "no"}, "unverified"),
    ({"email": MANAGER, "email_verified": "true"}, "unverified"),
    ({"email": MANAGER}, "unverified"),
])
def test_each_allow_list_trick_signs_in_and_stays_public(claims, reason, tmp_path, monkeypatch):
    managers = tmp_path / "tricks.toml"
    managers.write_text(f'emails = ["{MANAGER}"]\ndomains = ["kafo.example"]\n', encoding="utf-8")
    monkeypatch.setenv("KAFO_MANAGERS_FILE", str(managers))
    def signed_in(at: AppTest) -> None:
        at.secrets = AUTH
        at.user = {"is_logged_in": True, "sub": "x", **claims}

    at = open_app("pages/upload.py", before=signed_in, remote=True)
    assert [t.value for t in at.title] == ["Sign in to see this page"] and not at.file_uploader
    words = {"not_listed": "not on the managers' list", "unverified": "has not confirmed"}[reason]
    assert any(words in i.value for i in at.info), [i.value for i in at.info]


@pytest.mark.parametrize("cookie", [None, "0" * 64, "the other process's"])
def test_on_loopback_without_this_process_cookie_is_public_and_told_where_the_address_is(cookie):
    """The README's server, opened without the printed address (or with another process's cookie)."""
    from kafo_data.access import cookie_value, new_token

    if cookie == "the other process's":
        cookie = cookie_value(new_token())
    with local_mode_cookie(cookie):
        at = open_as("local", "pages/seizures.py")
        assert not any("Local mode" in m.value for m in at.markdown)
        assert any("?token=" in i.value and "terminal" in i.value for i in at.info)
        upload = open_as("local", "pages/upload.py")
        assert not upload.file_uploader and [t.value for t in upload.title] == ["Sign in to see this page"]
        assert any("?token=" in i.value for i in upload.info)


def test_a_public_session_is_never_served_a_managers_cached_result():
    """Same process, same cache: a manager's run first, then a public run of the same page and filters."""
    k = small_cell_events()
    _, items = read_records(REPO / "data")
    counts = items.groupby(["country_iso3", "category", "operation_id"]).seizure_id.nunique()
    country, category = next((c, g) for (c, g, _op), n in counts.items() if 0 < n < k)
    manager = open_as("manager", "pages/operations.py", country=country, category=category)
    public = open_as("public", "pages/operations.py", country=country, category=category)
    def events_table(at: AppTest) -> dict[str, str]:
        frame = next(tb.value for tb in at.table if "Seizure events" in [shown(str(c)) for c in tb.value.columns])
        return {shown(str(row.iloc[0])): shown(str(row.iloc[1])) for _, row in frame.iterrows()}

    exact, public_counts = events_table(manager), events_table(public)
    small_ones = [op for op, value in exact.items() if value != "0" and int(value) < k]
    assert small_ones, "a small count, exactly, for the manager"
    for op in small_ones:
        assert public_counts[op] == f"fewer than {k}", op


def test_the_query_layer_refuses_record_queries_to_a_public_session():
    script = (
        "from kafo_data.seizures import queries\n"
        "from kafo_data.seizures.filters import Filters\n"
        "from kafo_data.ui import data\n"
        "data.new_run()\n"
        "data.q(queries.records_page, Filters())\n"
    )
    for address, refused in (("192.0.2.2", True), ("127.0.0.1", False)):
        at = AppTest.from_string(script, default_timeout=60)
        with patch_config_options({"server.address": address}):
            at.run()
        assert not at.exception
        assert ([t.value for t in at.title] == ["Sign in to see this page"]) == refused


def test_the_public_seizures_page_says_an_edition_has_no_report_instead_of_widen_the_selection():
    edition = open_as("public", "pages/seizures.py", operation="TRIGGER-VIII")
    said = " ".join(i.value for i in edition.info)
    assert "No national report has been loaded yet for Trigger VIII" in said and "Widen" not in said
    filtered = open_as("public", "pages/seizures.py", operation="KAFO-II", country="GHA")  # records, none here
    said = " ".join(i.value for i in filtered.info)
    assert "No national report" not in said and "No records match these filters" in said
