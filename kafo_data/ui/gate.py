"""The door in front of Streamlit: app.py's `st.App` runs every HTTP request through `Gate` first.

- **Local mode is proved, never inferred** (Jupyter's model). A server that may offer local mode (no
  sign-in configured, listening on loopback only, not started by `serve` or systemd, which set
  `KAFO_NO_LOCAL_MODE=1`) makes a random token at start and prints one address that carries it. Opening
  that address (`?token=...`) gives the browser an HttpOnly, SameSite=Strict cookie and sends it on (303)
  to the same address without the token, so the token is never in the address bar, a shared link, a
  download or a referrer. Each run compares the cookie with the process's token
  (`kafo_data.access.proves_local`). Host, Origin and forwarding headers grant nothing.
- **Uploads only for managers.** Streamlit's `/_stcore/upload_file/<session>/<file>` takes bytes from any
  session; the gate answers 403 before reading a byte unless that session's last run was a manager's
  (`MANAGER_SESSIONS`, which `kafo_data.ui.signin.current` keeps).
- **No placeholder secrets.** A server whose cookie secret is the example's placeholder refuses to start
  and says how to make one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import streamlit as st
from streamlit import config as st_config

from kafo_data import cellkey
from kafo_data.access import cookie_value, local_mode_off, new_token, proves_local, secret_problem

NO_LOCAL_MODE = "KAFO_NO_LOCAL_MODE"  # set to 1 by serve, deploy/ and the systemd units
UPLOAD_ROUTE = "/_stcore/upload_file/"

TOKEN: str | None = None  # this process's local-mode token; None: no local mode here
MANAGER_SESSIONS: set[str] = set()  # Streamlit session ids whose last run was a manager's

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def auth_section() -> Mapping[str, Any] | None:
    try:
        section = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, ValueError, OSError):  # no secrets file, or one Streamlit cannot parse
        return None
    return section if isinstance(section, Mapping) else None


def auth_configured() -> bool:
    """Sign-in is on when secrets.toml has an [auth] section (complete or not: then nobody is a local manager)."""
    return auth_section() is not None


def auth_cookie_secret() -> str | None:
    """`[auth] cookie_secret`, for the start's check against placeholders."""
    value = (auth_section() or {}).get("cookie_secret")
    return value if isinstance(value, str) else None


def cookie_name() -> str:
    """One cookie per port: a browser sends a host's cookies to every port of it, and two dashboards differ."""
    return f"kafo_local_{st_config.get_option('server.port')}"


def is_local(cookie: str | None) -> bool:
    """Whether a browser's local-mode cookie is this process's."""
    return proves_local(cookie, TOKEN)


def remember(session_id: str, manager: bool) -> None:
    """Record a session's role after each run, for the upload check (ended sessions are dropped now and then)."""
    if manager:
        if session_id not in MANAGER_SESSIONS and len(MANAGER_SESSIONS) >= 256:
            from streamlit.runtime import Runtime

            if Runtime.exists():
                runtime = Runtime.instance()
                MANAGER_SESSIONS.difference_update([s for s in MANAGER_SESSIONS if not runtime.is_active_session(s)])
        MANAGER_SESSIONS.add(session_id)
    else:
        MANAGER_SESSIONS.discard(session_id)


def _url(host: str, port: int, query: str = "") -> str:
    host = f"[{host}]" if ":" in host else host
    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{port}/{base + '/' if base else ''}{query}"


def _off_reason() -> str | None:
    return local_mode_off(disabled=os.environ.get(NO_LOCAL_MODE, "") not in ("", "0"),
                          auth_configured=auth_configured(),
                          server_address=st_config.get_option("server.address"))


OFF_WORDS = {
    "disabled": f"{NO_LOCAL_MODE} is set (serve, deploy/): everyone is public unless signed in",
    "sign_in": "sign-in is configured: managers sign in",
    "not_loopback": "the server listens beyond this computer: everyone is public "
                    "(for local mode start it with --server.address 127.0.0.1)",
    "loopback_name": "local mode needs the address as a number: start it with --server.address 127.0.0.1 "
                     "(a name such as localhost can lead the browser to another program on this computer)",
}


