"""Sign-in and the public view in a real browser, against a real identity provider.

- The real sign-in: oidc-provider-mock (PyPI) runs as the OpenID Connect provider on 127.0.0.1; the
  app is configured against it through a secrets file in a temporary folder (`--secrets.files`),
  with AUTHLIB_INSECURE_TRANSPORT=1 because the provider speaks plain http (tests only). A listed
  manager signs in and sees the records; an unlisted person sees the public view and is told why;
  both sign out.
- A public visitor: the server listens on this machine's own non-loopback address (no sign-in
  configured) and the browser reaches it through that address; the Load reports page, opened by its
  URL, says "sign in to see this page". No traffic leaves this machine.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import driver
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, _free_port, copy_data, start_server
from tests.browser.hosts import NamespaceHost

pytestmark = pytest.mark.browser
MANAGER = "amina.diallo@unodc.example"
OUTSIDER = "press.officer@news.example"


# --- the identity provider -------------------------------------------------------------------

@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """oidc-provider-mock on a free loopback port; its authorize page asks for a `sub` (the e-mail)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("idp") / "idp.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"oidc-provider-mock did not start: {log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.2)
    yield url
    process.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def signin_server(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("signin")
    (folder / "managers.toml").write_text(f'emails = ["{MANAGER}"]\n', encoding="utf-8")

    def secrets(port: int) -> list[str]:
        path = folder / "secrets.toml"
        path.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-thirty-two-chars-or-more"\n'
            'client_id = "kafo-dashboard"\n'
            'client_secret = "kafo-test-client-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
        return ["--secrets.files", str(path)]

    driver.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = start_server(copy_data(folder / "data"), driver.ARTIFACTS / "signin-server.log", args=secrets,
                          env={"AUTHLIB_INSECURE_TRANSPORT": "1", "KAFO_MANAGERS_FILE": str(folder / "managers.toml")})
    yield server
    server.stop()


def sidebar_text(page: Any) -> str:
    return driver.sidebar(page).inner_text().replace("\u200b", "")


def sign_in(window: driver.Window, provider: str, email: str) -> None:
    """Press Sign in, authorize on the provider's page as `email`, land back in the app."""
    page = window.page
    driver.show_sidebar(page)
    driver.sidebar(page).get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(provider) + ".*"), timeout=60_000)
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(window.base_url) + r"/?(\?.*)?$"), timeout=60_000)
    driver.settle(page)


def sign_out(window: driver.Window, provider: str) -> None:
    """Press Sign out; the provider asks to end its session too (RP-initiated logout), then sends us back."""
    page = window.page
    driver.show_sidebar(page)
    driver.sidebar(page).get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(provider) + ".*end_session.*"), timeout=60_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(window.base_url) + r"/?(\?.*)?$"), timeout=60_000)
    driver.settle(page)
    page.get_by_role("button", name="Sign in").first.wait_for(timeout=60_000)


def test_a_listed_manager_signs_in_sees_the_records_and_signs_out(signin_server, provider, new_window):
    window = new_window(signin_server.url)
    page = window.page
    driver.open_page(page, signin_server.url, "seizures")
    assert "Public view" in sidebar_text(page)
    assert page.get_by_test_id("stDataFrame").count() == 0, "no record table before signing in"
    assert "upload" not in [link.get_attribute("href").rsplit("/", 1)[-1]
                            for link in driver.sidebar(page).get_by_test_id("stSidebarNavLink").all()]

    sign_in(window, provider, MANAGER)
    assert f"Signed in as {MANAGER} (manager)" in sidebar_text(page)
    driver.go_to(page, "seizures")
    records = page.get_by_test_id("stMain").get_by_test_id("stExpander").filter(has_text="Item lines, 50 a page")
    driver.rerun(page, records.locator("summary").click)  # the records are drawn when opened
    page.get_by_test_id("stDataFrame").first.wait_for()
    assert driver.text("seizures.records", "en") in page.get_by_test_id("stMain").inner_text()
    driver.go_to(page, "upload")
    page.get_by_test_id("stFileUploader").wait_for()
    driver.screenshot(page, "access-manager-signed-in")

    sign_out(window, provider)
    assert "Public view" in sidebar_text(page)
    driver.open_page(page, signin_server.url, "upload")
    assert driver.heading(page) == "Sign in to see this page"
    assert page.get_by_test_id("stFileUploader").count() == 0
    # the provider's own page asks a CDN for its stylesheet; the app asks nothing outside
    assert [u for u in window.network.blocked if "picocss" not in u] == []


