"""The filter state of a view, its URL form, and the parameterised SQL it becomes.

Filters are declared as rows of `FIELDS` (as Datasette does), not as branches of code: the
URL key, the attribute, the column it restricts. Values are checked against the known ids
before they reach SQL, and reach it only as bound parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from kafo_data.contract import seizures as contract


@dataclass(frozen=True)
class FilterField:
    key: str
    attr: str
    column: str
    on_items: bool


FIELDS: tuple[FilterField, ...] = (
    FilterField("operation", "operations", "operation_id", on_items=False),
    FilterField("country", "countries", "country_iso3", on_items=False),
    FilterField("category", "categories", "category", on_items=True),
)


@dataclass(frozen=True)
class Filters:
    operations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_sample: bool = True

    def without(self, key: str) -> Filters:
        """The same filters with one field cleared (for facet counts under the others)."""
        spec = next(f for f in FIELDS if f.key == key)
        return replace(self, **{spec.attr: ()})

    def for_operation(self, operation_id: str) -> Filters:
        """The same filters narrowed to one operation (for per-edition figures)."""
        return replace(self, operations=(operation_id,))

    def is_empty(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class Known:
    """The values a filter may take, from the data and the contract."""

    operations: frozenset[str] = field(default_factory=frozenset)
    countries: frozenset[str] = field(default_factory=frozenset)
    categories: frozenset[str] = field(default_factory=frozenset)


class FilterError(ValueError):
    """A filter value that is not a known id; the message names it."""


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise FilterError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def check(filters: Filters, known: Known) -> Filters:
    """Refuse any value that is not a known id; returns the filters, sorted and deduplicated."""
    values = {}
    for spec in FIELDS:
        given = tuple(getattr(filters, spec.attr))
        allowed = getattr(known, spec.attr)
        bad = [v for v in given if v not in allowed]
        if bad:
            raise FilterError(f"unknown {spec.key}: {', '.join(map(repr, bad))}")
        values[spec.attr] = tuple(sorted(set(given)))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise FilterError("the start date is after the end date")
    return replace(filters, **values)


def from_params(params: Mapping[str, Iterable[str]], known: Known) -> tuple[Filters, list[str]]:
    """Filters from URL parameters (repeated keys); unknown values are dropped and reported."""
    notices: list[str] = []
    values: dict[str, object] = {}
    for spec in FIELDS:
        given = [v for v in params.get(spec.key, ()) if v != ""]
        allowed = getattr(known, spec.attr)
        bad = [v for v in given if v not in allowed]
        if bad:
            notices.append(f"{spec.key}: {', '.join(bad)}")
        values[spec.attr] = tuple(sorted({v for v in given if v in allowed}))
    for key, attr in (("from", "date_from"), ("to", "date_to")):
        raw = list(params.get(key, ()))
        if raw:
            try:
                values[attr] = _parse_date(raw[-1])
            except FilterError:
                notices.append(f"{key}: {raw[-1]}")
    sample = list(params.get("sample", ()))
    if sample:
        if sample[-1] in {"0", "1"}:
            values["include_sample"] = sample[-1] == "1"
        else:
            notices.append(f"sample: {sample[-1]}")
    filters = Filters(**values)  # type: ignore[arg-type]
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        notices.append(f"from/to: {filters.date_from} > {filters.date_to}")
        filters = replace(filters, date_from=None, date_to=None)
    return filters, notices


def to_params(filters: Filters) -> dict[str, list[str]]:
    """The URL form: ids, not labels; keys left out when not set."""
    out: dict[str, list[str]] = {}
    for spec in FIELDS:
        values = list(getattr(filters, spec.attr))
        if values:
            out[spec.key] = values
    if filters.date_from:
        out["from"] = [filters.date_from.isoformat()]
    if filters.date_to:
        out["to"] = [filters.date_to.isoformat()]
    if not filters.include_sample:
        out["sample"] = ["0"]
    return out


def _in(column: str, values: tuple[str, ...]) -> tuple[str, list[object]]:
    return f"{column} IN ({', '.join('?' for _ in values)})", list(values)


def event_where(filters: Filters, s: str = "s", with_categories: bool = True) -> tuple[str, list[object]]:
    """WHERE text and parameters restricting seizure events (alias `s`).

    A category filter keeps the events that have at least one item line of those categories.
    """
    clauses: list[str] = []
    params: list[object] = []
    for spec in FIELDS:
        values = getattr(filters, spec.attr)
        if not values:
            continue
        if spec.on_items:
            if not with_categories:
                continue
            sql, p = _in(f"i.{spec.column}", values)
            clauses.append(f"EXISTS (SELECT 1 FROM seized_items i WHERE i.seizure_id = {s}.seizure_id AND {sql})")
        else:
            sql, p = _in(f"{s}.{spec.column}", values)
            clauses.append(sql)
        params += p
    return _join(clauses, params, filters, s)


def record_where(filters: Filters, r: str = "r") -> tuple[str, list[object]]:
    """WHERE text and parameters restricting item lines of the `records` view (alias `r`)."""
    clauses: list[str] = []
    params: list[object] = []
    for spec in FIELDS:
        values = getattr(filters, spec.attr)
        if values:
            sql, p = _in(f"{r}.{spec.column}", values)
            clauses.append(sql)
            params += p
    return _join(clauses, params, filters, r)


def _join(clauses: list[str], params: list[object], filters: Filters, alias: str) -> tuple[str, list[object]]:
    """Add the date and sample conditions every query shares, and join the clauses."""
    if filters.date_from:
        clauses.append(f"{alias}.seizure_date >= ?")
        params.append(filters.date_from)
    if filters.date_to:
        clauses.append(f"{alias}.seizure_date <= ?")
        params.append(filters.date_to)
    if not filters.include_sample:
        clauses.append(f"NOT {alias}.is_sample")
    return (" AND ".join(clauses) or "TRUE"), params


def category_mask(categories: tuple[str, ...]) -> int:
    """The bits of the given categories (an unknown one has no bit, so it matches nothing, as in SQL)."""
    mask = 0
    for name in categories:
        if name in contract.CATEGORIES:
            mask |= 1 << contract.CATEGORIES.index(name)
    return mask


def events_where(filters: Filters, s: str = "s") -> tuple[str, list[object]]:
    """WHERE text and parameters restricting `rollup_events` rows as `filters.event_where` restricts events."""
    where, params = event_where(filters, s, with_categories=False)
    if filters.categories:
        where = f"({where}) AND ({s}.catmask & ?::UBIGINT) <> 0"
        params = [*params, category_mask(filters.categories)]
    return where, params
