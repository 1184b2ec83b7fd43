"""Who is a manager: the allow-list file and the decision for one request, from plain values."""

from __future__ import annotations

import pytest

from kafo_data.access import (
    AllowList,
    AllowListError,
    cookie_value,
    decide,
    load_allow_list,
    local_mode_off,
    new_token,
    parse_allow_list,
    proves_local,
    providers_of,
    secret_problem,
)

ALLOW = parse_allow_list('emails = ["Amina.Diallo@unodc.org"]\ndomains = ["interpol.int"]\n'
                         'groups = ["kafo-managers"]\ngroup_claim = "roles"\n')


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, "email_verified": True, **claims}


def role(user=None, *, auth=True, address="0.0.0.0", proof=False, forwarded=False, allow=ALLOW) -> tuple[str, str]:
    access = decide(user, auth_configured=auth, server_address=address, local_proof=proof, forwarded=forwarded,
                    allow=allow)
    return access.role, access.reason


def test_a_listed_address_or_domain_is_a_manager_whatever_its_case():
    assert role(signed_in("amina.diallo@UNODC.org")) == ("manager", "listed")
    assert role(signed_in("someone@interpol.int")) == ("manager", "listed")


def test_a_signed_in_person_not_on_the_list_stays_public_and_is_told_why():
    assert role(signed_in("someone@unodc.org")) == ("public", "not_listed")
    assert role(signed_in("someone@sub.interpol.int")) == ("public", "not_listed"), "a domain is exact"
    assert role(signed_in("amina.diallo@unodc.org.evil.example")) == ("public", "not_listed")


def test_groups_come_from_the_configured_claim():
    assert role(signed_in("x@example.org", roles=["kafo-managers"])) == ("manager", "listed")
    assert role(signed_in("x@example.org", roles="kafo-managers")) == ("manager", "listed")
    assert role(signed_in("x@example.org", groups=["kafo-managers"])) == ("public", "not_listed")


@pytest.mark.parametrize("verified", [False, 0, 1, "no", "false", "true", "True", None, [True], "missing"])
def test_an_email_counts_only_when_the_provider_says_verified_with_the_boolean_true(verified):
    user = signed_in("amina.diallo@unodc.org", email_verified=verified)
    if verified == "missing":
        del user["email_verified"]
    assert role(user) == ("public", "unverified")
    assert role({**user, "email": "someone@interpol.int"}) == ("public", "unverified"), "a domain neither"
    assert role({**user, "roles": ["kafo-managers"]}) == ("manager", "listed"), "a group is the provider's word"


@pytest.mark.parametrize("email", [
    "amina.diallo@unodc.or\u212a",       # Kelvin sign: str.lower() gives ASCII k
    "someone@interpol.in\u0074",         # (control: plain t, matches the listed domain)
    "amina.diallo@unodc.or\u212a".upper(),
    "amina.dia\u017flo@unodc.org",       # long s: casefold() gives s (here a stands for l: never equal)
    "amina.diallo@\uff55nodc.org",       # full-width u: NFKC gives ASCII u
    "\uff41mina.diallo@unodc.org",       # full-width a
    "amina.diallo@unodc.org\u3000",      # ideographic space at the end: strip() removes it
    " amina.diallo@unodc.org", "amina.diallo@unodc.org ", "amina.diallo\u200b@unodc.org",
    "amina.diallo@unodc.org@evil.example", "someone@\u0131nterpol.int",   # dotless i
    "someone@interpol.in\u0074.",
])
def test_only_the_same_mailbox_matches_no_unicode_folding_onto_ascii(email):
    expected = ("manager", "listed") if email == "someone@interpol.int" else ("public", "not_listed")
    assert role(signed_in(email)) == expected, ascii(email)
    assert role(signed_in(email.replace("amina.diallo@unodc.org", "AMINA.Diallo@UNODC.org"))) == expected, \
        "ASCII case never matters"


def test_a_listed_entry_with_a_kelvin_sign_is_not_an_ascii_k():
    allow = parse_allow_list('emails = ["\u212aofi@example.org"]')
    assert allow.emails == {"\u212aofi@example.org"}, "kept as written: only A-Z are lowered"
    assert role(signed_in("kofi@example.org"), allow=allow) == ("public", "not_listed")
    assert role(signed_in("\u212aofi@example.org"), allow=allow) == ("manager", "listed"), "the same mailbox"
    with pytest.raises(AllowListError, match="not a domain"):
        parse_allow_list('domains = ["unodc.or\u212a"]')


def test_signed_out_is_public_and_the_empty_list_lets_nobody_in():
    assert role({"is_logged_in": False}) == ("public", "signed_out")
    assert role({"email": "amina.diallo@unodc.org"}) == ("public", "signed_out"), "claims without a sign-in"
    assert role(signed_in("amina.diallo@unodc.org"), allow=AllowList()) == ("public", "not_listed")