def test_an_unlisted_person_signs_in_and_stays_public_with_the_reason(signin_server, provider, new_window):
    window = new_window(signin_server.url)
    page = window.page
    driver.open_page(page, signin_server.url)
    sign_in(window, provider, OUTSIDER)
    main = page.get_by_test_id("stMain").inner_text().replace("\u200b", "")
    assert OUTSIDER in main and "not on the managers' list" in main
    driver.go_to(page, "seizures")
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert "fewer than 3" in page.get_by_test_id("stMain").inner_text() or "totals only" in \
        page.get_by_test_id("stMain").inner_text()
    driver.screenshot(page, "access-signed-in-not-listed")
    driver.open_page(page, signin_server.url, "upload")
    assert driver.heading(page) == "Sign in to see this page"
    sign_out(window, provider)
    assert OUTSIDER not in sidebar_text(page)


# --- a public visitor on a non-loopback address ----------------------------------------------

@pytest.fixture(scope="module")
def outside_server(test_host: NamespaceHost | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server on a test host of our own (a network namespace), listening on its non-loopback address."""
    if test_host is None:
        pytest.skip("no network namespace for an outside visitor here (needs root and iproute2)")
    folder = tmp_path_factory.mktemp("outside")
    driver.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = start_server(copy_data(folder / "data"), driver.ARTIFACTS / "outside-server.log",
                          address=test_host.address, netns=test_host.netns)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def outside_window(outside_server: Server, chromium: Any) -> Iterator[driver.Window]:
    """A browser of its own whose closed network lets this one address through (and loopback)."""
    host = outside_server.url.split("//")[1].split(":")[0]
    args = [a if not a.startswith("--host-resolver-rules") else f"{a} , EXCLUDE {host}" for a in CHROMIUM_ARGS]
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=args)
    context = browser.new_context(viewport=driver.DESKTOP)
    context.set_default_timeout(60_000)
    network = driver.NetworkGuard(allowed_hosts=(host, "127.0.0.1"))
    network.install(context)
    page = context.new_page()
    driver.watch_runs(page)
    yield driver.Window(context, page, network, outside_server.url)
    browser.close()


def test_a_public_visitor_cannot_open_load_reports_by_its_url(outside_server, outside_window):
    page = outside_window.page
    driver.open_page(page, outside_server.url, "upload")
    assert driver.heading(page) == "Sign in to see this page"
    assert page.get_by_test_id("stFileUploader").count() == 0
    assert "sign-in is not set up" in page.get_by_test_id("stMain").inner_text()
    driver.screenshot(page, "access-public-upload-by-url")
    hrefs = [link.get_attribute("href") or "" for link in driver.sidebar(page).get_by_test_id("stSidebarNavLink").all()]
    assert hrefs and not any(h.rstrip("/").endswith("/upload") for h in hrefs)
    assert "Local mode" not in page.get_by_test_id("stMain").inner_text()


def test_a_public_visitor_sees_totals_not_records(outside_server, outside_window):
    page = outside_window.page
    driver.open_page(page, outside_server.url, "seizures", "operation=KAFO-II&country=BFA")
    main = page.get_by_test_id("stMain").inner_text()
    assert "totals only" in main and "fewer than 3" in main
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert driver.sidebar(page).get_by_test_id("stDateInput").count() == 0
    assert driver.errors(page) == []
    driver.screenshot(page, "access-public-seizures")
    assert outside_window.network.blocked == []


