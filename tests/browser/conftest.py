"""The real server and Debian's Chromium, for tests that look at the dashboard as a person does.

The server is `streamlit run app.py` with this very Python, on 127.0.0.1 and a free port, over a
copy of `data/` (so a test may add data without touching the repository). It is started once
for the session; a test that needs the server's very first session asks for `fresh_server`.
If the server dies, the test fails at once with what it printed, as Datasette's tests do.

Chromium is Debian's (`/usr/bin/chromium`): Playwright cannot download a browser here. Every
context closes the network: requests to anything but 127.0.0.1 are aborted and recorded.
Without Chromium or Playwright the browser tests are skipped with a message that says how to
run them; CI sets KAFO_REQUIRE_BROWSER=1 so that there they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser import driver
from tests.browser.driver import ARTIFACTS, DESKTOP, PHONE, REPO, NetworkGuard, Window, open_page, watch_runs
from tests.browser.hosts import NamespaceHost, NoTestHost, handed_over, namespace_host

CHROMIUM = os.environ.get("KAFO_CHROMIUM", "/usr/bin/chromium")
SKIP_MESSAGE = "Chromium not found: apt-get install -y chromium (CI does this in .ci/run)"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Second lock on the network: no name resolves except loopback, whatever the page asks.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
START_TIMEOUT_S = 90
BLOCKED: list[str] = []  # every request to the internet that any test's browser tried, in order
LOCAL_TOKENS: dict[str, str | None] = {}  # server address -> the local-mode token it printed


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).is_file():
        return SKIP_MESSAGE
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return SKIP_MESSAGE + "; and pip install -r requirements-dev.txt (playwright)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip (or, under KAFO_REQUIRE_BROWSER=1, fail) the browser tests when Chromium is missing."""
    problem = _browser_missing()
    if problem is None:
        return
    if os.environ.get("KAFO_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(problem)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=problem))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say what the browser tried to fetch from the internet (the network is closed here)."""
    if not BLOCKED:
        return
    terminalreporter.section("requests to the internet, blocked")
    for url in dict.fromkeys(BLOCKED):
        terminalreporter.write_line(f"{BLOCKED.count(url)} x {url}")


# --- the server ------------------------------------------------------------------------------

@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def token(self) -> str | None:
        """Local mode's token, from the address the server printed at start (None: it offers no local mode)."""
        found = re.search(r"\?token=([\w-]+)", self.log.read_text(encoding="utf-8", errors="replace")[:4000])
        return found.group(1) if found else None

    def output(self, tail: int = 8000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-tail:]

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            pytest.fail(f"the Streamlit server exited with code {code}; its output:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _free_port(address: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def start_server(data_dir: Path, log: Path, *, address: str = "127.0.0.1", env: dict[str, str] | None = None,
                 args: Callable[[int], list[str]] | None = None, netns: str | None = None) -> Server:
    """`streamlit run app.py` on a free port of `address`; returns once /_stcore/health says ok.

    `env` adds environment variables; `args(port)` adds command-line flags that need the port
    (a sign-in redirect address names it); `netns` runs the server inside that network namespace
    (a test host of our own, `tests.browser.hosts`), where any port is free.
    """
    env = {**os.environ, "KAFO_DATA_DIR": str(data_dir), "KAFO_ENABLE_UPLOAD": "1", "PYTHONUNBUFFERED": "1",
           **(env or {})}
    for _attempt in range(3):
        port = 8501 if netns else _free_port(address)
        command = [
            *(["ip", "netns", "exec", netns] if netns else []),
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.port", str(port), "--server.address", address, "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
            # Other people edit the code while the tests run: never rerun on a saved file.
            "--server.fileWatcherType", "none", "--server.runOnSave", "false",
            *(args(port) if args else []),
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL)
        server = Server(f"http://{address}:{port}", data_dir, process, log)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if _healthy(server.url):
                LOCAL_TOKENS[server.url] = server.token
                return server
            time.sleep(0.2)
        if process.poll() is not None and "is not available" in server.output():
            continue  # another process took the port between our probe and the bind: try another
        server.stop()
        pytest.fail(f"the Streamlit server did not become healthy at {server.url}; its output:\n{server.output()}")
    pytest.fail(f"no free port for the Streamlit server; its output:\n{server.output()}")


def copy_data(target: Path) -> Path:
    shutil.copytree(REPO / "data", target, ignore=shutil.ignore_patterns("tmp", "rejected"))
    return target


@pytest.fixture(scope="session")
def browser_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped data/ that the session server reads."""
    return copy_data(tmp_path_factory.mktemp("browser") / "data")


@pytest.fixture(scope="session")
def server(browser_data: Path) -> Iterator[Server]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    running = start_server(browser_data, ARTIFACTS / "server.log")
    yield running
    running.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own, so the test gets the very first session after a start."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    running = start_server(copy_data(tmp_path / "data"), ARTIFACTS / "fresh-server.log")
    yield running
    running.check_alive()
    running.stop()


@pytest.fixture(autouse=True)
def _server_still_alive(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a browser test, say so at once if the server it used has died."""
    yield
    if "server" in request.fixturenames:
        request.getfixturevalue("server").check_alive()


# --- the identity provider -------------------------------------------------------------------

@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """oidc-provider-mock on a free loopback port; its authorize page asks for a `sub`.

    The people of `tests.browser.signin.PEOPLE` have their claims set (the listed manager, an outsider,
    the allow-list tricks); any other `sub` gets only `email` = sub (no `email_verified`).
    """
    import json

    from tests.browser.signin import PEOPLE

    port = _free_port()
    log = tmp_path_factory.mktemp("idp") / "idp.log"
    claims = [a for sub, c in PEOPLE.items() for a in ("--user-claims", json.dumps({"sub": sub, **c}))]
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *claims],
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



