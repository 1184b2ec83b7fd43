"""What app.py's registry says about one page.

Defined here, not in app.py: app.py runs on every click, and building a dataclass is a millisecond
of each run (issue 16's speed).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page; its url_path is its file's stem, as Streamlit's legacy `pages/` router names it."""

    path: str
    url_path: str
    title_key: str
    icon: str
    enabled: bool = True
    managers_only: bool = False
    public: str | None = None  # the file a public session gets at this address instead
