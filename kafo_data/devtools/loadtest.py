"""`python -m kafo_data loadtest`: many people using one dashboard server at once.

Why: Streamlit runs every session's script in a thread of one process, so sessions share one
DuckDB root connection, one result cache, one GIL and two cores. Whether that holds up is
measured, not assumed: this starts the real server (`streamlit run app.py`) on 127.0.0.1 and
opens N real websocket sessions, each speaking Streamlit's own protocol (the protobuf messages the
browser sends). Each session opens a page, then clicks filters: it sets one of the sidebar
multiselects (operation, country, category) to a value it was offered, or clears it, exactly as
the browser reports a click, and waits for the server's "script finished".

How fast the simulated people click is the `--think` range: the default, 5-15 s between clicks, is
someone reading what each click shows; `--think 0.5 2` is a stress test nobody reading can keep up.

Reported per N: reruns, errors (a Python exception shown on the page, an error message, a run
that did not finish, a dropped connection), p50/p95/max of the time from the click to "script
finished" as the session sees it (server work plus loopback transfer; the browser's own
rendering is not in it), the same for opening the page, and the server process's peak memory
and CPU time. Traffic goes to the loopback address only; every loop is bounded in count and
time, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafo_data.config import data_dir
from kafo_data.devtools.serve import HOST, Server, ServeSet

FILTER_KEYS = ("f_operation", "f_country", "f_category")


@dataclass
class SessionResult:
    """What one simulated person saw."""

    open_ms: float | None = None
    rerun_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Widget:
    id: str
    options: list[str]


class Session:
    """One browser tab, as far as the server can tell: a websocket that sends Streamlit's BackMsgs."""

    def __init__(self, base: str, page: str, rng: random.Random, timeout: float) -> None:
        self.url = f"{base.replace('http://', 'ws://', 1).rstrip('/')}/_stcore/stream"
        self.page = page
        self.rng = rng
        self.timeout = timeout
        self.widgets: dict[str, Widget] = {}
        self.page_hash = ""
        self.ws: Any = None

    async def __aenter__(self) -> Session:
        import websockets

        # No protocol-level pings: the browser sends none either, and a busy server answering them late
        # would close a session that a person would still see working.
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=self.timeout, ping_interval=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()

    async def run(self, widget_states: list[tuple[str, list[str]]] | None = None) -> tuple[float, list[str]]:
        """Send one rerun and wait for the script to finish; returns (ms, errors seen on the page)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        if self.page_hash:
            state.page_script_hash = self.page_hash
        else:
            state.page_name = self.page
        for wid, values in widget_states or []:
            w = state.widget_states.widgets.add()
            w.id = wid
            w.string_array_value.data.extend(values)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        errors = await asyncio.wait_for(self._until_finished(), self.timeout)
        return (time.perf_counter() - start) * 1000, errors

    async def _until_finished(self) -> list[str]:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        errors: list[str] = []
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "navigation" and not self.page_hash:
                for page in msg.navigation.app_pages:
                    if page.url_pathname == self.page:
                        self.page_hash = page.page_script_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, errors)
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    errors.append(f"script finished with status {msg.script_finished}")
                return errors

    def _element(self, element: Any, errors: list[str]) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
        elif kind == "alert" and element.alert.format == 1:  # Alert.ERROR
            errors.append(f"error message: {element.alert.body[:200]}")
        elif kind == "multiselect":
            key = element.multiselect.id.rsplit("-", 1)[-1]
            if key in FILTER_KEYS:
                self.widgets[key] = Widget(element.multiselect.id, list(element.multiselect.options))

    def click(self) -> list[tuple[str, list[str]]]:
        """One filter click: a multiselect set to one offered value, or cleared (one time in four)."""
        key = self.rng.choice([k for k in FILTER_KEYS if k in self.widgets] or [""])
        if not key:
            return []
        widget = self.widgets[key]
        values = [] if self.rng.random() < 0.25 or not widget.options else [self.rng.choice(widget.options)]
        return [(widget.id, values)]


async def _one_session(base: str, page: str, clicks: int, think: tuple[float, float], seed: int,
                       timeout: float) -> SessionResult:
    rng = random.Random(seed)
    result = SessionResult()
    try:
        async with Session(base, page, rng, timeout) as session:
            ms, errors = await session.run()
            result.open_ms = ms
            result.errors += errors
            for _ in range(clicks):
                await asyncio.sleep(rng.uniform(*think))
                ms, errors = await session.run(session.click())
                result.rerun_ms.append(ms)
                result.errors += errors
    except Exception as exc:  # a dropped or stuck session is an error, not a crash
        result.errors.append(f"session failed: {type(exc).__name__}: {str(exc)[:200]}")
    return result


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[k], 1)


class Processes:
    """The server processes a round measures (memory and CPU from /proc): one, or each behind HAProxy."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids

    def _status(self, pid: int) -> tuple[float, float]:
        values = {}
        with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    values[key] = int(rest.split()[0]) / 1024
        return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) resident memory, summed over the processes."""
        both = [self._status(pid) for pid in self.pids]
        return round(sum(b[0] for b in both), 1), round(sum(b[1] for b in both), 1)

    def cpu_each(self) -> list[float]:
        """User + system CPU seconds each process has used so far."""
        out = []
        for pid in self.pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                out.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
            except OSError:
                out.append(0.0)
        return out


async def _round(base: str, procs: Processes, sessions: int, page: str, clicks: int,
                 think: tuple[float, float], seed: int, timeout: float) -> dict:
    """N sessions at once; memory sampled while they run."""
    peak = [procs.rss_mb()[0]]
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            peak.append(procs.rss_mb()[0])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)

    cpu0, wall0, client0 = procs.cpu_each(), time.perf_counter(), _own_cpu_s()
    sampler = asyncio.create_task(sample())
    results = await asyncio.gather(*[_one_session(base, page, clicks, think, seed * 1000 + k, timeout)
                                     for k in range(sessions)])
    stop.set()
    await sampler
    wall, client = time.perf_counter() - wall0, _own_cpu_s() - client0
    each = [round(b - a, 1) for a, b in zip(cpu0, procs.cpu_each(), strict=True)]
    cpu = sum(each)
    reruns = [ms for r in results for ms in r.rerun_ms]
    opens = [r.open_ms for r in results if r.open_ms is not None]
    errors = [e for r in results for e in r.errors]
    return {
        "sessions": sessions, "reruns": len(reruns), "errors": len(errors), "error_examples": errors[:5],
        "rerun_p50_ms": _pct(reruns, 0.5), "rerun_p95_ms": _pct(reruns, 0.95), "rerun_max_ms": _pct(reruns, 1.0),
        "open_p50_ms": _pct(opens, 0.5), "open_p95_ms": _pct(opens, 0.95),
        # script runs (page opens and clicks) finished per second of the round: at a stress pace with many
        # sessions, the throughput the server set sustains
        "runs_per_s": round((len(reruns) + len(opens)) / wall, 2) if wall else None,
        "server_rss_peak_mb": max(peak), "server_cpu_s": round(cpu, 1), "server_cpu_s_each": each,
        "wall_s": round(wall, 1), "server_cpu_share": round(cpu / wall, 2) if wall else None,
        # the simulated browsers share the machine: on 2 cores their CPU is what the servers cannot have
        "client_cpu_s": round(client, 1),
    }


def _own_cpu_s() -> float:
    """CPU seconds of this process (the load test's sessions), all threads."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run_async(coro: Any) -> Any:
    """Run a coroutine on its own event loop in a thread, so a caller that has a loop running works too."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def run(root: Path, counts: list[int], page: str = "seizures", clicks: int = 5,
        think: tuple[float, float] = (5.0, 15.0), seed: int = 1, timeout: float = 120.0,
        log: Any = print, processes: int = 0, url: str | None = None, pids: list[int] | None = None) -> dict:
    """Start the server (or the set behind HAProxy) once, warm it, then run each N in turn.

    `processes` 0: one `streamlit run`, no proxy (what earlier rounds measured); N >= 1: N processes
    behind HAProxy (`serve.ServeSet`), sessions spread by it. `url`: a server already running (HAProxy
    or one process), nothing started; `pids` are then the processes whose CPU and memory to report.
    """
    report: dict[str, Any] = {"data": str(root), "page": page, "clicks_per_session": clicks,
                              "think_s": list(think), "rounds": [], "load_average_start": list(os.getloadavg())}
    with contextlib.ExitStack() as stack:
        if url:
            base, procs, what = url, Processes(pids or []), f"server at {url}"
        elif processes >= 1:
            served = stack.enter_context(ServeSet(root, processes))
            base, procs = served.url, Processes(served.pids())
            what = f"{processes} process(es) behind HAProxy at {served.url} (logs: {served.logs})"
        else:
            server = stack.enter_context(Server(root))
            base, procs, what = f"http://{HOST}:{server.port}", Processes([server.proc.pid]), \
                f"server on {HOST}:{server.port} (log: {server.log})"
        report["target"] = what
        report["processes"] = len(procs.pids)
        log(what)
        # warm every process: HAProxy gives each new connection to the least busy one
        warm = _run_async(_round(base, procs, max(1, len(procs.pids)), page, 1, (0.0, 0.0), seed, timeout))
        report["warm_up"] = warm
        report["server_rss_after_warm_up_mb"] = procs.rss_mb()[0]
        for n in counts:
            log(f"{n} session(s) ...")
            report["rounds"].append(_run_async(_round(base, procs, n, page, clicks, think, seed + n, timeout)))
        report["server_rss_hwm_mb"] = procs.rss_mb()[1]
    report["load_average_end"] = list(os.getloadavg())
    return report


def table(report: dict) -> str:
    lines = [f"page: {report['page']}; data: {report['data']}; {report['clicks_per_session']} clicks per session, "
             f"think time {report['think_s'][0]}-{report['think_s'][1]} s between clicks",
             f"{report.get('target', '')}; load average (1, 5, 15 min) at start "
             f"{[round(x, 2) for x in report.get('load_average_start', [])]}, at end "
             f"{[round(x, 2) for x in report.get('load_average_end', [])]}",
             f"{'sessions':>8}{'reruns':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}"
             f"{'open p50':>10}{'open p95':>10}{'runs/s':>8}{'server MB':>11}{'CPU s':>8}{'wall s':>8}  CPU s each"]
    for r in report["rounds"]:
        lines.append(f"{r['sessions']:>8}{r['reruns']:>8}{r['errors']:>8}{_f(r['rerun_p50_ms']):>9}"
                     f"{_f(r['rerun_p95_ms']):>9}{_f(r['rerun_max_ms']):>9}{_f(r['open_p50_ms']):>10}"
                     f"{_f(r['open_p95_ms']):>10}{r['runs_per_s'] or 0:>8.2f}{r['server_rss_peak_mb']:>11,.0f}"
                     f"{r['server_cpu_s']:>8}{r['wall_s']:>8}  {' / '.join(str(c) for c in r['server_cpu_s_each'])}"
                     f" (load test itself: {r.get('client_cpu_s', '-')} s)")
        for e in r["error_examples"]:
            lines.append(f"    error: {e}")
    return "\n".join(lines)


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def configure(p: argparse.ArgumentParser) -> None:
    """The `loadtest` command's flags."""
    p.add_argument("--sessions", type=int, nargs="+", default=[1, 8, 32], metavar="N",
                   help="concurrent sessions per round (default: 1 8 32)")
    p.add_argument("--page", default="seizures", help="page to open (url path; default: seizures)")
    p.add_argument("--clicks", type=int, default=5, help="filter clicks per session (default 5)")
    p.add_argument("--think", type=float, nargs=2, default=[5.0, 15.0], metavar=("MIN", "MAX"),
                   help="seconds between one session's clicks, drawn uniformly (default 5 15: reading what each "
                        "click shows; 0.5 2 is a stress test)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds one rerun may take before it is an error")
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    p.add_argument("--processes", type=int, default=0, metavar="N",
                   help="start N Streamlit processes behind HAProxy (`serve`) instead of one bare process")
    p.add_argument("--url", help="drive a server already running here (e.g. HAProxy of `serve`); starts nothing")
    p.add_argument("--pid", type=int, nargs="*", default=[], help="with --url: the server processes to measure")


def cmd_loadtest(args: argparse.Namespace) -> int:
    """`python -m kafo_data loadtest`: print the table; exit 1 when any session saw an error."""
    root = Path(args.data_dir).resolve() if args.data_dir else data_dir()
    counts = [max(1, min(n, 256)) for n in args.sessions]
    report = run(root, counts, page=args.page, clicks=max(0, min(args.clicks, 1000)),
                 think=(max(0.0, args.think[0]), max(args.think)), seed=args.seed, timeout=args.timeout,
                 log=lambda text: print(text, file=sys.stderr, flush=True), processes=max(0, min(args.processes, 16)),
                 url=args.url, pids=args.pid)
    print(table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 1 if any(r["errors"] for r in report["rounds"]) else 0
