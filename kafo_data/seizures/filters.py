"""The seizure filters, and the parameterised SQL they become.

Declared as rows (`kafo_data.filtering.Field`): the URL key, the attribute, the column it
restricts. Values are checked against the known ids before they reach SQL (`filtering`), and
reach it only as bound parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import ClassVar

from kafo_data.contract import seizures as contract
from kafo_data.filtering import OPERATION, SAMPLE, Field, in_clause, is_default, without

ID_FIELDS: tuple[Field, ...] = (
    OPERATION,
    Field("country", "countries", "ids", "country_iso3", metavar="ISO3"),
    Field("category", "categories", "ids", "category", on_items=True),
)
# Filter key -> the column it restricts: the one mapping the queries, the public API and the CLI use.
COLUMNS: dict[str, str] = {f.key: f.column for f in ID_FIELDS}


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects: operations, countries, categories, a day range, and the sample switch."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        *ID_FIELDS,
        Field("from", "date_from", "date"),
        Field("to", "date_to", "date"),
        SAMPLE,
    )

    operations: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_sample: bool = True

    def without(self, key: str) -> Filters:
        """The same filters with one field cleared (for facet counts under the others)."""
        return without(self, key)

    def for_operation(self, operation_id: str) -> Filters:
        """The same filters narrowed to one operation (for per-edition figures)."""
        return replace(self, operations=(operation_id,))

    def is_empty(self) -> bool:
        return is_default(self)


def seizure_where(filters: Filters, s: str = "s", with_categories: bool = True) -> tuple[str, list[object]]:
    """WHERE text and parameters restricting seizure events (alias `s`).

    A category filter keeps the events that have at least one item line of those categories.
    """
    clauses: list[str] = []
    params: list[object] = []
    for spec in ID_FIELDS:
        values = getattr(filters, spec.attr)
        if not values:
            continue
        if spec.on_items:
            if not with_categories:
                continue
            sql, p = in_clause(f"i.{spec.column}", values)
            clauses.append(f"EXISTS (SELECT 1 FROM seized_items i WHERE i.seizure_id = {s}.seizure_id AND {sql})")
        else:
            sql, p = in_clause(f"{s}.{spec.column}", values)
            clauses.append(sql)
        params += p
    return _join(clauses, params, filters, s)


def record_where(filters: Filters, r: str = "r") -> tuple[str, list[object]]:
    """WHERE text and parameters restricting item lines of the `records` view (alias `r`)."""
    clauses: list[str] = []
    params: list[object] = []
    for spec in ID_FIELDS:
        values = getattr(filters, spec.attr)
        if values:
            sql, p = in_clause(f"{r}.{spec.column}", values)
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


def rollup_events_where(filters: Filters, s: str = "s") -> tuple[str, list[object]]:
    """WHERE text and parameters restricting `rollup_events` rows as `filters.seizure_where` restricts events."""
    where, params = seizure_where(filters, s, with_categories=False)
    if filters.categories:
        where = f"({where}) AND ({s}.catmask & ?::UBIGINT) <> 0"
        params = [*params, category_mask(filters.categories)]
    return where, params
