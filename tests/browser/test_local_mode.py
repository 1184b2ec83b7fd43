"""Local mode is proved by the printed token, never inferred from what a client or a proxy writes (issue 24).

- The token flow in Chromium: the address the server printed gives local mode and keeps it after a
  reload; the token is never in the address bar, a shared link or a download, and a second browser
  context, which never saw it, is public.
- The shipped HAProxy configuration, its bind moved to this machine's test-host address, in front of
  a server that offers local mode: Chromium, mapping `ip6-localhost` to that address, is public; so
  is a raw websocket client sending every loopback Host and Origin, through HAProxy and straight to
  the server's loopback port.
- A public session's upload is refused before Streamlit reads a byte; the server's memory is
  measured before and after (printed), a manager's session is the control.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import re
import socket
import subprocess
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from kafo_data.access import cookie_value
from kafo_data.devtools import serve
from kafo_data.devtools.loadtest import _run_async
from tests.browser import driver
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server
from tests.browser.hosts import NamespaceHost

# One worker runs this module: its servers are started once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("local-mode")]
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]:8080", "ip6-localhost", "127.0.0.2", "localhost.")
LOOPBACK_ORIGINS = (None, "http://127.0.0.1", "http://localhost:8501", "http://[::1]:8080", "http://ip6-localhost")


def main_text(page: Any) -> str:
    return page.get_by_test_id("stApp").inner_text().replace("\u200b", "")


# --- the token flow --------------------------------------------------------------------------

def test_the_printed_address_gives_local_mode_and_nothing_carries_the_token(server: Server, app_url: str,
                                                                          new_window: Any) -> None:
    token = server.token
    assert token, f"the README's server printed no local-mode address:\n{server.output(2000)}"
    printed = re.search(r"http://\S+\?token=\S+", server.log.read_text(encoding="utf-8", errors="replace")).group(0)
    window = new_window(app_url, local=False)
    page = window.page

    driver.open_page(page, app_url, "seizures")   # the bare address: public, and told where the address is
    assert "Local mode" not in main_text(page) and "?token=" in main_text(page)

    page.goto(printed)
    assert token not in page.url and page.url.rstrip("/") == app_url, page.url
    page.get_by_text("Local mode").first.wait_for(timeout=30_000)
    assert "kafo_local" not in page.evaluate("document.cookie"), "HttpOnly: no script reads it"
    page.reload()
    page.get_by_text("Local mode").first.wait_for(timeout=30_000)   # kept after a reload

    driver.open_page(page, app_url, "seizures", "operation=KAFO-II&country=BFA")   # a link to share
    assert "Local mode" in main_text(page) and token not in page.url
    records = page.get_by_test_id("stMain").get_by_test_id("stExpander").filter(has_text="Item lines, 50 a page")
    driver.rerun(page, records.locator("summary").click)
    with page.expect_download(timeout=60_000) as started:
        page.get_by_test_id("stDownloadButton").first.locator("button").click()
    data = Path(started.value.path()).read_bytes()
    assert data and token.encode() not in data and cookie_value(token).encode() not in data
    driver.screenshot(page, "local-mode-after-the-printed-address")

    other = new_window(app_url, local=False)   # a second context: it never saw the address
    driver.open_page(other.page, app_url, "upload")
    assert driver.heading(other.page) == "Sign in to see this page" and "Local mode" not in main_text(other.page)
    log = server.log.read_text(encoding="utf-8", errors="replace")
    assert log.count(token) == 1, "the token is printed once, never logged with a request"


# --- through the shipped HAProxy configuration, from a test host's address -------------------

@pytest.fixture(scope="module")
def proxy(test_host: NamespaceHost | None, server: Server, app_url: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """deploy/haproxy.cfg as shipped, bind moved to this machine's end of the test-host link, in front of the
    session server (which offers local mode: the hardest case)."""
    if test_host is None:
        pytest.skip("no test-host address here (needs root and iproute2)")
    if not Path(serve.HAPROXY).is_file():
        pytest.skip("HAProxy not found: apt-get install -y haproxy")
    address = test_host.address.rsplit(".", 1)[0] + ".1"
    port = serve.free_port()
    shipped = (driver.REPO / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    config = re.sub(r"bind 127\.0\.0\.1:8080", f"bind {address}:{port}", shipped)
    config = re.sub(r"(\n    server s1 .*)+", "\n    server s1 " + app_url.split("//")[1] + " check cookie s1", config)
    config = config.replace("log /dev/log local0", "log stdout format raw local0")
    assert f"bind {address}:{port}" in config and "option forwardfor" in config
    folder = tmp_path_factory.mktemp("proxy")
    (folder / "haproxy.cfg").write_text(config, encoding="utf-8")
    with (folder / "haproxy.log").open("wb") as out:
        process = subprocess.Popen([serve.HAPROXY, "-db", "-f", str(folder / "haproxy.cfg")], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), urllib.request.urlopen(
                    f"http://{address}:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
            if process.poll() is not None:
                pytest.fail((folder / "haproxy.log").read_text(errors="replace"))
            import time

            time.sleep(0.2)
        yield address, port
    finally:
        serve.stop_process(process, timeout=10)


def test_ip6_localhost_mapped_to_the_proxy_is_public(proxy: tuple[str, int], chromium: Any) -> None:
    address, port = proxy
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--host-resolver-rules")]
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=[
        *args, f"--host-resolver-rules=MAP ip6-localhost {address} , MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])
    try:
        context = browser.new_context(viewport=driver.DESKTOP)
        context.set_default_timeout(60_000)
        network = driver.NetworkGuard(allowed_hosts=("ip6-localhost",))
        network.install(context)
        page = context.new_page()
        driver.watch_runs(page)
        url = f"http://ip6-localhost:{port}"
        driver.open_page(page, url, "seizures")
        assert "Local mode" not in main_text(page) and "Public view" in main_text(page)
        assert page.get_by_test_id("stDataFrame").count() == 0
        driver.open_page(page, url, "upload")
        assert driver.heading(page) == "Sign in to see this page"
        assert "?token=" not in main_text(page), "a proxied visitor is not even told of the printed address"
        driver.screenshot(page, "local-mode-ip6-localhost-through-haproxy")
        assert network.blocked == []
    finally:
        browser.close()


@contextlib.asynccontextmanager
async def _session(connect_to: tuple[str, int], host: str, origin: str | None,
                   cookie: str | None = None) -> AsyncIterator[tuple[str, str]]:
    """One Streamlit session opened by a raw websocket client that writes its own Host and Origin, kept open
    inside the block: yields (the role its page shows: local, public or refused; its session id)."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sock = socket.create_connection(connect_to, timeout=10)
    headers = {"Cookie": cookie} if cookie else {}
    try:
        ws = await websockets.connect(f"ws://{host}/_stcore/stream", sock=sock, origin=origin,
                                      subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                                      open_timeout=20, ping_interval=None)
    except (websockets.InvalidStatus, websockets.InvalidHandshake, OSError):
        sock.close()
        yield "refused", ""
        return
    async with ws:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        await ws.send(msg.SerializeToString())
        texts, session_id = [], ""
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(ws.recv(), 60))
            kind = forward.WhichOneof("type")
            if kind == "new_session":
                session_id = forward.new_session.initialize.session_id
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                texts.append(element.markdown.body if element.WhichOneof("type") == "markdown" else "")
            elif kind == "script_finished" and forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                break
        text = "\n".join(texts)
        assert ("Local mode" in text) != ("Public view" in text), text[:2000]
        yield ("local" if "Local mode" in text else "public"), session_id