# --- the browser -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def test_host() -> Iterator[NamespaceHost | None]:
    """The outside visitor's host, made before the browser starts: see `tests.browser.hosts`."""
    given, host = handed_over(os.environ.get("PYTEST_XDIST_WORKER", ""))
    if given:
        yield host
        return
    with contextlib.ExitStack() as stack:
        try:
            host = stack.enter_context(namespace_host())
        except NoTestHost:
            host = None  # the tests that need it say so when they skip
        yield host


@pytest.fixture(scope="session")
def chromium(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One browser per process; a test host, when any test of this run needs one, is made first."""
    from playwright.sync_api import sync_playwright

    if any("test_host" in item.fixturenames for item in request.session.items):
        request.getfixturevalue("test_host")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test leaves the screenshots it named (driver.screenshot) of the windows it used."""
    if call.when == "setup":
        driver.forget_pending()
        _OPENED_BEFORE[0] = len(_OPENED)
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        windows = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Window)]
        windows += [w for w in _OPENED[_OPENED_BEFORE[0]:] if w not in windows]
        saved = driver.save_pending([w.page for w in windows], re.sub(r"\W+", "-", item.name))
        if saved:
            report.sections.append(("screenshots", "\n".join(map(str, saved))))


_OPENED: list[Window] = []  # every window of this process, in the order opened
_OPENED_BEFORE = [0]  # how many were open when the running test's setup began
_KEPT: set[int] = set()  # the windows that session fixtures hold (`desktop`)


def _close(windows: list[Window]) -> None:
    for window in windows:
        if id(window) not in _KEPT:
            with contextlib.suppress(Exception):
                window.context.close()


@pytest.fixture(autouse=True, scope="module")
def _close_the_modules_windows() -> Iterator[None]:
    """An open page keeps its renderer and its server session working (about 0.02 s of CPU a second): the
    windows a module opened close when it ends, those a test opened when it ends."""
    before = len(_OPENED)
    yield
    _close(_OPENED[before:])


@pytest.fixture(autouse=True)
def _close_the_tests_windows() -> Iterator[None]:
    before = len(_OPENED)
    yield
    _close(_OPENED[before:])


@pytest.fixture(scope="session")
def new_window(chromium: Any) -> Iterator[Callable[..., Window]]:
    """Open a fresh browser window (desktop or phone size) with the network closed."""

    def make(base_url: str, size: str = "desktop", hosts: tuple[str, ...] = ("127.0.0.1",),
             local: bool = True) -> Window:
        """`local`: the window holds the cookie that the server's printed address gives (the person who ran
        it, as in the README); test_local_mode.py opens that address itself."""
        options: dict[str, Any] = {"viewport": DESKTOP, "accept_downloads": True}
        if size == "phone":
            options.update(viewport=PHONE, is_mobile=True, has_touch=True)
        context = chromium.new_context(**options)
        token = LOCAL_TOKENS.get(base_url) if local else None
        if token:
            from kafo_data.access import cookie_value

            port = base_url.rsplit(":", 1)[1].split("/")[0]
            context.add_cookies([{"name": f"kafo_local_{port}", "value": cookie_value(token), "url": base_url,
                                  "httpOnly": True, "sameSite": "Strict"}])
        context.set_default_timeout(60_000)
        network = NetworkGuard(allowed_hosts=hosts, log=BLOCKED)
        network.install(context)
        page = context.new_page()
        watch_runs(page)
        window = Window(context, page, network, base_url)
        _OPENED.append(window)
        return window

    yield make
    for window in _OPENED:
        with contextlib.suppress(Exception):
            window.context.close()


@pytest.fixture(scope="session")
def app_url(server: Server, new_window: Callable[..., Window]) -> str:
    """The session server, past its first session (that one is test_first_session's business).

    Until a session runs app.py itself, Streamlit's legacy `pages/` router serves every link to
    a page; opening the root once makes the tests' results independent of their order.
    """
    window = new_window(server.url)
    open_page(window.page, server.url)
    window.context.close()
    return server.url


@pytest.fixture(scope="session")
def desktop(new_window: Callable[..., Window], app_url: str) -> Window:
    """The desktop window most tests share (each test opens its own links in it)."""
    window = new_window(app_url, "desktop")
    _KEPT.add(id(window))
    return window
