"""Shared fixtures: the shipped data, and a private copy of it for tests that write."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kafo_data.ui.data import forget as forget_results

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


_HOSTS = contextlib.ExitStack()


def pytest_configure(config: pytest.Config) -> None:
    """The xdist controller makes every worker's test host before any worker starts a browser.

    Chromium aborts every request in flight when the machine's addresses change (ERR_NETWORK_CHANGED);
    a worker making its host while another worker's browser loads a page lost that page (CI, 5 Dec).
    """
    workers = getattr(config.option, "numprocesses", None) or 0
    if hasattr(config, "workerinput") or not isinstance(workers, int) or workers < 1 \
            or config.option.markexpr == "not browser":
        return
    from tests.browser.hosts import HANDED_OVER, encode, hosts_for_workers

    hosts = _HOSTS.enter_context(hosts_for_workers([f"gw{i}" for i in range(workers)]))
    os.environ[HANDED_OVER] = encode(hosts)


def pytest_unconfigure(config: pytest.Config) -> None:
    _HOSTS.close()


@pytest.fixture(autouse=True, scope="session")
def _outputs_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Rollups of the shipped data (and of every copy) go to a temporary folder, not into data/tmp/."""
    os.environ["KAFO_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def repo_data() -> Path:
    return DATA


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the shipped data directory that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("tmp", "rejected"))
    return target


def read_records(root: Path):
    """Every stored item line joined to its event, read with pyarrow and pandas only.

    This is the independent computation the query layer is checked against: no DuckDB.
    """
    import pandas as pd

    seizures, items = [], []
    for batch in sorted((root / "batches").iterdir()):
        if (batch / "batch.json").is_file():
            seizures.append(pq.read_table(batch / "seizures.parquet").to_pandas())
            items.append(pq.read_table(batch / "seized_items.parquet").to_pandas())
    s = pd.concat(seizures, ignore_index=True)
    i = pd.concat(items, ignore_index=True)
    return s, i.merge(s, on="seizure_id", how="inner")


@pytest.fixture
def clear_caches():
    """Streamlit's caches outlive an AppTest within one pytest process: start each page test from none."""
    import streamlit as st

    st.cache_data.clear()
    forget_results()
    st.cache_resource.clear()
    yield


@pytest.fixture
def db(repo_data):
    """The shipped data's Database (read only)."""
    from kafo_data.store.db import get_database

    return get_database(repo_data)


@pytest.fixture
def no_money(data_copy) -> Path:
    """A data copy with no money file at all: only the published total is known."""
    from kafo_data.config import money_dir

    shutil.rmtree(money_dir(data_copy), ignore_errors=True)
    return data_copy


def select_records(records, f):
    """The item lines that filters `f` keep, with pandas masks: the independent side of every filter check."""
    mask = records.seizure_id.notna()
    if f.operations:
        mask &= records.operation_id.isin(f.operations)
    if f.countries:
        mask &= records.country_iso3.isin(f.countries)
    if f.categories:
        mask &= records.category.isin(f.categories)
    if f.date_from:
        mask &= records.seizure_date >= f.date_from
    if f.date_to:
        mask &= records.seizure_date <= f.date_to
    if not f.include_sample:
        mask &= ~records.is_sample
    return records[mask]


def as_shown(markdown: str) -> str:
    """What a browser shows for Markdown text made literal (`fmt.literal`): escapes and zero-width spaces gone."""
    import re

    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u200b", "")


@pytest.fixture(autouse=True)
def _served_as_the_readme_runs_it():
    """AppTest runs the app as the README's run command serves it, to the person who started it, unless a
    test says otherwise.

    `streamlit run app.py --server.address 127.0.0.1` without sign-in prints an address with a token;
    the browser that opened it holds the gate's cookie: local mode, a manager. AppTest sends no
    cookies, so this gives the process a token and its runs that cookie (`kafo_data.ui.gate`).
    tests/pages/test_access.py sets the other roles itself. Only tests that use AppTest pay for
    importing Streamlit here.
    """
    if "streamlit" not in sys.modules:
        yield
        return
    from streamlit.testing.v1.util import patch_config_options

    with patch_config_options({"server.address": "127.0.0.1"}), local_mode_cookie():
        yield


@contextlib.contextmanager
def local_mode_cookie(cookie: str | None = "the process's"):
    """AppTest's runs as a browser holding `cookie` (by default the one the printed address gives)."""
    from kafo_data.access import cookie_value, new_token
    from kafo_data.ui import gate, signin

    token, reader = gate.TOKEN, signin._local_cookie
    gate.TOKEN = new_token()
    shown = cookie_value(gate.TOKEN) if cookie == "the process's" else cookie
    signin._local_cookie = lambda: shown
    try:
        yield
    finally:
        gate.TOKEN, signin._local_cookie = token, reader


def open_app(page: str, params: dict | None = None, *, session: dict | None = None, timeout: int = 60,
             before: object = None, remote: bool = False):
    """Run app.py on one page in AppTest, as a browser opening its address would; fails on any exception.

    `params` are the address's query parameters, `session` values set before the run (a table twin
    open), `before(at)` anything else (secrets, a signed-in user); `remote`: the server listens on an
    address that is not this computer's, so local mode is off and only signing in makes a manager.
    The one way the page tests open a page.
    """
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.util import patch_config_options

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    if callable(before):
        before(at)
    at.switch_page(page)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    with patch_config_options({"server.address": "192.0.2.2"}) if remote else contextlib.nullcontext():
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