async def _role_over_websocket(connect_to: tuple[str, int], host: str, origin: str | None,
                               cookie: str | None = None) -> str:
    async with _session(connect_to, host, origin, cookie) as (role, _):
        return role


def test_a_raw_websocket_with_every_loopback_host_and_origin_is_public(proxy: tuple[str, int], server: Server,
                                                                       app_url: str) -> None:
    backend = (app_url.split("//")[1].rsplit(":", 1)[0], int(app_url.rsplit(":", 1)[1]))
    seen: dict[tuple[str, str, str | None], str] = {}

    async def everything() -> None:
        for route, target in (("haproxy", proxy), ("straight to the loopback port", backend)):
            for host in (*LOOPBACK_HOSTS, f"127.0.0.1:{backend[1]}", f"localhost:{backend[1]}"):
                for origin in LOOPBACK_ORIGINS:
                    seen[(route, host, origin)] = await _role_over_websocket(target, host, origin)
        # the control: the same client with the cookie of the printed address, straight to the server
        seen[("control", "127.0.0.1", None)] = await _role_over_websocket(
            backend, f"127.0.0.1:{backend[1]}", None, f"kafo_local_{backend[1]}={cookie_value(server.token)}")

    _run_async(everything())
    print(f"\n{len(seen) - 1} raw websocket sessions: "
          + ", ".join(f"{r}: {sum(1 for k, v in seen.items() if v == r and k[0] != 'control')}"
                      for r in ("public", "refused", "local")))
    assert seen.pop(("control", "127.0.0.1", None)) == "local", "the client can see local mode when proved"
    assert [k for k, v in seen.items() if v == "local"] == []
    for route in ("haproxy", "straight to the loopback port"):
        assert sum(1 for k, v in seen.items() if k[0] == route and v == "public") >= len(LOOPBACK_HOSTS), route


