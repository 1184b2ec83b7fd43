"""Command-line flags made from a filter set's declared fields, so the CLI filters exactly as the pages do.

One flag a field: ids and numbers repeat (`--operation KAFO-II --operation KAFO-IV`), a date takes
YYYY-MM-DD (`--from`, `--to`), the sample switch is `--no-sample`. A new filter field is a new flag.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any, TypeVar

from kafo_data.errors import UsageError
from kafo_data.filtering import Field, FilterSet

F = TypeVar("F", bound=FilterSet)


def _dest(field: Field) -> str:
    if field.kind == "date":
        return field.attr
    if field.kind == "flag":
        return f"no_{field.key}"
    return (field.flag or field.key).replace("-", "_")


def add_filter_flags(p: argparse.ArgumentParser, cls: type[FilterSet], what: str = "records") -> None:
    """One flag for each of `cls.FIELDS`."""
    for field in cls.FIELDS:
        name = f"--{field.flag or field.key}"
        if field.kind == "date":
            p.add_argument(name, dest=_dest(field), metavar="YYYY-MM-DD")
        elif field.kind == "flag":
            p.add_argument(f"--no-{field.key}", action="store_true", help=f"leave sample {what} out")
        else:
            p.add_argument(name, dest=_dest(field), action="append", metavar=field.metavar,
                           type=int if field.kind == "numbers" else str)


def filters_from_flags(cls: type[F], args: argparse.Namespace) -> F:
    """The filter set the flags name (not yet checked against the known ids: `filtering.check` does that)."""
    values: dict[str, Any] = {}
    for field in cls.FIELDS:
        given = getattr(args, _dest(field), None)
        if field.kind == "flag":
            values[field.attr] = not given
        elif field.kind == "date":
            try:
                values[field.attr] = dt.date.fromisoformat(given) if given else None
            except ValueError as exc:
                raise UsageError(f"bad date: {exc}") from exc
        else:
            values[field.attr] = tuple(given or ())
    return cls(**values)
