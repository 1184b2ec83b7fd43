"""Two dashboard processes behind HAProxy: a browser pinned to the second one can do everything.

Streamlit keeps a session in the process that opened it: its websocket, its uploads
(/_stcore/upload_file) and its deferred downloads (/media) must all reach that process, which
HAProxy's cookie does (`python -m kafo_data serve`, deploy/haproxy.cfg). The browser gets the
cookie of the second process before it opens anything; HAProxy's log then says which process
served each request. A batch loaded through the second process shows in the first without a restart.
The processes never offer local mode (`serve` sets KAFO_NO_LOCAL_MODE=1): the manager signs in, through
HAProxy, against oidc-provider-mock, as in a deployment.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kafo_data.devtools import serve
from kafo_data.store.batches import list_batches
from tests.browser import driver
from tests.browser.conftest import copy_data
from tests.browser.signin import MANAGER, MANAGERS_TOML, sign_in
from tests.browser.test_download import LINK, cli_export

pytestmark = pytest.mark.browser

REPORT = driver.REPO / "tests" / "fixtures" / "ingest" / "rapport_kafo2_bfa.csv"


@pytest.fixture(scope="module")
def served(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[serve.ServeSet]:
    if not Path(serve.HAPROXY).is_file():
        message = "HAProxy not found: apt-get install -y haproxy (CI does this in .ci/run)"
        if os.environ.get("KAFO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("haproxy")
    root = copy_data(folder / "data")
    logs = driver.ARTIFACTS / "haproxy"
    port = serve.free_port()
    (folder / "managers.toml").write_text(MANAGERS_TOML, encoding="utf-8")
    (folder / "secrets.toml").write_text(
        f'[auth]\nredirect_uri = "http://{serve.HOST}:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\nclient_id = "kafo-dashboard"\n'
        f'client_secret = "kafo-test-client-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    env = {"KAFO_ENABLE_UPLOAD": "1", "AUTHLIB_INSECURE_TRANSPORT": "1",
           "KAFO_MANAGERS_FILE": str(folder / "managers.toml")}
    with serve.ServeSet(root, processes=2, port=port, logs=logs, env=env,
                        args=["--secrets.files", str(folder / "secrets.toml")]) as running:
        yield running


def pinned(new_window, served: serve.ServeSet, process: str, provider: str) -> driver.Window:
    """A fresh browser holding HAProxy's cookie for one process (s1, s2) before its first request, signed in
    as a listed manager."""
    window = new_window(served.url)
    window.context.add_cookies([{"name": serve.COOKIE, "value": process, "url": served.url}])
    driver.open_page(window.page, served.url)
    sign_in(window, provider, MANAGER)
    return window


def routed(served: serve.ServeSet, path: str, expect: str | None = None) -> set[str]:
    """The processes HAProxy sent requests for `path` to, from its log (which it writes as a connection ends:
    given `expect`, wait up to 10 s for that process to appear)."""
    deadline = time.monotonic() + 10
    while True:
        log = (served.logs / "haproxy.log").read_text(encoding="utf-8", errors="replace")
        found = set(re.findall(rf"kafo streamlit/(s\d) .*\"[A-Z]+ {re.escape(path)}", log))
        if expect is None or expect in found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_shared_link_upload_and_download_on_the_second_process(served, new_window, provider, tmp_path):
    window = pinned(new_window, served, "s2", provider)
    page = window.page

    # a shared link: its filters are shown and applied
    driver.open_page(page, served.url, "seizures", LINK)
    assert driver.chosen(page, "Operation") == ["KAFO II"]
    assert driver.chosen(page, "Country") == ["Mali", "Niger"]
    assert not driver.errors(page)

    # the deferred download (built on click, fetched through /media) is the command line's file
    name, data = _download(window)
    assert name.endswith(".csv")
    assert data == cli_export(served.root, tmp_path / "cli.csv")

    # an upload (the file goes through /_stcore/upload_file), then storing it
    driver.open_page(page, served.url, "upload")
    before = {b.batch_id for b in list_batches(served.root)}
    driver.rerun(page, lambda: page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(REPORT))
    confirm = page.get_by_role("button", name=re.compile(r"^Store the"))
    driver.rerun(page, confirm.click)
    stored = {b.batch_id for b in list_batches(served.root)} - before
    assert len(stored) == 1, f"no batch stored; page errors: {driver.errors(page)}"
    window.context.close()  # HAProxy logs a websocket when it closes

    assert routed(served, "/_stcore/stream", expect="s2") == {"s2"}
    assert routed(served, "/_stcore/upload_file") == {"s2"}
    assert routed(served, "/media/") == {"s2"}

    # the first process shows the new batch without a restart (its data version changed)
    other = pinned(new_window, served, "s1", provider)
    driver.open_page(other.page, served.url, "upload")
    removable = other.page.get_by_test_id("stSelectbox").filter(has_text=driver.text("upload.remove_which", "en"))
    shown = removable.inner_text() + " ".join(i.input_value() for i in removable.locator("input").all())
    shown += " ".join(removable.locator("[value]").evaluate_all("els => els.map(e => e.getAttribute('value'))"))
    assert stored.pop() in shown, shown  # the one batch that can be taken out: the new one
    other.context.close()
    assert routed(served, "/_stcore/stream", expect="s1") == {"s1", "s2"}


def _download(window: driver.Window) -> tuple[str, bytes]:
    button = window.page.get_by_test_id("stDownloadButton").locator("button")
    with window.page.expect_download(timeout=60_000) as started:
        button.click()
    download = started.value
    assert download.failure() is None, f"the download failed: {download.failure()}"
    return download.suggested_filename, Path(download.path()).read_bytes()
