"""Who is a manager: the allow-list file and the decision for one request, from plain values."""

from __future__ import annotations

import pytest

from kafo_data.access import AllowList, AllowListError, decide, load_allow_list, parse_allow_list

ALLOW = parse_allow_list('emails = ["Amina.Diallo@unodc.org"]\ndomains = ["interpol.int"]\n'
                         'groups = ["kafo-managers"]\ngroup_claim = "roles"\n')
LOCAL = {"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"}


def signed_in(email: str, **claims) -> dict:
    return {"is_logged_in": True, "email": email, **claims}


def role(user=None, *, auth=True, address="0.0.0.0", headers=None, allow=ALLOW) -> tuple[str, str]:
    access = decide(user, auth_configured=auth, server_address=address, headers=headers or {}, allow=allow)
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


def test_an_unverified_email_never_matches():
    assert role(signed_in("amina.diallo@unodc.org", email_verified=False)) == ("public", "unverified")


def test_signed_out_is_public_and_the_empty_list_lets_nobody_in():
    assert role({"is_logged_in": False}) == ("public", "signed_out")
    assert role({"email": "amina.diallo@unodc.org"}) == ("public", "signed_out"), "claims without a sign-in"
    assert role(signed_in("amina.diallo@unodc.org"), allow=AllowList()) == ("public", "not_listed")


def test_with_sign_in_configured_loopback_is_no_shortcut():
    assert role(None, address="127.0.0.1", headers=LOCAL) == ("public", "signed_out")


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_without_sign_in_a_loopback_server_is_local_mode(address):
    assert role(None, auth=False, address=address, headers=LOCAL) == ("manager", "local")
    assert role(None, auth=False, address=address, headers={}) == ("manager", "local")


@pytest.mark.parametrize("address", ["", None, "0.0.0.0", "192.0.2.2", "::", "kafo.example.org"])
def test_without_sign_in_any_other_address_is_public(address):
    assert role(signed_in("amina.diallo@unodc.org"), auth=False, address=address, headers=LOCAL) == \
        ("public", "no_sign_in")


@pytest.mark.parametrize("header", [
    {"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"},
    {"Via": "1.1 nginx"}, {"Host": "kafo.example.org"}, {"Origin": "https://kafo.example.org"},
    {"X-Forwarded-Host": "kafo.example.org"},
])
def test_a_proxy_on_the_same_machine_does_not_make_its_visitors_managers(header):
    assert role(None, auth=False, address="127.0.0.1", headers={**LOCAL, **header}) == ("public", "no_sign_in")


def test_claims_are_ignored_without_sign_in_configured():
    assert role(signed_in("amina.diallo@unodc.org"), auth=False, address="0.0.0.0") == ("public", "no_sign_in")


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
