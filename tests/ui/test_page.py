"""`ui.page.freeze_startup_objects`: once per process, never on every run (a frozen object is never collected)."""

from __future__ import annotations

import threading

from kafo_data.ui import page


def test_the_startup_objects_are_frozen_once_however_many_runs(monkeypatch):
    monkeypatch.setattr(page, "_FROZEN", threading.Event())
    frozen: list[int] = []
    monkeypatch.setattr(page.gc, "freeze", lambda: frozen.append(1))
    for _ in range(3):
        page.freeze_startup_objects()
    assert frozen == [1]
