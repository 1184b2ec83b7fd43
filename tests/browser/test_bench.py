"""`python -m kafo_data browser-bench`: the numbers issue 16's goals are judged by are measured in the page.

A smoke run of one round on one page, in its own process (it starts its own servers and Chromium):
it must finish, and each click must be timed from the press of the mouse button to a drawn page,
with the server's run ending in between.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser.driver import REPO

pytestmark = pytest.mark.browser


def test_browser_bench_times_a_click_from_the_press_to_the_drawn_page(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "kafo_data", "browser-bench", "--rounds", "1", "--pages",
                             "operations", "--json", str(out)], cwd=REPO, capture_output=True, text=True,
                            encoding="utf-8", timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "dashboard / operations" in result.stdout and "x bare" in result.stdout
    measured = json.loads(out.read_text(encoding="utf-8"))
    page = measured["dashboard"]["operations"]
    assert len(page["open_all"]) == len(page["click_all"]) == len(page["click_run_all"]) == 1
    for click, run in zip(page["click_all"], page["click_run_all"], strict=True):
        assert 0 < run < click < 30_000
    assert all(0 < ms < 60_000 for ms in page["open_all"])
    assert page["filter"] == "Country"
    assert measured["bare"]["click_ms"] > 0 and page["click_ratio"] == page["click_ms"] / measured["bare"]["click_ms"]
