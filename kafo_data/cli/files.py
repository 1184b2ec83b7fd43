"""How the command line writes a file: to FILE.partial, renamed over FILE only once it is complete.

A reader never sees half a file, and an error (a table over a format's cap) leaves no partial behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

T = TypeVar("T")


def write_whole(target: Path, write: Callable[[BinaryIO], T]) -> T:
    """`write(stream)` into FILE.partial, then rename it to `target`; what `write` returned."""
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("wb") as out:
            result = write(out)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return result
