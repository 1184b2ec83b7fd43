"""`python -m kafo_data upload-bench`: a large workbook uploaded on the Load reports page of a real server.

`ingest_bench` measures the command line; the page is another process: Streamlit holds the upload,
the plan stays in the session, the server already holds the dashboard's data. This starts
`streamlit run app.py` on 127.0.0.1 with a copy of the data in a temporary folder, opens the
address it printed for local mode (a manager, as on a laptop) in Debian's Chromium (Playwright),
uploads the 50,000 rows x 80 columns .xlsx of issue 25 (`ingest_bench.make_wide_xlsx`) and waits
for the page to show the plan's counts. It prints the server process's resident memory (from
/proc: idle on the page, the peak while planning with the peak counter reset just before, and
after), the seconds from the file given to the counts shown, and the machine's load.

A 10-row workbook of the same shape goes first (`--cold`: not), so the figures are the file's own:
the process's first upload also loads the ingest's modules and vocabularies, about 30 MB once.
Each upload is made on a freshly opened page, a new session, and a session keeps its plan (so that
reruns do not plan again) until Streamlit drops it. Nothing is stored; the folder and the server go
at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kafo_data.config import REPO_DIR
from kafo_data.devtools.browser_bench import CHROMIUM, CHROMIUM_ARGS, VIEWPORT
from kafo_data.devtools.ingest_bench import make_wide_xlsx
from kafo_data.devtools.serve import Server

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident since the last reset) of a process, in MB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def reset_peak(pid: int) -> bool:
    """Start the process's peak counter (VmHWM) from its present size; False where /proc does not allow it."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5", encoding="ascii")
        return True
    except OSError:
        return False


def _wait_for_counts(page: Any, pid: int, timeout: float) -> tuple[float, float, list[str]]:
    """Seconds until the plan's four counts show with the app idle, the highest RSS sampled, the counts."""
    start = time.monotonic()
    highest = 0.0
    while time.monotonic() - start < timeout:
        highest = max(highest, memory_mb(pid)[0])
        metrics = page.get_by_test_id("stMetric")
        if metrics.count() >= 4 and page.locator(IDLE).count() == 1:
            return time.monotonic() - start, highest, [m.inner_text().replace("\n", " ") for m in metrics.all()]
        alert = page.get_by_test_id("stAlert")
        if alert.count() and page.locator(IDLE).count() == 1:
            raise RuntimeError(f"the page refused the file: {alert.first.inner_text()}")
        page.wait_for_timeout(100)
    raise TimeoutError(f"no counts on the page within {timeout:.0f} s")


def run(rows: int, rounds: int, timeout: float, warm: bool = True) -> int:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="kafo-upload-bench-"))
    try:
        data = work / "data"
        shutil.copytree(REPO_DIR / "data", data, ignore=shutil.ignore_patterns("tmp", "rejected"))
        report, small = work / "wide.xlsx", work / "small.xlsx"
        make_wide_xlsx(report, rows)
        make_wide_xlsx(small, 10)
        env = {k: v for k, v in os.environ.items() if k != "KAFO_NO_LOCAL_MODE"}
        env.update(KAFO_ENABLE_UPLOAD="1", PYTHONUNBUFFERED="1")
        with Server(data, log=work / "server.log", env=env) as server, sync_playwright() as playwright:
            pid = server.proc.pid
            deadline = time.monotonic() + 30
            while not (found := re.search(r"http://\S+\?token=[\w-]+", server.log.read_text(errors="replace"))):
                if time.monotonic() > deadline:
                    raise RuntimeError("the server printed no local-mode address")
                time.sleep(0.2)
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(timeout * 1000)
            page.goto(found.group(0).replace("localhost", "127.0.0.1"))
            page.locator(IDLE).wait_for(state="attached")
            print(f"{'upload':>7} {'idle MB':>8} {'peak MB':>8} {'after MB':>9} {'moved MB':>9} {'seconds':>8} "
                  f"{'load':>5}  counts")
            files = [("warm-up", small)] if warm else []
            files += [(str(k), report) for k in range(1, rounds + 1)]
            for k, path in files:
                page.goto(f"http://127.0.0.1:{server.port}/upload")
                page.get_by_test_id("stFileUploader").wait_for()
                page.locator(IDLE).wait_for(state="attached")
                page.wait_for_timeout(1500)  # let the page's own run settle before the idle figure
                idle = memory_mb(pid)[0]
                reset = reset_peak(pid)
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
                seconds, sampled, counts = _wait_for_counts(page, pid, timeout)
                after, hwm = memory_mb(pid)
                peak = max(hwm if reset else 0.0, sampled)
                print(f"{k:>7} {idle:>8.0f} {peak:>8.0f} {after:>9.0f} {peak - idle:>9.0f} {seconds:>8.1f} "
                      f"{os.getloadavg()[0]:>5.1f}  {'; '.join(counts)}", flush=True)
            browser.close()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, default=50_000, help="rows of the 80-column workbook (default 50,000)")
    p.add_argument("--rounds", type=int, default=2, help="uploads, each on a freshly opened page (default 2)")
    p.add_argument("--cold", action="store_true",
                   help="no 10-row upload first: the first figure then includes loading the ingest's modules")
    p.add_argument("--timeout", type=float, default=300, help="seconds to wait for the plan (default 300)")


def cmd_upload_bench(args: argparse.Namespace) -> int:
    if not Path(CHROMIUM).exists():
        print(f"error: no Chromium at {CHROMIUM} (apt-get install -y chromium, or set KAFO_CHROMIUM)", file=sys.stderr)
        return 2
    return run(args.rows, args.rounds, args.timeout, not args.cold)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m kafo_data upload-bench", description=__doc__)
    configure(parser)
    sys.exit(cmd_upload_bench(parser.parse_args()))
