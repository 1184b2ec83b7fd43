"""A view's filters, declared as rows (as Datasette does), and their one URL form.

The seizure filters (`kafo_data.seizures.filters.Filters`) and the money filters
(`kafo_data.money.filters.MoneyFilters`) are frozen dataclasses that list their `FIELDS`: the
URL key, the attribute, the kind of value. Everything that reads or writes a link (the pages'
URL sync, the CLI's checks) goes through the functions here, so a value is checked against the
known ids, a date against the dates a widget can show, in one place for every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar, Literal, Protocol, TypeVar

from kafo_data.errors import FilterError

Kind = Literal["ids", "numbers", "date", "flag"]

# The dates a date filter (and its widget) can take: Streamlit refuses to draw a date_input whose value is
# outside its bounds, so a date from a link outside them is refused with a notice instead of reaching it.
DATE_MIN = dt.date(2015, 1, 1)
DATE_MAX = dt.date(2035, 12, 31)


@dataclass(frozen=True)
class Field:
    """One filter: its key in the URL, its attribute, its kind, and the column it restricts (if any).

    `flag` names its command-line flag when the key would clash with another flag (`--project-output`,
    not `--output`); `metavar` is what the command line's help shows for a value.
    """

    key: str
    attr: str
    kind: Kind
    column: str = ""
    on_items: bool = False
    flag: str = ""
    metavar: str = "ID"


# The two fields every filter set shares: one operation filter and one sample switch for the whole app.
OPERATION = Field("operation", "operations", "ids", "operation_id")
SAMPLE = Field("sample", "include_sample", "flag")


class FilterSet(Protocol):
    FIELDS: ClassVar[tuple[Field, ...]]


F = TypeVar("F", bound=FilterSet)
Known = Mapping[str, frozenset]  # attribute -> the values it may take (for "ids" and "numbers")


def _number(text: str) -> int | None:
    try:
        value = int(text.strip())
    except ValueError:
        return None
    return value if str(value) == text.strip() else None


def _date(text: str) -> dt.date | None:
    try:
        value = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if DATE_MIN <= value <= DATE_MAX else None


def from_params(cls: type[F], params: Mapping[str, Iterable[str]], known: Known) -> tuple[F, list[str]]:
    """Filters from URL parameters (repeated keys); values not understood are dropped and named."""
    notices: list[str] = []
    values: dict[str, Any] = {}
    for spec in cls.FIELDS:
        given = [str(v) for v in params.get(spec.key, ()) if str(v) != ""]
        if not given:
            continue
        if spec.kind in ("ids", "numbers"):
            parse = _number if spec.kind == "numbers" else (lambda v: v)
            parsed = [(parse(v), v) for v in given]
            allowed = known.get(spec.attr, frozenset())
            bad = [raw for value, raw in parsed if value not in allowed]
            if bad:
                notices.append(f"{spec.key}: {', '.join(bad)}")
            values[spec.attr] = tuple(sorted({value for value, _ in parsed if value in allowed}))
        elif spec.kind == "date":
            value = _date(given[-1])
            if value is None:
                notices.append(f"{spec.key}: {given[-1]}")
            else:
                values[spec.attr] = value
        elif given[-1] in {"0", "1"}:
            values[spec.attr] = given[-1] == "1"
        else:
            notices.append(f"{spec.key}: {given[-1]}")
    filters = cls(**values)
    start, end = getattr(filters, "date_from", None), getattr(filters, "date_to", None)
    if start and end and start > end:
        notices.append(f"from/to: {start} > {end}")
        filters = replace(filters, date_from=None, date_to=None)
    return filters, notices


def to_params(filters: FilterSet) -> dict[str, list[str]]:
    """The URL form: ids, not labels; a key is left out when its value is the default."""
    default = type(filters)()
    out: dict[str, list[str]] = {}
    for spec in filters.FIELDS:
        value = getattr(filters, spec.attr)
        if value == getattr(default, spec.attr):
            continue
        if spec.kind in ("ids", "numbers"):
            out[spec.key] = [str(v) for v in value]
        elif spec.kind == "date":
            out[spec.key] = [value.isoformat()]
        else:
            out[spec.key] = ["1" if value else "0"]
    return out


def check(filters: F, known: Known) -> F:
    """Refuse any value that is not a known id (the CLI); returns the filters sorted and deduplicated."""
    values: dict[str, Any] = {}
    for spec in filters.FIELDS:
        if spec.kind not in ("ids", "numbers"):
            continue
        given = tuple(getattr(filters, spec.attr))
        bad = [v for v in given if v not in known.get(spec.attr, frozenset())]
        if bad:
            raise FilterError(f"unknown {spec.key}: {', '.join(map(repr, bad))}")
        values[spec.attr] = tuple(sorted(set(given)))
    start, end = getattr(filters, "date_from", None), getattr(filters, "date_to", None)
    if start and end and start > end:
        raise FilterError("the start date is after the end date")
    return replace(filters, **values)


def without(filters: F, key: str) -> F:
    """The same filters with one field back to its default (facet counts under the others)."""
    spec = next(f for f in filters.FIELDS if f.key == key)
    return replace(filters, **{spec.attr: getattr(type(filters)(), spec.attr)})


def is_default(filters: FilterSet) -> bool:
    return all(getattr(filters, f.name) == getattr(type(filters)(), f.name) for f in fields(filters))  # type: ignore[arg-type]


def in_clause(column: str, values: tuple) -> tuple[str, list[object]]:
    """`column IN (?, ?, …)` and its parameters: values reach SQL only as bound parameters."""
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)
