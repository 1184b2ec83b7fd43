"""The brief's goals, printed (no timed tests): pages and seconds of one edition's brief, cold and warm, and the
all-editions brief's pages and completeness.

    python -m kafo_data brief-bench            # every edition's one-edition brief in EN and FR, and all editions
    python -m kafo_data brief-bench --cold 5   # five cold runs (median and best printed)

Wall and CPU seconds are both printed, with the load average when each figure was taken: on a shared
machine the wall clock says more about the other processes than about the brief. Cold: a new process
(imports, WeasyPrint and Pango, kaleido's Chromium start) writing one brief through the CLI; its CPU
counts the browser it started (sampled from /proc). Warm: the next brief in a process that has made one (what a page's
second click costs); CPU here and in the browser (kaleido's Chromium, a child of this process).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafo_data.config import REPO_DIR, data_dir

COLD_GOAL_S = 8.0
WARM_GOAL_S = 3.0


def _tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds used so far by `root` and every live process under it, by pid (read from /proc: Linux).

    Chromium's helper processes are not all waited for by the process that started them, so the
    operating system's count of finished children (getrusage) leaves most of the browser out."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    mine, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in mine and pid not in mine}
        mine |= more
        grew = bool(more)
    return {pid: times[pid] for pid in mine if pid in times}


def _browser_cpu() -> float:
    """CPU seconds so far of the live processes under this one (kaleido's Chromium and its helpers)."""
    return sum(cpu for pid, cpu in _tree_cpu(os.getpid()).items() if pid != os.getpid())


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-charts", action="store_true", help="measure without kaleido (text and layout only)")
    p.add_argument("--cold", type=int, default=3, metavar="N", help="cold runs (new processes) to time (default 3)")


def cold_child(argv: list[str]) -> int:
    """In the cold run's new process: the CLI's brief, then (before the browser closes at exit) one line with this
    process's CPU seconds, its browser's and the number of browser processes, for the parent to read."""
    import resource

    from kafo_data.cli import main

    code = main(argv)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    browser = _tree_cpu(os.getpid())
    print(f"CPU {usage.ru_utime + usage.ru_stime:.3f} {sum(browser.values()) - browser.get(os.getpid(), 0):.3f} "
          f"{len(browser) - 1}")
    return code


def _cold(root: Path, runs: int) -> list[float]:
    """Time `runs` CLI briefs, each in a new process, with the CPU it and its browser used."""
    walls = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(runs):
            load = _load()
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", "import sys; from kafo_data.devtools.brief_bench import "
                                   "cold_child; sys.exit(cold_child(sys.argv[1:]))", "brief", "--operation",
                                   "KAFO-II", "--lang", "fr", "-o", str(Path(tmp) / "cold.pdf"), "--data-dir",
                                   str(root)], cwd=REPO_DIR, check=True, capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            own, browser, processes = done.stdout.rsplit("CPU ", 1)[1].split()
            print(f"cold {k + 1} (new process, KAFO-II fr, CLI): {walls[-1]:.2f} s wall, {float(own):.2f} s CPU + "
                  f"{float(browser):.2f} s in its browser ({processes} processes); {load}")
    return walls


def cmd_brief_bench(args: argparse.Namespace) -> int:
    from kafo_data.brief import build, images
    from kafo_data.brief.content import Request
    from kafo_data.store.db import get_database

    root = Path(args.data_dir) if args.data_dir else data_dir()
    cold = _cold(root, max(1, args.cold))
    db = get_database(root)
    charts = not args.no_charts
    build.make(db, Request("overview", "en", ("KAFO-I",)), charts=charts)  # the process's first brief
    ops = [r[0] for r in db.rows("SELECT operation_id FROM operations ORDER BY start_date")]
    worst_pages, warm, warm_cpu = 0, [], []
    for lang in ("en", "fr"):
        for op in ops:
            start, cpu, browser = time.perf_counter(), time.process_time(), _browser_cpu()
            made = build.make(db, Request("overview", lang, (op,)), charts=charts)
            seconds = time.perf_counter() - start
            cpu, browser = time.process_time() - cpu, _browser_cpu() - browser
            pages = _pages(made.pdf)
            worst_pages = max(worst_pages, pages)
            warm.append(seconds)
            warm_cpu.append(cpu + browser)
            print(f"warm {op:12} {lang}: {seconds:.2f} s wall, {cpu:.2f} s CPU here + {browser:.2f} s in the "
                  f"browser, {pages} A4 page(s), {len(made.pdf) / 1024:.0f} KiB")
    print(f"one edition: at most {worst_pages} pages (goal <= 2)")
    print(f"warm: median {statistics.median(warm):.2f} s, worst {max(warm):.2f} s wall (goal <= {WARM_GOAL_S:g} s); "
          f"CPU median {statistics.median(warm_cpu):.2f} s, worst {max(warm_cpu):.2f} s; {_load()}")
    print(f"cold: median {statistics.median(cold):.2f} s, best {min(cold):.2f} s wall of {len(cold)} "
          f"(goal <= {COLD_GOAL_S:g} s)")
    for page in ("overview", "operations", "budget"):
        start = time.perf_counter()
        made = build.make(db, Request(page, "en"), charts=charts)
        print(f"all editions, {page}: {time.perf_counter() - start:.2f} s, {_pages(made.pdf)} pages")
    images.stop()  # closed here, not while the interpreter exits (its pipe then reports half messages)
    return 0
