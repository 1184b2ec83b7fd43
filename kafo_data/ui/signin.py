"""The role of this session, read from Streamlit, and the few widgets that go with it.

`kafo_data.access.decide` makes the decision from plain values; this module only collects them:
`st.user` (the ID token's claims after `st.login`), whether `.streamlit/secrets.toml` has an
`[auth]` section, `server.address`, the local-mode cookie (`st.context.cookies`, set by
`kafo_data.ui.gate`) and whether a proxy forwarded the request. It is asked again on every run, so
signing in or out, or a change to the managers' file, takes effect at the next click, without a
restart; the session's role is left with the gate, which lets only managers' sessions upload.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit import config as st_config

from kafo_data.access import (
    Access,
    AllowList,
    AllowListError,
    decide,
    forwarded,
    listens_on_loopback,
    load_allow_list,
    providers_of,
)
from kafo_data.config import managers_file, small_cell_events
from kafo_data.fmt import literal
from kafo_data.i18n import t
from kafo_data.ui import gate
from kafo_data.ui.gate import auth_configured, auth_section
from kafo_data.ui.state import lang

_PROBLEM = "_access_problem"


def providers() -> list[str | None]:
    """The sign-in buttons to offer: the default provider (None) and/or each named `[auth.<name>]`."""
    return providers_of(auth_section() or {})


def _user() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def _headers() -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in st.context.headers.items()}
    except Exception:
        return {}


def _local_cookie() -> str | None:
    """The cookie the gate gave this browser for the printed address (None in AppTest and for everyone else)."""
    try:
        return st.context.cookies.get(gate.cookie_name())
    except Exception:
        return None


def offers_local_mode() -> bool:
    """Whether whoever started this server can get local mode here (with the printed address); a proxy's
    visitors are not told."""
    return gate.TOKEN is not None and not auth_configured() and listens_on_loopback(
        st_config.get_option("server.address")) and not forwarded(_headers())


def _allow_list() -> AllowList:
    """The allow-list; when the file is broken, nobody is a manager and signed-in people are told why."""
    try:
        return load_allow_list(managers_file())
    except AllowListError as exc:
        st.session_state[_PROBLEM] = str(exc)
        return AllowList()


def current() -> Access:
    """This request's role (decided again on every run).

    Outside a Streamlit session (the benchmark calling the page helpers from a plain Python process)
    there is no visitor at all, only the person who started the process: a manager in local mode.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx() is None:
        return Access("manager", "local")
    st.session_state.pop(_PROBLEM, None)
    configured = auth_configured()
    proof = not configured and gate.is_local(_local_cookie())
    access = decide(_user() if configured else None, auth_configured=configured,
                    server_address=st_config.get_option("server.address"), local_proof=proof,
                    forwarded=proof and forwarded(_headers()), allow=_allow_list() if configured else AllowList())
    gate.remember(get_script_run_ctx().session_id, access.is_manager)
    return access


def banner(access: Access, lang_: str) -> None:
    """What every page says about the role, above its title: local mode, or signed in but not a manager."""
    if access.is_local:
        # a badge, not a notice: the notices of a page (st.info, st.warning) say things about its data and links
        st.markdown(f":orange-badge[:material/computer: {t('access.local_badge', lang_)}] "
                    f"{t('access.local_banner', lang_)}")
    elif access.reason in ("not_listed", "unverified"):
        st.info(t(f"access.{access.reason}", lang_, email=literal(access.email or "?")), icon=":material/lock:")
    elif offers_local_mode():
        st.info(t("access2.where_is_local_mode", lang_), icon=":material/key:")
    problem = st.session_state.get(_PROBLEM)
    if problem and access.signed_in:
        st.error(t("access.list_broken", lang_, problem=literal(problem)), icon=":material/error:")


def sidebar(access: Access, lang_: str) -> None:
    """Who is signed in, and the sign-in or sign-out button."""
    box = st.sidebar.container(border=True)
    if access.is_local:
        box.caption(t("access.sidebar.local", lang_))
        return
    if access.signed_in:
        key = "access.sidebar.manager" if access.is_manager else "access.sidebar.public_signed_in"
        box.caption(t(key, lang_, email=literal(access.email or "?")))
        if box.button(t("access.sign_out", lang_), key="access_sign_out", icon=":material/logout:",
                      width="stretch"):
            st.logout()
        return
    box.caption(t("access.sidebar.public", lang_, k=small_cell_events()))
    if auth_configured():
        sign_in_buttons(box, lang_, "sidebar")


def sign_in_buttons(where: Any, lang_: str, key: str) -> None:
    """One button per configured provider; a provider that fails says so instead of a traceback."""
    for provider in providers():
        label = t("access.sign_in", lang_) if provider is None else t("access.sign_in_with", lang_,
                                                                           provider=provider.title())
        if where.button(label, key=f"access_sign_in_{key}_{provider or 'default'}", type="primary",
                        icon=":material/login:", width="stretch"):
            try:
                st.login(provider) if provider else st.login()
            except Exception as exc:
                st.error(t("access.sign_in_failed", lang_, problem=literal(str(exc).splitlines()[0])),
                         icon=":material/error:")


def sign_in_required(access: Access | None = None) -> None:
    """What a public session gets instead of a manager's page: "sign in to see this page", never the page."""
    lang_ = lang()
    access = access or current()
    st.title(t("access.required.title", lang_))
    if access.signed_in:  # signed in, not a manager: signing in again would not help
        st.info(t(f"access.{access.reason}", lang_, email=literal(access.email or "?")), icon=":material/lock:")
    elif auth_configured():
        st.info(t("access.required", lang_), icon=":material/lock:")
        sign_in_buttons(st, lang_, "page")
    elif offers_local_mode():
        st.info(t("access2.where_is_local_mode", lang_), icon=":material/key:")
    else:
        st.info(t("access.required.no_sign_in", lang_), icon=":material/lock:")


def sign_in_page() -> None:
    """The hidden page app.py puts at a manager's page's address for a public session (with the sidebar's box)."""
    access = current()
    sidebar(access, lang())
    sign_in_required(access)
