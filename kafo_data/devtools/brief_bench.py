"""The brief's goals, printed (no timed tests): pages and seconds of one edition's brief, cold and warm, and the
all-editions brief's pages and completeness.

    python -m kafo_data brief-bench            # every edition's one-edition brief in EN and FR, and all editions

Wall and CPU seconds are both printed: on a shared machine the wall clock says more about the other
processes. Cold: a new process (imports, WeasyPrint's fonts, kaleido's Chromium start) writing one brief
through the CLI. Warm: the next brief in a process that has made one (what a page's second click costs).
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kafo_data.config import REPO_DIR, data_dir


def _children_cpu() -> float:
    """CPU seconds of finished child processes (the CLI run and the browser it started): load on a shared
    machine stretches the wall clock, not this."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-charts", action="store_true", help="measure without kaleido (text and layout only)")


def cmd_brief_bench(args: argparse.Namespace) -> int:
    from kafo_data.brief import build
    from kafo_data.brief.content import Request
    from kafo_data.store.db import get_database

    root = Path(args.data_dir) if args.data_dir else data_dir()
    with tempfile.TemporaryDirectory() as tmp:
        start, before = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "-m", "kafo_data", "brief", "--operation", "KAFO-II", "--lang", "fr",
                        "-o", str(Path(tmp) / "cold.pdf"), "--data-dir", str(root)], cwd=REPO_DIR, check=True,
                       capture_output=True)
        print(f"cold (new process, KAFO-II fr, CLI): {time.perf_counter() - start:.2f} s wall, "
              f"{_children_cpu() - before:.2f} s CPU with its browser (goal <= 8 s)")
    db = get_database(root)
    charts = not args.no_charts
    build.make(db, Request("overview", "en", ("KAFO-I",)), charts=charts)  # the process's first brief
    ops = [r[0] for r in db.rows("SELECT operation_id FROM operations ORDER BY start_date")]
    worst_pages, worst_s = 0, 0.0
    for lang in ("en", "fr"):
        for op in ops:
            start, cpu = time.perf_counter(), time.process_time()
            made = build.make(db, Request("overview", lang, (op,)), charts=charts)
            seconds = time.perf_counter() - start
            cpu = time.process_time() - cpu
            pages = _pages(made.pdf)
            worst_pages, worst_s = max(worst_pages, pages), max(worst_s, seconds)
            print(f"warm {op:12} {lang}: {seconds:.2f} s wall, {cpu:.2f} s CPU here, {pages} A4 page(s), "
                  f"{len(made.pdf) / 1024:.0f} KiB")
    print(f"one edition: at most {worst_pages} pages (goal <= 2), at most {worst_s:.2f} s warm (goal <= 3 s)")
    for page in ("overview", "operations", "budget"):
        start = time.perf_counter()
        made = build.make(db, Request(page, "en"), charts=charts)
        print(f"all editions, {page}: {time.perf_counter() - start:.2f} s, {_pages(made.pdf)} pages")
    return 0
