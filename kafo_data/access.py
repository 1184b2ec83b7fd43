"""Who may see what: the role of one request, decided from plain values (no Streamlit here).

Two roles. **Public** (anyone who reaches the server) sees the published results, the budget, the
sources and the seizure records as suppressed aggregates only (`kafo_data.seizures.public`).
**Manager** sees everything: records, the event map, record downloads, loading and removing reports.

How a request becomes a manager (`decide`):

- When sign-in is configured (an `[auth]` section in `.streamlit/secrets.toml`), only a person signed in
  through OpenID Connect whose identity is on the allow-list (`AllowList`: e-mail addresses, e-mail
  domains, optionally groups from a claim of the ID token). A signed-in person not on the list is public,
  and told so. A provider that says the e-mail is not verified (`email_verified: false`) never matches.
- When sign-in is not configured, everyone is public, except in **local mode**: the server listens on a
  loopback address only (`server.address` 127.0.0.1, ::1 or localhost), the request's Host and Origin
  name loopback too, and it carries no forwarding header. Then nobody else can reach the server, and the
  one person at the keyboard is a manager (the pages say "local mode"). A reverse proxy on the same
  machine adds a forwarding header, or passes its visitors' Host or Origin, so its visitors stay public.
  The client address (`st.context.ip_address`) is never used: Streamlit's docs say it is not a security
  measure, and behind a local proxy it is loopback for everyone.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

Role = Literal["public", "manager"]
# Why the role is what it is; the pages word each one.
Reason = Literal["local", "listed", "not_listed", "unverified", "signed_out", "no_sign_in"]

# Headers a proxy adds on the way (RFC 7239 and the de-facto ones). Any of them: the request came through
# something else, so it is not the person at the server's own keyboard.
FORWARDING_HEADERS: tuple[str, ...] = (
    "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port",
    "x-forwarded-server", "x-real-ip", "x-client-ip", "true-client-ip", "cf-connecting-ip", "via",
)
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
ALLOW_LIST_KEYS = frozenset({"emails", "domains", "groups", "group_claim"})


class AllowListError(ValueError):
    """The managers' file cannot be read or breaks a rule; the message names the file and the problem."""


@dataclass(frozen=True)
class AllowList:
    """Who is a manager once signed in: exact e-mail addresses, whole e-mail domains, groups of a claim."""

    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    group_claim: str = "groups"

    def is_empty(self) -> bool:
        return not (self.emails or self.domains or self.groups)

    def allows(self, user: Mapping[str, Any]) -> bool:
        """Whether these signed-in claims name a manager."""
        if _is_false(user.get("email_verified")):
            return False
        email = _email(user)
        if email and (email in self.emails or email.rsplit("@", 1)[1] in self.domains):
            return True
        if self.groups:
            claim = user.get(self.group_claim)
            values = [claim] if isinstance(claim, str) else claim if isinstance(claim, list | tuple) else []
            return any(isinstance(v, str) and v.strip() in self.groups for v in values)
        return False


def _is_false(value: object) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _email(user: Mapping[str, Any]) -> str | None:
    value = user.get("email")
    if not isinstance(value, str) or value.count("@") != 1:
        return None
    local, domain = value.strip().lower().split("@")
    return f"{local}@{domain}" if local and domain else None