# --- uploads only for managers ---------------------------------------------------------------

def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:"))


def _put(backend: tuple[str, int], session_id: str, size_mb: int) -> int:
    """PUT `size_mb` MB to Streamlit's upload endpoint for this session, with a valid XSRF pair (as a page has)."""
    from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

    token = generate_xsrf_token_string(None, None)
    boundary = "kafo24"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body_size = len(head) + size_mb * 2**20 + len(tail)
    connection = http.client.HTTPConnection(*backend, timeout=60)
    try:
        connection.putrequest("PUT", f"/_stcore/upload_file/{session_id}/file-1")
        for name, value in (("Content-Type", f"multipart/form-data; boundary={boundary}"),
                            ("Content-Length", str(body_size)), ("X-Xsrftoken", token),
                            ("Cookie", f"_streamlit_xsrf={token}")):
            connection.putheader(name, value)
        connection.endheaders()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.send(head)
            chunk = b"x" * 2**20
            for _ in range(size_mb):
                connection.send(chunk)
            connection.send(tail)
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_public_session_cannot_upload_and_the_server_memory_stays(server: Server, app_url: str) -> None:
    backend = (app_url.split("//")[1].rsplit(":", 1)[0], int(app_url.rsplit(":", 1)[1]))
    cookie = f"kafo_local_{backend[1]}={cookie_value(server.token)}"

    host = f"127.0.0.1:{backend[1]}"
    pid = server.process.pid

    async def attempts() -> tuple[list[str], float, list[int], float, int]:
        async with _session(backend, host, None) as public, _session(backend, host, None, cookie) as manager:
            before = _rss_mb(pid)
            refused = [await asyncio.to_thread(_put, backend, public[1], 100) for _ in range(3)]
            after = _rss_mb(pid)
            accepted = await asyncio.to_thread(_put, backend, manager[1], 1)
            return [public[0], manager[0]], before, refused, after, accepted

    roles, before, refused, after, accepted = _run_async(attempts())
    assert roles == ["public", "local"]
    print(f"\nserver memory around 3 x 100 MB public upload attempts: {before:.0f} -> {after:.0f} MB "
          f"(answers {refused}); a manager's 1 MB upload: {accepted}")
    assert refused == [403, 403, 403]
    assert accepted in (200, 204), "the control: a manager's session can upload"
    assert after - before < 50, "the refused bytes were never held"
