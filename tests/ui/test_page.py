"""`ui.page.freeze_startup_objects`: once per process, never on every run (a frozen object is never collected)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from kafo_data.ui import page

REPO = Path(__file__).resolve().parents[2]


def test_the_startup_objects_are_frozen_once_however_many_runs(monkeypatch):
    monkeypatch.setattr(page, "_FROZEN", threading.Event())
    frozen: list[int] = []
    monkeypatch.setattr(page.gc, "freeze", lambda: frozen.append(1))
    for _ in range(3):
        page.freeze_startup_objects()
    assert frozen == [1]


def test_freezing_leaves_no_duckdb_objects_alive_at_exit():
    """DuckDB's bindings print "nanobind: leaked …" at exit for every object of theirs the last collection
    did not free; frozen objects are skipped by that collection unless they are unfrozen first."""
    script = ("import duckdb\nfrom kafo_data.ui import page\n"
              "duckdb.connect().execute('SELECT 1').df()\npage.freeze_startup_objects()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert "leaked" not in done.stderr, done.stderr
