"""The gate in front of Streamlit (kafo_data.ui.gate), as an ASGI middleware around a stand-in app.

The real server, Chromium and HAProxy: tests/browser/test_local_mode.py. Here, fast: what the
printed address does, what a wrong one does, and which sessions may upload.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from kafo_data.access import cookie_value, new_token
from kafo_data.ui import gate


async def _page(request):  # the stand-in for Streamlit: it says what reached it
    return PlainTextResponse(f"{request.method} {request.url.path}?{request.url.query}")


@pytest.fixture
def client() -> Iterator[TestClient]:
    token, sessions = gate.TOKEN, set(gate.MANAGER_SESSIONS)
    gate.TOKEN = new_token()
    app = Starlette(routes=[Route("/{path:path}", _page, methods=["GET", "PUT", "DELETE"])],
                    middleware=gate.middleware())
    with TestClient(app, base_url="http://127.0.0.1:8501") as test_client:
        yield test_client
    gate.TOKEN = token
    gate.MANAGER_SESSIONS.clear()
    gate.MANAGER_SESSIONS.update(sessions)


def test_the_printed_address_sets_the_cookie_and_leaves_the_token_out_of_the_address(client):
    answer = client.get(f"/seizures?lang=fr&token={gate.TOKEN}&country=BFA", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/seizures?lang=fr&country=BFA"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{gate.cookie_name()}={cookie_value(gate.TOKEN)};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and gate.TOKEN not in cookie
    assert answer.headers["referrer-policy"] == "no-referrer" and answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("query", ["token=wrong", "token=", "a=1&token=x&token=y"])
def test_a_wrong_token_sets_nothing_and_is_taken_out_of_the_address(client, query):
    answer = client.get(f"/?{query}", follow_redirects=False)
    assert answer.status_code == 303 and "set-cookie" not in answer.headers
    assert "token" not in answer.headers["location"]


def _raw_request(raw_path: bytes, query: bytes) -> dict[str, Any]:
    """What the server hands the gate for a request line sent as is (a test client would rewrite `//x`)."""
    sent: list[dict[str, Any]] = []

    async def passed(scope, receive, send):
        sent.append({"type": "reached the app"})

    async def receive():
        return {"type": "http.request", "body": b""}

    async def send(message):
        sent.append(message)

    path = unquote(raw_path.decode("ascii"))
    scope = {"type": "http", "method": "GET", "path": path, "raw_path": raw_path, "query_string": query,
             "headers": []}
    with concurrent.futures.ThreadPoolExecutor(1) as own:  # a loop of its own: a browser test's may be running here
        own.submit(asyncio.run, gate.Gate(passed)(scope, receive, send)).result(10)
    return {**sent[0], "headers": {k.decode(): v.decode("latin-1") for k, v in sent[0].get("headers", [])}}


@pytest.mark.parametrize("raw_path, location", [
    (b"//evil.example/login", "/evil.example/login"), (b"/%5Cevil.example/x", "/%5Cevil.example/x"),
    (b"/%2F%2Fevil.example/y", "/%2F%2Fevil.example/y"), (b"/\\evil.example", "/evil.example"),
    (b"/\\/\\evil.example", "/evil.example"), (b"/%E2%82%AC", "/%E2%82%AC"),
    (b"/x%0d%0aSet-Cookie:%20a=b", "/x%0d%0aSet-Cookie:%20a=b"),
])
def test_taking_the_token_out_never_sends_the_browser_to_another_site(client, raw_path, location):
    """Reviewer's finding: the address without the token was built from the decoded path, so `//evil.example`
    became a redirect to another site (through HAProxy and nginx too), and `€` a server error."""
    answer = _raw_request(raw_path, b"token=1&lang=fr")
    assert answer["status"] == 303 and answer["headers"]["location"] == f"{location}?lang=fr"
    assert "set-cookie" not in answer["headers"]


def test_an_encoded_token_key_is_the_same_key(client):
    answer = client.get(f"/?%74oken={gate.TOKEN}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/" and "set-cookie" in answer.headers


def test_without_a_token_in_this_process_no_address_sets_the_cookie(client):
    token, gate.TOKEN = gate.TOKEN, None
    answer = client.get(f"/?token={token}", follow_redirects=False)
    assert answer.status_code == 303 and "set-cookie" not in answer.headers


def test_only_a_managers_session_reaches_the_upload_endpoint(client):
    gate.remember("manager-session", True)
    gate.remember("was-a-manager", True)
    gate.remember("was-a-manager", False)   # signed out, or taken off the list: its next run says so
    for session in ("public-session", "was-a-manager", ""):
        answer = client.put(f"/_stcore/upload_file/{session}/f1", content=b"x" * 1000)
        assert answer.status_code == 403 and answer.text == "Uploads are for managers only.\n", session
    assert client.put("/_stcore/upload_file/manager-session/f1", content=b"x").text.startswith("PUT /_stcore")
    assert client.get("/overview").text == "GET /overview?", "other addresses pass untouched"


@pytest.mark.parametrize("value, stops", [("change-me-to-a-long-random-value", True), ("short", True),
                                          ("", False), ("9f" * 32, False)])
def test_a_placeholder_cell_key_secret_stops_the_start_and_an_unset_one_is_a_warning(monkeypatch, capsys,
                                                                                   value, stops):
    """deploy/dashboard.env ships a placeholder: forgetting to replace it would publish noise anyone recomputes."""
    monkeypatch.setenv("KAFO_CELL_KEY_SECRET", value)
    if stops:
        with pytest.raises(SystemExit) as ended:
            gate.middleware()
        assert ended.value.code == 3 and "openssl rand -hex 32" in capsys.readouterr().err
    else:
        assert gate.middleware()


def test_streamlits_upload_limit_is_the_readmes_file_limit():
    """The labels say MAX_FILE_BYTES; Streamlit's own endpoint enforces server.maxUploadSize (in MiB)."""
    import tomllib
    from pathlib import Path

    from kafo_data.ingest.read import MAX_FILE_BYTES

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_FILE_BYTES
