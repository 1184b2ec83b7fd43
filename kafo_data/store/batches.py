"""The stored batches: the one way to write one, list them, take a wrong one back out, the one lock.

A batch is a directory `batches/<id>/` (seizure records) or `money/batches/<id>/` (budget lines,
transactions) with `batch.json`; it exists for the app once renamed in (`db.batch_dirs`).

Writing (`write_batch_dir`, the only writer of a batch directory: the seizure ingest, the money
ingest and the sample all call it): every file is written under `tmp/`, flushed to disk
(fsync), the directory itself fsynced, renamed into place in one step, and the parent
directory fsynced so the rename survives a power cut. A reader sees all of a batch or nothing.
Single files that are replaced (the rejected rows, the money sample) go through
`write_file_whole`: the same steps for one file.

Removing is the same move backwards: the directory is renamed out to `tmp/` in one step (the
batch disappears from the dashboard at once, and a crash cannot leave half a batch), then
deleted.

`store_lock` is the one lock of a data directory, for every kind of data: seizure loads,
money loads, removals and the sample all take it, so two loads at the same moment cannot both
pass the duplicate check (whatever they load), and nothing is written while another writer
checks what is stored. It is re-entrant within a thread.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kafo_data.config import batches_dir, rejected_dir, tmp_dir
from kafo_data.contract import seizures as contract
from kafo_data.i18n import t
from kafo_data.store.health import batch_dirs, batch_problem

# Only the atomicity tests set this: the writer sleeps this many seconds after the first file of a
# batch, so a test can kill the process while the batch is half written.
TEST_PAUSE_ENV = "KAFO_INGEST_TEST_PAUSE"
ROW_GROUP_SIZE = 122_880

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


class BatchError(ValueError):
    """A batch command the user can correct (unknown id, the sample without --force)."""


@dataclass(frozen=True)
class BatchInfo:
    """One stored batch as the Data and sources page and `batches` show it."""

    batch_id: str
    path: Path
    kind: str
    is_sample: bool
    file: str | None
    rows: int | None
    events: int | None
    loaded_at: str
    sha256: str | None = None
    read: int | None = None
    rejected: int | None = None
    rejected_file: str | None = None
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def loaded_by(self) -> str | None:
        """Who loaded it: the signed-in manager's e-mail, "local mode", or the command line's user."""
        value = self.meta.get("loaded_by")
        return str(value) if value else None


def _info(path: Path) -> BatchInfo:
    meta_path = path / "batch.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    when = meta.get("loaded_at") or dt.datetime.fromtimestamp(meta_path.stat().st_mtime, dt.UTC).isoformat(
        timespec="seconds").replace("+00:00", "Z")
    return BatchInfo(
        batch_id=path.name, path=path, kind=str(meta.get("kind", "unknown")),
        is_sample=bool(meta.get("is_sample", False)), file=meta.get("file"), rows=meta.get("rows"),
        events=meta.get("events"), loaded_at=when, sha256=meta.get("sha256"), read=meta.get("read"),
        rejected=meta.get("rejected"), rejected_file=meta.get("rejected_file"), meta=meta,
    )


def list_batches(root: Path) -> list[BatchInfo]:
    """Every complete batch, oldest load first (the sample, which has no load time, first)."""
    infos = [_info(p) for p in batch_dirs(Path(root))]
    return sorted(infos, key=lambda b: (not b.is_sample, b.loaded_at, b.batch_id))


def damaged_notices(root: Path, lang: str) -> list[str]:
    """One line per stored batch that cannot be read and is left out (see `store.health`)."""
    out = []
    for info in list_batches(root):
        problem = batch_problem(info.path)
        if problem:
            out.append(t("store.damaged_batch", lang, batch=info.batch_id, reason=problem))
    return out


def find_by_checksum(root: Path, sha256: str) -> BatchInfo | None:
    """The batch loaded from a file with this SHA-256, if any."""
    return next((b for b in list_batches(root) if b.sha256 == sha256), None)


# --- writing ------------------------------------------------------------------------------------


def fsync(path: Path) -> None:
    """Flush one file or directory to disk (a directory: the names in it, so a rename is durable)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) if path.is_dir() else os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:  # Windows cannot open a directory: its renames are durable without it
        if path.is_dir():
            return
        raise
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _pause_for_tests() -> None:
    seconds = os.environ.get(TEST_PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


def write_batch_dir(final: Path, work: Path, files: Sequence[tuple[str, Callable[[Path], None]]], meta: dict,
                    what: str = "batch") -> Path:
    """Write a batch directory whole: the one writer of every kind of batch.

    Each `(name, write)` writes one file into `work` (under tmp/); then `batch.json` (`meta`) is
    written last, every file and the directory are fsynced, the directory is renamed to `final`
    in one step and `final`'s parent fsynced. A crash at any moment leaves the batch whole or
    absent (a leftover under tmp/ is cleaned by the next writer). Raises FileExistsError when
    `final` exists already, naming it by `what` and its id (never a server path).
    """
    if final.exists():
        raise FileExistsError(f"{what} {final.name} already exists")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    try:
        for k, (name, write) in enumerate(files):
            write(work / name)
            fsync(work / name)
            if k == 0:
                _pause_for_tests()
        (work / "batch.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n",
                                         encoding="utf-8")
        fsync(work / "batch.json")
        fsync(work)
        final.parent.mkdir(parents=True, exist_ok=True)
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    fsync(final.parent)
    return final


def write_file_whole(target: Path, data: bytes, work_dir: Path) -> Path:
    """Replace one file whole: written under `work_dir` (tmp/, same file system), fsynced, renamed in."""
    work_dir.mkdir(parents=True, exist_ok=True)
    work = work_dir / f"{target.name}.partial"
    try:
        with work.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work, target)
    except BaseException:
        work.unlink(missing_ok=True)
        raise
    fsync(target.parent)
    return target


