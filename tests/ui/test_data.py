"""The process's own result cache (`kafo_data.ui.data.kept`): computed once, every caller its own copy."""

from __future__ import annotations

import pandas as pd
import pytest

from kafo_data.ui import data


@pytest.fixture(autouse=True)
def empty_cache():
    data.forget()
    yield
    data.forget()


def test_a_result_is_computed_once_per_key():
    calls = []

    def make(n):
        calls.append(n)
        return pd.DataFrame({"n": [n]})

    assert data.kept(("a", 1), lambda: make(1)).n.tolist() == [1]
    assert data.kept(("a", 1), lambda: make(1)).n.tolist() == [1]
    assert data.kept(("a", 2), lambda: make(2)).n.tolist() == [2]
    assert calls == [1, 2]


def test_what_one_page_changes_in_its_copy_the_next_caller_does_not_see():
    def make():
        return {"totals": pd.DataFrame({"country": ["NER", "MLI"], "events": [3, 4]}), "names": ["Niger", "Mali"],
                "pair": ("a", ["b"])}

    first = data.kept("k", make)
    first["totals"].loc[0, "events"] = 999
    first["totals"]["extra"] = 1
    first["totals"].index = [9, 8]
    first["names"].append("Chad")
    first["pair"][1].append("c")
    first["new"] = True

    second = data.kept("k", make)
    assert second["totals"].events.tolist() == [3, 4]
    assert list(second["totals"].columns) == ["country", "events"] and second["totals"].index.tolist() == [0, 1]
    assert second["names"] == ["Niger", "Mali"]
    assert second["pair"] == ("a", ["b"])
    assert "new" not in second


def test_the_cache_keeps_a_bounded_number_of_results(monkeypatch):
    monkeypatch.setattr(data.RESULTS, "size", 3)
    calls = []
    for key in range(5):
        data.kept(key, lambda key=key: calls.append(key) or key)
    data.kept(4, lambda: calls.append("again") or 4)  # the most recent is still there
    data.kept(0, lambda: calls.append("again 0") or 0)  # the oldest was dropped
    assert calls == [0, 1, 2, 3, 4, "again 0"]


def test_a_failed_computation_is_not_kept():
    def fail():
        raise ValueError("unreadable")

    with pytest.raises(ValueError):
        data.kept("bad", fail)
    assert data.kept("bad", lambda: "read") == "read"
