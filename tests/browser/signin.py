"""Signing in and out through oidc-provider-mock's pages (the `provider` fixture of conftest.py)."""

from __future__ import annotations

import re
from typing import Any

from tests.browser import driver

MANAGER = "amina.diallo@unodc.example"
OUTSIDER = "press.officer@news.example"
MANAGERS_TOML = f'emails = ["{MANAGER}"]\ndomains = ["kafo.example"]\n'
# sub -> the claims the provider vouches for. The tricks of issue 24: each must stay public.
PEOPLE: dict[str, dict[str, object]] = {
    MANAGER: {"email": MANAGER, "email_verified": True},
    OUTSIDER: {"email": OUTSIDER, "email_verified": True},
    "trick-kelvin": {"email": "someone@\u212aafo.example", "email_verified": True},  # Kelvin sign, not k
    "trick-verified-no": {"email": MANAGER, "email_verified": "no"},
    "trick-verified-missing": {"email": MANAGER},
}


def sidebar_text(page: Any) -> str:
    return driver.sidebar(page).inner_text().replace("\u200b", "")


def sign_in(window: driver.Window, provider: str, email: str) -> None:
    """Press Sign in, authorize on the provider's page as `email`, land back in the app."""
    page = window.page
    driver.show_sidebar(page)
    driver.sidebar(page).get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(provider) + ".*"), timeout=60_000)
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(window.base_url) + r"/?(\?.*)?$"), timeout=60_000)
    driver.settle(page)


def sign_out(window: driver.Window, provider: str) -> None:
    """Press Sign out; the provider asks to end its session too (RP-initiated logout), then sends us back."""
    page = window.page
    driver.show_sidebar(page)
    driver.sidebar(page).get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(re.escape(provider) + ".*end_session.*"), timeout=60_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(window.base_url) + r"/?(\?.*)?$"), timeout=60_000)
    driver.settle(page)
    page.get_by_role("button", name="Sign in").first.wait_for(timeout=60_000)