def parquet_writer(table: pa.Table, **options: object) -> Callable[[Path], None]:
    """A file writer for `write_batch_dir`: one arrow table as zstd parquet."""
    return lambda path: pq.write_table(table, path, compression="zstd", **options)  # type: ignore[arg-type]


_ARROW_TYPES = {"VARCHAR": pa.string(), "DATE": pa.date32(), "DOUBLE": pa.float64(),
                "INTEGER": pa.int32(), "BOOLEAN": pa.bool_()}


def record_schema(table: str) -> pa.Schema:
    """The arrow schema of a seizure record table (`seizures`, `seized_items`) from the contract."""
    return pa.schema([(c.name, _ARROW_TYPES[c.dtype]) for c in contract.TABLES[table]])


def record_table(table: str, rows: list[dict]) -> pa.Table:
    """Rows (dicts) as an arrow table of the contract's schema; a missing key is empty."""
    cols = contract.TABLES[table]
    return pa.table({c.name: [r.get(c.name) for r in rows] for c in cols}, schema=record_schema(table))


def sort_records(seizures: pa.Table, items: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Sorted by operation and date (items in their events' order), so filters skip row groups."""
    seizures = seizures.sort_by([("operation_id", "ascending"), ("seizure_date", "ascending"),
                                 ("seizure_id", "ascending")])
    order = {sid: k for k, sid in enumerate(seizures.column("seizure_id").to_pylist())}
    rank = pa.array([order[s] for s in items.column("seizure_id").to_pylist()], pa.int64())
    items = items.append_column("_rank", rank).sort_by([("_rank", "ascending"), ("line_no", "ascending")])
    return seizures, items.drop_columns(["_rank"])


def write_record_batch(root: Path, batch_id: str, seizures: pa.Table, items: pa.Table, meta: dict) -> Path:
    """One seizure batch (`seizures.parquet`, `seized_items.parquet`, `batch.json`) into batches/, whole."""
    options = {"row_group_size": ROW_GROUP_SIZE, "use_dictionary": True}
    return write_batch_dir(batches_dir(root) / batch_id, tmp_dir(root) / f"{batch_id}.partial",
                           [("seizures.parquet", parquet_writer(seizures, **options)),
                            ("seized_items.parquet", parquet_writer(items, **options))], meta)


# --- the lock -------------------------------------------------------------------------------------

_held = threading.local()


@contextlib.contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """Hold the data directory's one write lock (released by the system if the process dies).

    Every writer of every kind of data takes it. Another thread or process waits; the same
    thread taking it again (a writer calling another writer) goes through.
    """
    folder = tmp_dir(Path(root))
    key = str(folder.resolve())
    held: set[str] = getattr(_held, "roots", None) or set()
    _held.roots = held
    if key in held:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "store.lock").open("a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            else:
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)


def command_line_user() -> str:
    """Who runs a command that loads or removes a batch, as batch records name them."""
    import getpass

    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def journal_file(root: Path) -> Path:
    """The removals' record: one JSON line per batch taken out (a removed batch's own folder is gone)."""
    return Path(root) / "log" / "batches.jsonl"


def removed_batches(root: Path) -> list[dict]:
    """The batches taken out, oldest first: batch_id, file, rows, loaded_by, removed_by, removed_at."""
    path = journal_file(root)
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("action") == "removed":
            out.append(entry)
    return out


def remove_batch(root: Path, batch_id: str, allow_sample: bool = False, removed_by: str | None = None) -> BatchInfo:
    """Take one batch out: rename it out of batches/ (one atomic step), then delete it.

    Its rejected-rows file goes with it (a corrected file, loaded again, makes a new one). The
    id is looked up among the stored batches, never joined into a path as given. Who took it out
    and when is appended to `journal_file`.
    """
    root = Path(root)
    with store_lock(root):
        known = {b.batch_id: b for b in list_batches(root)}
        info = known.get(batch_id)
        if info is None:
            raise BatchError(f"no batch {batch_id!r}: `python -m kafo_data batches` lists them")
        if info.is_sample and not allow_sample:
            raise BatchError(f"{batch_id!r} is the generated sample: hide it with the dashboard's sample switch, "
                             "or remove it with --force (`python -m kafo_data build` makes it again)")
        trash = tmp_dir(root) / f"{info.batch_id}.removed"
        if trash.exists():
            shutil.rmtree(trash)
        info.path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
        (rejected_dir(root) / f"{info.batch_id}.csv").unlink(missing_ok=True)
        journal = journal_file(root)
        journal.parent.mkdir(parents=True, exist_ok=True)
        entry = {"action": "removed", "batch_id": info.batch_id, "file": info.file, "rows": info.rows,
                 "loaded_by": info.loaded_by, "removed_by": removed_by,
                 "removed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")}
        with journal.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return info


def format_table(infos: list[BatchInfo]) -> list[str]:
    """The `batches` listing: id, kind, item lines, when, file."""
    rows = [("id", "kind", "rows", "loaded (UTC)", "loaded by", "file")]
    for b in infos:
        rows.append((b.batch_id, "sample" if b.is_sample else b.kind, "" if b.rows is None else str(b.rows),
                     b.loaded_at, b.loaded_by or "", b.file or ""))
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    return ["  ".join([*(r[k].ljust(widths[k]) for k in range(5)), r[5]]).rstrip() for r in rows]
