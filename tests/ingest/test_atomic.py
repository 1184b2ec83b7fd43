"""A load killed while it writes leaves the dataset exactly as it was, and can simply be run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kafo_data.ingest.validate import validate
from kafo_data.store.batches import TEST_PAUSE_ENV
from kafo_data.store.db import batch_dirs, data_version
from tests.conftest import REPO
from tests.fixtures.ingest import reports

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def _ingest(root: Path, path: Path, pause: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != TEST_PAUSE_ENV}
    if pause:
        env[TEST_PAUSE_ENV] = pause
    return subprocess.Popen([sys.executable, "-m", "kafo_data", "ingest", str(path), "--data-dir", str(root)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_half_written_batch(root: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in (root / "tmp").glob("*.partial") if (p / "seizures.parquet").is_file()]
        if found:
            return found[0]
        if proc.poll() is not None:
            pytest.fail(f"the load ended before writing: {proc.communicate()}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no half-written batch appeared")


def test_a_load_killed_mid_write_leaves_the_dataset_as_it_was(data_copy, tmp_path):
    path = tmp_path / "rapport.csv"
    path.write_bytes(reports.french_csv())
    version, batches = data_version(data_copy), batch_dirs(data_copy)
    assert validate(data_copy) == []

    proc = _ingest(data_copy, path, pause="60")
    partial = _wait_for_half_written_batch(data_copy, proc)
    assert not (partial / "seized_items.parquet").exists(), "killed between the two files"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert data_version(data_copy) == version
    assert batch_dirs(data_copy) == batches
    assert validate(data_copy) == []

    again = _ingest(data_copy, path)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 1, err
    assert "17 read, 10 accepted, 0 already loaded, 7 rejected" in out
    new = [b for b in batch_dirs(data_copy) if b not in batches]
    assert len(new) == 1 and validate(data_copy) == []
    assert not list((data_copy / "tmp").glob("*.partial")), "the half-written batch is cleaned up"
    assert [p.stem for p in (data_copy / "rejected").glob("*.csv")] == [new[0].name]
