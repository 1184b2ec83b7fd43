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

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import driver
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, copy_data, start_server
from tests.browser.hosts import NamespaceHost
from tests.browser.signin import MANAGER, MANAGERS_TOML, OUTSIDER, sidebar_text, sign_in, sign_out

# One worker runs this module: its servers are started once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("access")]


@pytest.fixture(scope="module")
def signin_server(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("signin")
    (folder / "managers.toml").write_text(MANAGERS_TOML, encoding="utf-8")

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


def test_allow_list_tricks_sign_in_for_real_and_stay_public(signin_server, provider, new_window):
    """Two of the tricks through the real provider and ID token (all of them, `email_verified: 0` too:
    tests/pages/test_access.py and tests/test_access.py; each sign-in here costs ~10 s of the test run)."""
    for sub, reason in (("trick-kelvin", "not on the managers' list"), ("trick-verified-no", "has not confirmed")):
        window = new_window(signin_server.url)
        driver.open_page(window.page, signin_server.url)
        sign_in(window, provider, sub)
        side = sidebar_text(window.page)
        assert "(manager)" not in side and "Signed in as" in side, side
        main = window.page.get_by_test_id("stMain").inner_text().replace("\u200b", "")
        assert reason in main, main[:500]
        assert window.page.get_by_test_id("stSidebarNav").get_by_text("Load reports").count() == 0
        window.context.close()


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




def test_a_public_visitor_sees_the_firearms_page_adjusted_and_no_weapon(outside_server, outside_window):
    """Issue 30: the public Firearms page says its counts are adjusted; no make or calibre reaches the browser."""
    page = outside_window.page
    driver.open_page(page, outside_server.url, "firearms", "show=tracing")
    main = page.get_by_test_id("stMain").inner_text()
    assert "(adjusted)" in main and "Origin established for" in main
    for word in ("Beretta", "Browning", "Taurus", "Baikal", "Kalashnikov", "7.62x39", "SAMPLE-KAFO"):
        assert word not in page.content(), word
    assert driver.errors(page) == []
    driver.screenshot(page, "access-public-firearms")
    page.set_viewport_size(driver.PHONE)
    driver.open_page(page, outside_server.url, "firearms", "")
    driver.screenshot(page, "access-public-firearms-phone")
    assert driver.overflow(page) <= 1
    page.set_viewport_size(driver.DESKTOP)
    assert outside_window.network.blocked == []
