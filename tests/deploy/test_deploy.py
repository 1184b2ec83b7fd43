"""deploy/: the HAProxy configuration the README shows is the one `serve` runs, and it works.

- deploy/haproxy.cfg is `serve --print-config` (so the two never drift), and HAProxy accepts it;
- the systemd units name the same ports;
- `serve` starts two processes behind HAProxy: each browser without a cookie gets one, a browser
  with a cookie keeps its process, and the load test's sessions through HAProxy reach both processes;
- the batch lock is a file lock: held in one process, another process cannot take it.
"""

from __future__ import annotations

import fcntl
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from kafo_data.config import tmp_dir
from kafo_data.devtools import loadtest, serve
from tests.conftest import REPO

DEPLOY = REPO / "deploy"
needs_haproxy = pytest.mark.skipif(not Path(serve.HAPROXY).is_file(),
                                   reason="HAProxy not installed (apt-get install -y haproxy)")


def test_the_shipped_config_is_what_serve_writes():
    assert (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8") == serve.haproxy_config([8501, 8502])


@needs_haproxy
def test_haproxy_accepts_the_shipped_config():
    result = subprocess.run([serve.HAPROXY, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_config_pins_sessions_checks_health_and_keeps_websockets_open():
    text = serve.haproxy_config([8501, 8502])
    assert re.search(r"^\s+cookie KAFO_SERVER insert indirect nocache", text, re.M)
    assert "option httpchk GET /_stcore/health" in text
    assert re.search(r"^\s+timeout tunnel (\d+)h", text, re.M)
    assert re.findall(r"server (s\d) 127\.0\.0\.1:(\d+) check .* cookie (s\d)", text) == [
        ("s1", "8501", "s1"), ("s2", "8502", "s2")]


def test_the_systemd_units_start_the_ports_haproxy_sends_to():
    ports = set(re.findall(r"127\.0\.0\.1:(\d+) check", (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")))
    target = (DEPLOY / "systemd" / "kafo-dashboard.target").read_text(encoding="utf-8")
    assert set(re.findall(r"kafo-dashboard@(\d+)\.service", target)) == ports
    unit = (DEPLOY / "systemd" / "kafo-dashboard@.service").read_text(encoding="utf-8")
    assert "--server.port %i" in unit and "--server.address 127.0.0.1" in unit


@needs_haproxy
def test_serve_spreads_browsers_and_keeps_each_on_its_process(data_copy, tmp_path):
    with serve.ServeSet(data_copy, processes=2, logs=tmp_path / "logs") as served:
        assert served.backends_up() == 2
        first = [_cookie(served.url) for _ in range(4)]
        assert set(first) == {"s1", "s2"}  # browsers without a cookie are spread
        for process in ("s1", "s2"):
            request = urllib.request.Request(f"{served.url}/", headers={"Cookie": f"KAFO_SERVER={process}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200 and response.headers.get("Set-Cookie") is None  # kept, not reset
        report = loadtest.run(data_copy, [4], clicks=1, think=(0.0, 0.0), url=served.url, pids=served.pids(),
                              log=lambda _: None)
    (round_,) = report["rounds"]
    assert round_["errors"] == 0, round_["error_examples"]
    assert round_["reruns"] == 4
    assert all(cpu > 0 for cpu in round_["server_cpu_s_each"])  # both processes ran sessions' scripts


def _cookie(url: str) -> str:
    with urllib.request.urlopen(f"{url}/", timeout=10) as response:
        match = re.match(r"KAFO_SERVER=(s\d);", response.headers.get("Set-Cookie", ""))
    assert match, "HAProxy set no KAFO_SERVER cookie"
    return match.group(1)


def test_the_batch_lock_holds_across_processes(data_copy):
    """Loads and removals in two processes (or two machines on a file system with flock) wait for each other."""
    code = ("import sys; from pathlib import Path; from kafo_data.store.batches import store_lock\n"
            "with store_lock(Path(sys.argv[1])):\n    print('held', flush=True); sys.stdin.readline()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(data_copy)], cwd=REPO, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lock_files = list(tmp_dir(data_copy).glob("*.lock"))
        assert lock_files, "the store lock is not a file in the data directory"
        with lock_files[0].open("a+b") as handle, pytest.raises(BlockingIOError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
        with lock_files[0].open("a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once the other process let go
    finally:
        if holder.poll() is None:
            holder.kill()
