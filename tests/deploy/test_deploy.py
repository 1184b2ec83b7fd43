"""deploy/: the HAProxy configuration the README shows is the one `serve` runs, and it works.

- deploy/haproxy.cfg is `serve --print-config` (so the two never drift), and HAProxy accepts it;
- the systemd units name the same ports;
- `serve` starts two processes behind HAProxy: each browser without a cookie gets one, a browser
  with a cookie keeps its process, and the load test's sessions through HAProxy reach both processes;
- the batch lock is a file lock: held in one process, another process cannot take it;
- the units create what they need and never run in local mode (`systemd-analyze verify` where systemd is),
  HAProxy says it forwarded each request, and a placeholder cookie secret stops the server at start.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
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


def test_haproxy_says_it_forwarded_each_request():
    text = serve.haproxy_config([8501, 8502])
    assert re.search(r"^\s+option forwardfor$", text, re.M)
    assert "http-request set-header X-Forwarded-Proto https if { ssl_fc }" in text
    assert "http-request set-header X-Forwarded-Proto http if !{ ssl_fc }" in text


def test_the_units_make_their_directories_and_never_offer_local_mode():
    unit = (DEPLOY / "systemd" / "kafo-dashboard@.service").read_text(encoding="utf-8")
    env = (DEPLOY / "dashboard.env").read_text(encoding="utf-8")
    settings = dict(re.findall(r"^(\w+)=(.*)$", unit, re.M))
    assert settings["User"] == "kafo" and "useradd --system" in unit, "the account is documented"
    assert settings["CacheDirectory"] == "kafo" and "KAFO_CACHE_DIR=/var/cache/kafo" in env
    assert settings["StateDirectory"] == "kafo"
    assert settings["ExecStart"].startswith("/usr/bin/env KAFO_NO_LOCAL_MODE=1 "), \
        "on the command line, where no line of dashboard.env (EnvironmentFile=) can set it back to 0"
    assert "KAFO_NO_LOCAL_MODE" not in env
    data_dir = re.search(r"^KAFO_DATA_DIR=(.*)$", env, re.M).group(1)
    assert settings["ReadWritePaths"] == f"-{data_dir}", "the uploads machine can write the data volume"
    assert "ReadWritePaths=/var/cache" not in unit, "a missing folder there made systemd refuse to start"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed here")
def test_systemd_analyze_verify_accepts_the_units(tmp_path):
    """The units as shipped, with /opt/kafo standing for a folder holding an executable streamlit."""
    app = tmp_path / "opt" / "kafo"
    (app / ".venv" / "bin").mkdir(parents=True)
    (app / ".venv" / "bin" / "streamlit").write_text("#!/bin/sh\n")
    (app / ".venv" / "bin" / "streamlit").chmod(0o755)
    units = tmp_path / "units"
    units.mkdir()
    for source in (DEPLOY / "systemd").iterdir():
        (units / source.name).write_text(source.read_text(encoding="utf-8").replace("/opt/kafo", str(app)))
    if not Path("/usr/sbin/haproxy").is_file():
        pytest.skip("haproxy is not installed at /usr/sbin/haproxy (apt-get install -y haproxy)")
    names = ["kafo-dashboard@8501.service", "kafo-dashboard@8502.service", "kafo-haproxy.service",
             "kafo-dashboard.target"]
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *(f"./{n}" for n in names)], cwd=units,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stdout.strip() and not done.stderr.strip(), done.stdout + done.stderr


@pytest.mark.parametrize("where", ["env"])  # the secrets file: tests/test_access.py (secret_problem)
def test_a_placeholder_cookie_secret_stops_the_server_with_how_to_make_one(where, data_copy, tmp_path):
    env = {**os.environ, "KAFO_DATA_DIR": str(data_copy)}
    extra: list[str] = []
    if where == "env":
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = "change-me"   # deploy/dashboard.env as shipped
    else:
        example = (REPO / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
        (tmp_path / "secrets.toml").write_text(example, encoding="utf-8")
        extra = ["--secrets.files", str(tmp_path / "secrets.toml")]
    done = subprocess.run([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                           "--server.port", str(serve.free_port()), *extra], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode != 0
    assert "will not start" in done.stderr and "secrets.token_hex(32)" in done.stderr, done.stderr[-2000:]


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