def _check_secrets() -> None:
    """Stop the start when a secret is a placeholder: cookies signed with it can be forged, and public counts
    adjusted with it can be recomputed (an unset cell-key secret is only warned about: a laptop's default)."""
    problems = [secret_problem(name, value) for name, value in (
        ("server.cookieSecret (STREAMLIT_SERVER_COOKIE_SECRET)",
         st_config.get_option("server.cookieSecret") if st_config.is_manually_set("server.cookieSecret") else None),
        ("[auth] cookie_secret in .streamlit/secrets.toml", auth_cookie_secret()))]
    if os.environ.get(cellkey.SECRET_ENV, "").strip():
        problems.append(cellkey.secret_problem())
    for problem in filter(None, problems):
        print(f"\n  The KAFO dashboard will not start: {problem}\n", file=sys.stderr, flush=True)
        raise SystemExit(3)  # 3, as Streamlit's own failed start: the systemd unit does not restart it


def open_door() -> str:
    """At start: make the token if local mode is possible, and say the address to open."""
    global TOKEN
    host = st_config.get_option("server.address") or "localhost"
    port = int(st_config.get_option("server.port"))
    reason = _off_reason()
    TOKEN = new_token() if reason is None else None
    if TOKEN:
        text = ("  KAFO dashboard, local mode: open this address (it lets this browser see everything; "
                f"keep it to yourself)\n\n  {_url(host, port, '?token=' + TOKEN)}\n")
    else:
        text = f"  KAFO dashboard: {_url(host, port)}\n  No local mode: {OFF_WORDS[reason]}.\n"
    print(f"\n{text}", flush=True)
    return text


@asynccontextmanager
async def lifespan(_app: object) -> AsyncIterator[None]:
    """st.App's start and stop: the door opens once per server process."""
    open_door()
    yield


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


async def _answer(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> None:
    base = [(b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"),
            (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": base + headers})
    await send({"type": "http.response.body", "body": body})


class Gate:
    """A plain ASGI middleware (no body buffering): it answers before Streamlit reads anything."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            if UPLOAD_ROUTE in path:
                session_id = path.split(UPLOAD_ROUTE, 1)[1].split("/", 1)[0]
                if session_id not in MANAGER_SESSIONS:
                    await _answer(send, 403, [(b"content-type", b"text/plain; charset=utf-8")],
                                  b"Uploads are for managers only.\n")
                    return
            query = scope.get("query_string", b"").decode("latin-1")
            if query:  # parsed, not searched: `?%74oken=` is the same key
                pairs = parse_qsl(query, keep_blank_values=True)
                shown = [v for k, v in pairs if k == "token"]
                if shown:
                    await self._take_token(scope, send, shown[-1], [(k, v) for k, v in pairs if k != "token"])
                    return
        await self.app(scope, receive, send)

    async def _take_token(self, scope: Scope, send: Send, token: str, rest: list[tuple[str, str]]) -> None:
        """`?token=`: the cookie when it is this process's token, and in every case the address without it."""
        headers = [(b"location", same_site(scope) + (f"?{urlencode(rest)}" if rest else "").encode("ascii"))]
        if TOKEN and proves_local(cookie_value(token), TOKEN):
            cookie = f"{cookie_name()}={cookie_value(TOKEN)}; Path=/; HttpOnly; SameSite=Strict"
            headers.append((b"set-cookie", cookie.encode("latin-1")))
        await _answer(send, 303, headers)


def same_site(scope: Scope) -> bytes:
    """The request's path as it was sent (still percent-encoded), as a path on this site: `//evil.example` or
    `/\\evil.example` would send the browser to another site, and a decoded path may not fit in a header."""
    raw = scope.get("raw_path") or quote(scope.get("path") or "/").encode("ascii")
    return b"/" + bytes(raw).lstrip(b"/\\")


def middleware() -> list[Any]:
    """What app.py hands to st.App, when `streamlit run` imports it: placeholder secrets stop the start here,
    before anything listens (a clean exit with the message, no traceback)."""
    from starlette.middleware import Middleware

    _check_secrets()
    return [Middleware(Gate)]