def parse_allow_list(text: str, where: str = "managers.toml") -> AllowList:
    """An allow-list from TOML text; unknown keys and malformed entries are errors, so a typo is never silent."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AllowListError(f"{where}: not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - ALLOW_LIST_KEYS)
    if unknown:
        raise AllowListError(f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(sorted(ALLOW_LIST_KEYS))})")

    def strings(key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AllowListError(f"{where}: {key} must be a list of strings, like {key} = [\"...\"]")
        return [v.strip() for v in value if v.strip()]

    emails = [v.lower() for v in strings("emails")]
    bad = [v for v in emails if v.count("@") != 1 or v.startswith("@") or v.endswith("@")]
    if bad:
        raise AllowListError(f"{where}: {bad[0]!r} in emails is not an e-mail address")
    domains = [v.lower().removeprefix("@") for v in strings("domains")]
    bad = [v for v in domains if "@" in v or "." not in v or v.startswith("*")]
    if bad:
        raise AllowListError(f"{where}: {bad[0]!r} in domains is not a domain (write unodc.org, no @ and no *)")
    claim = data.get("group_claim", "groups")
    if not isinstance(claim, str) or not claim.strip():
        raise AllowListError(f"{where}: group_claim must be the name of a claim, like group_claim = \"groups\"")
    return AllowList(frozenset(emails), frozenset(domains), frozenset(strings("groups")), claim.strip())


_LOADED: dict[Path, tuple[tuple[int, int], AllowList]] = {}


def load_allow_list(path: Path) -> AllowList:
    """The allow-list in `path`, read again whenever the file changes (no restart); no file: nobody.

    Raises AllowListError when the file is there but unreadable or wrong.
    """
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return AllowList()
    except OSError as exc:
        raise AllowListError(f"{path}: cannot be read ({exc.strerror})") from exc
    stamp = (stat.st_mtime_ns, stat.st_size)
    hit = _LOADED.get(path)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AllowListError(f"{path}: cannot be read ({exc})") from exc
    allow = parse_allow_list(text, str(path))
    _LOADED[path] = (stamp, allow)
    return allow


@dataclass(frozen=True)
class Access:
    """The role of one request, why, and who (for `loaded_by`)."""

    role: Role
    reason: Reason
    email: str | None = None

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    @property
    def is_local(self) -> bool:
        return self.reason == "local"

    @property
    def signed_in(self) -> bool:
        return self.reason in ("listed", "not_listed", "unverified")

    @property
    def audience(self) -> str:
        """The cache partition of this role: results computed for a manager are never served to the public."""
        return self.role

    def actor(self) -> str:
        """Who did something, as batch metadata records it."""
        if self.email:
            return self.email
        return "local mode" if self.is_local else "unknown"


def _host_of(value: str) -> str:
    """The host of a Host header ("127.0.0.1:8501", "[::1]:8501") or of an Origin ("http://localhost:8501")."""
    value = value.strip()
    if "://" in value:
        return (urlsplit(value).hostname or "").lower()
    return (urlsplit(f"//{value}").hostname or "").lower()


def is_loopback_host(host: str) -> bool:
    """A name or address that can only mean this machine: 127.0.0.0/8, ::1, localhost."""
    host = host.strip().strip("[]").lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listens_on_loopback(server_address: str | None) -> bool:
    """Whether `server.address` keeps every other machine out. Empty (Streamlit's default) means every interface."""
    return bool(server_address) and is_loopback_host(str(server_address))


def only_this_machine(server_address: str | None, headers: Mapping[str, str]) -> bool:
    """Local mode's condition: loopback listener, loopback Host and Origin, no forwarding header."""
    if not listens_on_loopback(server_address):
        return False
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if any(h in lowered for h in FORWARDING_HEADERS):
        return False
    named = [lowered[name] for name in ("host", "origin") if name in lowered]
    return all(is_loopback_host(_host_of(value)) for value in named)


def decide(user: Mapping[str, Any] | None, *, auth_configured: bool, server_address: str | None,
           headers: Mapping[str, str], allow: AllowList) -> Access:
    """The role of one request. Sign-in configured: the allow-list decides; otherwise local mode or public."""
    if not auth_configured:
        if only_this_machine(server_address, headers):
            return Access("manager", "local")
        return Access("public", "no_sign_in")
    user = user or {}
    if user.get("is_logged_in") is not True:
        return Access("public", "signed_out")
    email = _email(user)
    if _is_false(user.get("email_verified")):
        return Access("public", "unverified", email)
    if allow.allows(user):
        return Access("manager", "listed", email)
    return Access("public", "not_listed", email)
