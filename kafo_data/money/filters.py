"""The money filters: what the budget page selects, and the parameterised SQL it becomes.

Operation and the sample switch are the sidebar's, shared with every page; donor and output
are the budget page's own. Budget lines are not split by operation (an operation filter
restricts transactions only); country, category and dates describe seizures, not money.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from kafo_data.filtering import OPERATION, SAMPLE, Field, in_clause


@dataclass(frozen=True)
class MoneyFilters:
    """Donors, outputs (1-4) and operations as ids, and whether the generated sample is included."""

    FIELDS: ClassVar[tuple[Field, ...]] = (
        Field("donor", "donors", "ids", "donor_id"),
        Field("output", "outputs", "numbers", "output", flag="project-output", metavar="N"),
        OPERATION,
        SAMPLE,
    )
    OWN: ClassVar[tuple[str, ...]] = ("donor", "output")  # the keys the sidebar does not hold

    donors: tuple[str, ...] = ()
    outputs: tuple[int, ...] = ()
    operations: tuple[str, ...] = ()
    include_sample: bool = True


def _where(f: MoneyFilters, alias: str, attrs: tuple[str, ...]) -> tuple[str, list[object]]:
    clauses, params = [], []
    for spec in f.FIELDS:
        values = getattr(f, spec.attr)
        if spec.attr in attrs and values:
            sql, p = in_clause(f"{alias}.{spec.column}", values)
            clauses.append(sql)
            params += p
    if not f.include_sample:
        clauses.append(f"NOT {alias}.is_sample")
    return " AND ".join(clauses) or "TRUE", params


def budget_where(f: MoneyFilters, alias: str = "b") -> tuple[str, list[object]]:
    """Donor and output restrict budget lines; budgets are not split by operation."""
    return _where(f, alias, ("donors", "outputs"))


def transaction_where(f: MoneyFilters, alias: str = "t") -> tuple[str, list[object]]:
    """Donor, output and operation restrict transactions (an output filter leaves out incoming funds)."""
    return _where(f, alias, ("donors", "outputs", "operations"))
