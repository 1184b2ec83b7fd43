"""`python -m kafo_data firearms-bench`: the Firearms page and the reporting grid at scale (issue 30's goals).

- The Firearms page for a fresh selection: the queries of one rerun (`firearms.queries.cells` and the
  firearm events' summary for managers; `firearms.public.cells` and `public.summary` for the public), run
  on the database directly, so no result cache answers them: what a selection nobody made before costs.
  Goal: at most 150 ms median at 10 M item lines.
- The reporting grid (`seizures.reporting.grid` computed, not kept) on the same lines split into 500
  report batches, each with its `batch.json`. Goal: at most 150 ms.

The datasets are `bench`'s synthetic ones (reused when they match); the 500-batch copy is made once
beside them. `bench` runs the same worker (`worker_firearms`) and prints its lines with the rest.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kafo_data.config import built_dir, data_dir, reference_dir
from kafo_data.devtools.bench import (
    DEFAULT_BASE,
    _median_ms,
    _synthetic_fingerprint,
    dataset,
    firearm_lines,
    worker_firearms,
)

BATCHES = 500


def batches_dataset(rows: int, base: Path, seed: int, count: int = BATCHES) -> Path:
    """`rows` synthetic lines as `count` report batches (sources, load times, who, rejected rows), made once."""
    from kafo_data.sample.seizures import synthetic
    from kafo_data.store.batches import write_record_batch

    root = base / f"rows-{rows}-batches-{count}"
    marker = root / "made.json"
    wanted = {"rows": rows, "seed": seed, "count": count, "generator_hash": _synthetic_fingerprint()}
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == wanted:
        return root
    shutil.rmtree(root, ignore_errors=True)
    source = data_dir()
    for folder in (reference_dir(source), built_dir(source)):
        shutil.copytree(folder, root / folder.name)
    seizures, items = synthetic(root, rows, seed)
    event_no = pc.cast(pc.utf8_slice_codeunits(items["seizure_id"], 4), pa.int64()).to_numpy()
    bounds = np.linspace(0, seizures.num_rows, count + 1).astype(int)
    for k in range(count):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        batch_id = f"20261204-{k // 60:02d}{k % 60:02d}00-{k:08x}"
        file = f"report-{k:03d}.csv"
        events = seizures.slice(lo, hi - lo)
        events = events.set_column(events.schema.get_field_index("source"), "source",
                                   pa.array([f"{file} [{batch_id}]"] * events.num_rows, pa.string()))
        events = events.set_column(events.schema.get_field_index("is_sample"), "is_sample",
                                   pa.array([False] * events.num_rows, pa.bool_()))
        a, b = np.searchsorted(event_no, [lo, hi])
        lines = items.slice(int(a), int(b - a))
        meta = {"batch_id": batch_id, "kind": "report", "is_sample": False, "file": file,
                "loaded_at": f"2026-12-04T{k // 60:02d}:{k % 60:02d}:00Z", "loaded_by": f"manager{k % 5}@unodc.example",
                "read": lines.num_rows + k % 7, "accepted": lines.num_rows, "rejected": k % 7,
                "rows": lines.num_rows, "events": events.num_rows}
        write_record_batch(root, batch_id, events, lines, meta)
    marker.write_text(json.dumps(wanted), encoding="utf-8")
    return root


def worker_grid(root: Path, repeat: int) -> dict:
    """The reporting grid computed (not kept), on a data directory of many report batches (ms, median)."""
    from kafo_data.seizures import reporting
    from kafo_data.store.db import Database

    db = Database(root)
    db.version()
    grid = reporting._grid(db)
    ms, cpu = _median_ms(lambda: reporting._grid(db), repeat)
    batches = len(db.batches)
    db.close()
    return {"grid_ms": ms, "grid_cpu_ms": cpu, "batches": batches, "cells": len(grid),
            "reported_cells": int((grid.batches > 0).sum())}


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, default=10_000_000, help="synthetic item lines (default 10000000)")
    p.add_argument("--batches", type=int, default=BATCHES, help="report batches for the grid (default 500)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--base", default=str(DEFAULT_BASE), help="where the synthetic datasets are kept (reused)")
    p.add_argument("--seed", type=int, default=20191111)


def cmd_firearms_bench(args: argparse.Namespace) -> int:
    base = Path(args.base).resolve()
    root = dataset(args.rows, base, args.seed)
    page = worker_firearms(root, args.repeat)
    grid = worker_grid(batches_dataset(args.rows, base, args.seed, args.batches), args.repeat)
    print("\n".join(firearm_lines(args.rows, page, grid)))
    return 0
