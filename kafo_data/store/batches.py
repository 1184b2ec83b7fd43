"""The stored batches: list them, take a wrong one back out, and the lock every writer takes.

A batch is a directory `batches/<id>/` with `batch.json`; it exists for the app once renamed
in (`db.batch_dirs`). Removing is the same move backwards: the directory is renamed out to
`tmp/` in one step (the batch disappears from the dashboard at once, and a crash cannot leave
half a batch), then deleted. The lock serialises loads and removals, so two uploads of the
same file at the same moment cannot both pass the duplicate check.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kafo_data.config import rejected_dir, tmp_dir
from kafo_data.store.db import batch_dirs

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


def find_by_checksum(root: Path, sha256: str) -> BatchInfo | None:
    """The batch loaded from a file with this SHA-256, if any."""
    return next((b for b in list_batches(root) if b.sha256 == sha256), None)


@contextlib.contextmanager
def built_whole(final: Path, work: Path, name: str) -> Iterator[Path]:
    """A directory written under tmp/ and renamed into place whole: a reader sees all of it or nothing.

    `name` says what it is in the error when `final` exists already ("batch", "money batch").
    """
    if final.exists():
        raise FileExistsError(f"{name} {final.name} already exists")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    yield work
    final.parent.mkdir(parents=True, exist_ok=True)
    work.rename(final)


@contextlib.contextmanager
def store_lock(root: Path) -> Iterator[None]:
    """Hold the data directory's write lock (released by the system if the process dies)."""
    folder = tmp_dir(Path(root))
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "store.lock").open("a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        else:
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
        try:
            yield
        finally:
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