def test_with_sign_in_configured_the_local_cookie_is_no_shortcut():
    assert role(None, address="127.0.0.1", proof=True) == ("public", "signed_out")


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "[::1]", "127.0.0.2"])
def test_without_sign_in_a_loopback_server_is_local_mode_only_with_the_proof(address):
    assert role(None, auth=False, address=address, proof=True) == ("manager", "local")
    assert role(None, auth=False, address=address, proof=False) == ("public", "no_sign_in")
    assert role(None, auth=False, address=address, proof=True, forwarded=True) == ("public", "no_sign_in"), \
        "a proxy passed it on: not the browser at this keyboard"


@pytest.mark.parametrize("address", ["", None, "0.0.0.0", "192.0.2.2", "::", "kafo.example.org", "localhost",
                                     "ip6-localhost"])
def test_without_sign_in_any_other_address_is_public_even_with_the_proof(address):
    assert role(signed_in("amina.diallo@unodc.org"), auth=False, address=address, proof=True) == \
        ("public", "no_sign_in")


def test_the_cookie_proves_this_process_token_only():
    token, other = new_token(), new_token()
    assert len(token) >= 43 and token != other
    assert proves_local(cookie_value(token), token)
    assert cookie_value(token) != token, "the cookie is not the printed address's token"
    for wrong in (cookie_value(other), token, "", None, cookie_value(token)[:-1], cookie_value(token) + "0",
                  "\u00e9" * 64):
        assert not proves_local(wrong, token), wrong
    assert not proves_local(cookie_value(token), None), "a process without a token offers no local mode"


@pytest.mark.parametrize("disabled, auth, address, why", [
    (False, False, "127.0.0.1", None), (False, False, "::1", None), (True, False, "127.0.0.1", "disabled"),
    (False, True, "127.0.0.1", "sign_in"), (False, False, "", "not_loopback"),
    (False, False, "0.0.0.0", "not_loopback"), (False, False, "localhost", "loopback_name"),
    (False, False, "ip6-localhost", "loopback_name"),
])
def test_which_servers_offer_local_mode(disabled, auth, address, why):
    assert local_mode_off(disabled=disabled, auth_configured=auth, server_address=address) == why


def test_client_kwargs_and_other_tables_are_not_sign_in_providers():
    example = {"client_id": "x", "client_secret": "y", "server_metadata_url": "z",
               "client_kwargs": {"scope": "openid profile email"}}
    assert providers_of(example) == [None]
    named = {"google": {"client_id": "g"}, "entra": {"client_id": "e", "client_kwargs": {"prompt": "login"}},
             "client_kwargs": {"client_id": "odd"}, "notes": {"x": 1}}
    assert providers_of(named) == ["entra", "google"]


def test_the_example_secrets_file_makes_one_sign_in_button():
    import tomllib

    from tests.conftest import REPO

    section = tomllib.loads((REPO / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))["auth"]
    assert providers_of(section) == [None]


@pytest.mark.parametrize("value, refused", [
    ("change-me", True), ("CHANGE-ME", True), ("REPLACE-WITH-A-LONG-RANDOM-STRING", True), ("short", True),
    ("a" * 31, True), (None, False), ("", False), ("Zk3" * 15, False), ("0123456789abcdef" * 4, False),
])
def test_placeholder_cookie_secrets_are_refused_with_how_to_make_one(value, refused):
    problem = secret_problem("server.cookieSecret", value)
    assert (problem is not None) == refused
    if refused:
        assert "secrets.token_hex(32)" in problem


@pytest.mark.parametrize("text, problem", [
    ('email = ["a@b.org"]', "unknown key 'email'"),
    ('emails = "a@b.org"', "must be a list"),
    ('emails = ["not-an-address"]', "not an e-mail address"),
    ('domains = ["@unodc.org", "*.unodc.org"]', "not a domain"),
    ("emails = [", "not valid TOML"),
])
def test_a_broken_allow_list_is_an_error_that_names_the_problem(text, problem):
    with pytest.raises(AllowListError, match=problem.replace("*", r"\*")):
        parse_allow_list(text)


def test_the_file_is_read_again_when_it_changes(tmp_path):
    path = tmp_path / "managers.toml"
    assert load_allow_list(path).is_empty(), "no file: nobody is a manager"
    path.write_text('emails = ["a@example.org"]\n', encoding="utf-8")
    assert load_allow_list(path).emails == {"a@example.org"}
    path.write_text('emails = ["a@example.org", "bb@example.org"]\n', encoding="utf-8")
    assert load_allow_list(path).emails == {"a@example.org", "bb@example.org"}


def test_the_example_file_in_the_repository_parses():
    from tests.conftest import REPO

    allow = load_allow_list(REPO / ".streamlit" / "managers.example.toml")
    assert allow.emails and allow.domains
