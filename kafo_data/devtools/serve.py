"""`python -m kafo_data serve --processes N`: N dashboard processes behind HAProxy, on this machine.

Why: one Streamlit process runs every session's script under one GIL, so a crowd queues behind one
core; several processes behind a load balancer use every core. Streamlit keeps a session in the
process that opened it (its websocket, its uploads through /_stcore/upload_file, its deferred
downloads through /media), so HAProxy pins each browser to one process with a cookie it inserts
(`KAFO_SERVER`); a browser without one goes to the process with the fewest connections.

This starts the whole set for tests and for trying it: N `streamlit run app.py` on free loopback ports
(one cookie secret shared by all; never in local mode: `KAFO_NO_LOCAL_MODE=1`, so everyone is public
unless signed in), and Debian's HAProxy in the foreground with the configuration of
`haproxy_config` (the same text as deploy/haproxy.cfg, which tests/deploy checks), listening on
127.0.0.1. It waits until HAProxy sees every process healthy (/_stcore/health), prints the address,
and stops everything on Ctrl-C. Production runs the same pieces under systemd (deploy/systemd/).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from kafo_data.config import REPO_DIR, data_dir

HAPROXY = os.environ.get("KAFO_HAPROXY", shutil.which("haproxy") or "/usr/sbin/haproxy")
COOKIE = "KAFO_SERVER"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """Terminate, then kill if it does not go within `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


class Server:
    """`streamlit run app.py` on 127.0.0.1 with a data directory; stopped on exit, even on error."""

    def __init__(self, root: Path, port: int | None = None, log: Path | None = None,
                 env: dict[str, str] | None = None, args: list[str] | None = None) -> None:
        self.root = root
        self.port = port or free_port()
        self.log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"kafo-loadtest-{self.port}.log"
        self.env = env or {}
        self.args = args or []
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "KAFO_DATA_DIR": str(self.root), **self.env}
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
               "--server.address", HOST, "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", *self.args]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=REPO_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server stopped at start:\n{self.log.read_text(errors='replace')[-3000:]}")
            url = f"http://{HOST}:{self.port}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return self
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError("the server did not answer /_stcore/health within 90 s")

    def __exit__(self, *exc: object) -> None:
        stop_process(self.proc)

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory of the server process, from /proc."""
        values = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
        return round(values.get("VmRSS", 0.0), 1), round(values.get("VmHWM", 0.0), 1)

    def cpu_s(self) -> float:
        """User + system CPU seconds the server has used so far."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def haproxy_config(ports: list[int], listen: str = "127.0.0.1:8080", stats: str | None = None,
                   foreground: bool = False) -> str:
    """The HAProxy configuration for dashboard processes on 127.0.0.1 at `ports`.

    - `cookie KAFO_SERVER insert indirect nocache`: HAProxy adds the cookie on a browser's first
      answer and strips it before the process sees it; every later request of that browser (the
      websocket, uploads, /media downloads) goes to the same process. `httponly` and `samesite lax`
      keep it from scripts and from other sites.
    - `balance leastconn`: a new browser goes to the process with the fewest open connections (a
      websocket stays open as long as the tab: that is the load).
    - `option httpchk GET /_stcore/health`: a process that stops answering gets no new browsers;
      `option redispatch` sends a browser pinned to a dead process to a live one (Streamlit then
      reconnects with a new session; the URL keeps its filters).
    - `timeout tunnel 8h`: a websocket may stay idle while a person reads; `timeout client/server`
      bound the plain requests (uploads included: 10 MB at a slow 100 kB/s fits in 120 s).
    - `option forwardfor` and `X-Forwarded-Proto`: the processes know a proxy passed each request on
      (the processes never offer local mode anyway: `KAFO_NO_LOCAL_MODE=1`).
    """
    servers = "\n".join(f"    server s{k} 127.0.0.1:{port} check inter 2s fall 3 rise 2 cookie s{k}"
                        for k, port in enumerate(ports, start=1))
    log = "    log stdout format raw local0\n" if foreground else "    log /dev/log local0\n"
    stats_block = (f"\nfrontend stats\n    bind {stats}\n    stats enable\n    stats uri /\n"
                   "    stats refresh 5s\n") if stats else ""
    return f"""# KAFO dashboard: Streamlit processes behind one address (written by kafo_data/devtools/serve.py).
global
{log}    maxconn 4096

defaults
    mode http
    log global
    option httplog
    option dontlognull
    option redispatch
    retries 2
    timeout connect 5s
    timeout client 120s
    timeout server 120s
    timeout http-request 30s
    timeout tunnel 8h
    timeout client-fin 30s

frontend kafo
    bind {listen}
    option forwardfor
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    http-request set-header X-Forwarded-Proto http if !{{ ssl_fc }}
    default_backend streamlit

backend streamlit
    balance leastconn
    cookie {COOKIE} insert indirect nocache httponly attr "SameSite=Lax"
    option httpchk GET /_stcore/health
    http-check expect status 200
{servers}
{stats_block}"""


class ServeSet:
    """N `streamlit run` processes and HAProxy in front; a context manager that stops them all."""

    def __init__(self, root: Path, processes: int = 2, port: int | None = None, logs: Path | None = None,
                 env: dict[str, str] | None = None, args: list[str] | None = None) -> None:
        self.root = root
        self.count = max(1, processes)
        self.port = port or free_port()
        self.logs = logs or Path(tempfile.mkdtemp(prefix="kafo-serve-"))
        self.env = env or {}
        self.args = args or []
        self.servers: list[Server] = []
        self.haproxy: subprocess.Popen | None = None
        self.stats_port = free_port()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> ServeSet:
        if not Path(HAPROXY).is_file():
            raise RuntimeError(f"HAProxy not found at {HAPROXY}: apt-get install -y haproxy")
        self.logs.mkdir(parents=True, exist_ok=True)
        # One secret for every process: Streamlit signs its XSRF cookie with it, so a browser sent to
        # another process (its own died) is not refused; sign-in's own cookie_secret is in secrets.toml.
        env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32), **self.env, "KAFO_NO_LOCAL_MODE": "1"}
        try:
            for k in range(self.count):
                server = Server(self.root, log=self.logs / f"streamlit-{k + 1}.log", env=env, args=self.args)
                self.servers.append(server.__enter__())
            config = self.logs / "haproxy.cfg"
            config.write_text(haproxy_config([s.port for s in self.servers], f"{HOST}:{self.port}",
                                             f"{HOST}:{self.stats_port}", foreground=True), encoding="utf-8")
            with (self.logs / "haproxy.log").open("wb") as out:
                self.haproxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=out,
                                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            self._wait_all_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_all_up(self, timeout: float = 60) -> None:
        """Until HAProxy's own health checks see every process up, and its address answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.haproxy.poll() is not None:
                raise RuntimeError("HAProxy stopped at start:\n"
                                   + (self.logs / "haproxy.log").read_text(errors="replace")[-3000:])
            if self.backends_up() == self.count:
                with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2):
                    return
            time.sleep(0.3)
        raise RuntimeError(f"HAProxy did not see {self.count} healthy processes within {timeout:.0f} s")

    def backends_up(self) -> int:
        """How many dashboard processes HAProxy's checks see up (from its stats page, CSV)."""
        try:
            with urllib.request.urlopen(f"http://{HOST}:{self.stats_port}/;csv", timeout=2) as r:
                rows = r.read().decode().splitlines()
        except OSError:
            return 0
        return sum(1 for row in rows if row.startswith("streamlit,s") and ",UP" in row)

    def __exit__(self, *exc: object) -> None:
        stop_process(self.haproxy, timeout=10)
        for server in self.servers:
            server.__exit__(None, None, None)

    def pids(self) -> list[int]:
        return [s.proc.pid for s in self.servers]


def configure(p: argparse.ArgumentParser) -> None:
    """The `serve` command's flags."""
    p.add_argument("--processes", type=int, default=2, help="Streamlit processes (default 2: one per core)")
    p.add_argument("--port", type=int, default=8080, help="HAProxy's port on 127.0.0.1 (default 8080)")
    p.add_argument("--logs", help="folder for the processes' and HAProxy's logs and the generated haproxy.cfg")
    p.add_argument("--print-config", action="store_true", help="print the HAProxy configuration and exit")


def cmd_serve(args: argparse.Namespace) -> int:
    """`python -m kafo_data serve`: run until Ctrl-C (or SIGTERM), then stop every process."""
    if args.print_config:
        print(haproxy_config([8501 + k for k in range(max(1, args.processes))]), end="")
        return 0
    root = Path(args.data_dir).resolve() if args.data_dir else data_dir()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    logs = Path(args.logs).resolve() if args.logs else None
    with ServeSet(root, args.processes, args.port, logs) as served:
        print(f"{served.url}  ({served.count} processes: {', '.join(str(s.port) for s in served.servers)}; "
              f"logs and haproxy.cfg in {served.logs}; HAProxy stats on http://{HOST}:{served.stats_port}/)",
              flush=True)
        try:
            while all(s.proc.poll() is None for s in served.servers) and served.haproxy.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            return 0
    print("a process stopped; everything stopped (see the logs)", file=sys.stderr)
    return 1

