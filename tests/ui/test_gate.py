"""The gate in front of Streamlit (kafo_data.ui.gate), as an ASGI middleware around a stand-in app.

The real server, Chromium and HAProxy: tests/browser/test_local_mode.py. Here, fast: what the
printed address does, what a wrong one does, and which sessions may upload.
"""

from __future__ import annotations

from collections.abc import Iterator

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
