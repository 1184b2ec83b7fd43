"""Who may see what: the role of one request, decided from plain values (no Streamlit here).

Two roles. **Public** (anyone who reaches the server) sees the published results, the budget, the
sources and the seizure records as suppressed aggregates only (`kafo_data.seizures.public`).
**Manager** sees everything: records, the event map, record downloads, loading and removing reports.

How a request becomes a manager (`decide`):

- When sign-in is configured (an `[auth]` section in `.streamlit/secrets.toml`), only a person signed in
  through OpenID Connect whose identity is on the allow-list (`AllowList`: e-mail addresses, e-mail
  domains, optionally groups from a claim of the ID token). A signed-in person not on the list is public,
  and told so. A provider that says the e-mail is not verified (`email_verified: false`) never matches.
- When sign-in is not configured, everyone is public, except in **local mode**, which is proved, never
  inferred (Jupyter's model): the server listens on a loopback address only (`server.address`
  127.0.0.1, ::1 or localhost), and the browser holds the cookie that the random address printed at
  start gave it (`kafo_data.ui.gate`). Host, Origin and the client address are written by the client
  or by a proxy, so they grant nothing; a forwarding header still takes local mode away.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Role = Literal["public", "manager"]
# Why the role is what it is; the pages word each one.
Reason = Literal["local", "listed", "not_listed", "unverified", "signed_out", "no_sign_in"]

# Headers a proxy adds on the way (RFC 7239 and the de-facto ones). Any of them: the request came through
# something else, so it is not the person at the server's own keyboard, whatever cookie it carries.
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
        """Whether these signed-in claims name a manager: a verified address or domain, or a group."""
        email = _email(user) if email_verified(user) else None
        if email and (email in self.emails or email.rsplit("@", 1)[1] in self.domains):
            return True
        if self.groups:
            claim = user.get(self.group_claim)
            values = [claim] if isinstance(claim, str) else claim if isinstance(claim, list | tuple) else []
            return any(isinstance(v, str) and v.strip() in self.groups for v in values)
        return False


def email_verified(user: Mapping[str, Any]) -> bool:
    """Only the JSON boolean true: 1, "true", "yes" or a missing claim are not a provider's word."""
    return user.get("email_verified") is True


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def mailbox(value: object) -> str | None:
    """An address as compared with the list: A-Z lowered and nothing else changed, so no Unicode letter
    (the Kelvin sign, a dotted capital I, a full-width letter) ever becomes an ASCII one; no blanks."""
    if not isinstance(value, str) or value.count("@") != 1 or not value.isprintable() or any(
            c.isspace() for c in value):
        return None
    local, domain = value.translate(_ASCII_LOWER).split("@")
    return f"{local}@{domain}" if local and domain else None


def _email(user: Mapping[str, Any]) -> str | None:
    return mailbox(user.get("email"))


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

    emails = [mailbox(v) or v for v in strings("emails")]
    bad = [v for v in emails if mailbox(v) != v]
    if bad:
        raise AllowListError(f"{where}: {bad[0]!r} in emails is not an e-mail address")
    domains = [v.translate(_ASCII_LOWER).removeprefix("@") for v in strings("domains")]
    bad = [v for v in domains if "@" in v or "." not in v or v.startswith("*") or not v.isascii()]
    if bad:
        raise AllowListError(f"{where}: {bad[0]!r} in domains is not a domain (write unodc.org, no @ and no *; "
                             "an international name in its xn-- form)")
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


def _bare(host: str) -> str:
    return host.strip().strip("[]").lower().rstrip(".")


def is_loopback_name(host: str) -> bool:
    """A name for this machine (localhost...): the server binds one of its addresses, a browser may try another."""
    return _bare(host) in LOOPBACK_NAMES


def listens_on_loopback(server_address: str | None) -> bool:
    """Whether `server.address` is a loopback address written as a number (127.0.0.0/8, ::1). Empty (Streamlit's
    default) means every interface. A name such as localhost does not count: the server binds 127.0.0.1 while
    Chromium tries ::1 first, where another account's program can listen on the same port and read the token."""
    if not server_address:
        return False
    try:
        return ipaddress.ip_address(_bare(str(server_address))).is_loopback
    except ValueError:
        return False


def forwarded(headers: Mapping[str, str]) -> bool:
    """Whether a proxy says it passed this request on (then it is not the browser at this keyboard)."""
    return any(str(k).lower() in FORWARDING_HEADERS for k in headers)


def new_token() -> str:
    """The local-mode token of one server process: 256 random bits, printed once at start."""
    return secrets.token_urlsafe(32)


def cookie_value(token: str) -> str:
    """What the browser keeps after showing the token: derived from it, so the cookie is not the address."""
    return hmac.new(token.encode(), b"kafo local mode cookie", hashlib.sha256).hexdigest()


def proves_local(cookie: str | None, token: str | None) -> bool:
    """Whether a browser's cookie is this process's (compared in constant time)."""
    if not cookie or not token:
        return False
    return hmac.compare_digest(cookie.encode("utf-8", "replace"), cookie_value(token).encode())


def local_mode_off(*, disabled: bool, auth_configured: bool, server_address: str | None) -> str | None:
    """Why this server offers no local mode (a word the start message explains), or None when it does."""
    if disabled:
        return "disabled"
    if auth_configured:
        return "sign_in"
    if not listens_on_loopback(server_address):
        return "loopback_name" if is_loopback_name(str(server_address or "")) else "not_loopback"
    return None


def providers_of(section: Mapping[str, Any]) -> list[str | None]:
    """The sign-in buttons an `[auth]` section makes: the default provider (None) when it has a client_id,
    and each `[auth.NAME]` table that is a provider (has its own client_id); `client_kwargs` and other
    settings tables are not providers."""
    named = [name for name, value in section.items()
             if isinstance(value, Mapping) and "client_id" in value and name != "client_kwargs"]
    default = [None] if "client_id" in section or not named else []
    return [*default, *sorted(named)]


# the placeholders of deploy/dashboard.env and .streamlit/secrets.example.toml, and their like
PLACEHOLDER_SECRETS = ("change-me", "changeme", "change_me", "replace-with", "replace_me", "your-secret")


def secret_problem(name: str, value: str | None) -> str | None:
    """What is wrong with a cookie secret from the configuration (None when it will do).

    A placeholder copied from an example signs cookies anyone can forge, so the server must not start with it.
    """
    how = 'make one with: python -c "import secrets; print(secrets.token_hex(32))"'
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if any(word in text.lower() for word in PLACEHOLDER_SECRETS):
        return f"{name} is still the example's placeholder ({text!r}): {how}"
    if len(text) < 32:
        return f"{name} is too short ({len(text)} characters; at least 32 random ones): {how}"
    return None


def decide(user: Mapping[str, Any] | None, *, auth_configured: bool, server_address: str | None,
           local_proof: bool, forwarded: bool = False, allow: AllowList) -> Access:
    """The role of one request. Sign-in configured: the allow-list decides; otherwise local mode or public.

    `local_proof`: the browser showed this process's local-mode cookie; `forwarded`: a proxy passed it on.
    """
    if not auth_configured:
        if local_proof and not forwarded and listens_on_loopback(server_address):
            return Access("manager", "local")
        return Access("public", "no_sign_in")
    user = user or {}
    if user.get("is_logged_in") is not True:
        return Access("public", "signed_out")
    email = _email(user)
    if allow.allows(user):
        return Access("manager", "listed", email)
    if email and not email_verified(user):
        return Access("public", "unverified", email)
    return Access("public", "not_listed", email)
