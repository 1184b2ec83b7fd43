"""Differencing attacks on the public query API, as an outsider would run them (issue 25).

Each attack picks cells the public API hides ("fewer than k") and estimates their true event
count and quantity by subtracting public answers, snapping the event estimate to the 1..k-1 a
hidden cell must have. `run` returns, per attack, how many hidden cells were tried and how many
came back exactly (events and quantity both right), checked against the records read with pandas.
Only the public functions are called (`breakdowns`, `summary`, `events_by`), so the same code
measures any version of `kafo_data.seizures.public`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from kafo_data.seizures import public
from kafo_data.seizures.public import PublicFilters


def _snap_events(value: float, k: int) -> int:
    return int(min(max(round(value), 1), k - 1))


def _snap_sum(value: float, low: float = 1) -> float:
    return float(max(round(value), low))


def _cells(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, tuple[float | None, float | None, bool]]:
    out = {}
    for row in frame.to_dict("records"):
        key = tuple(pd.Timestamp(row[c]) if c == "month" else row[c] for c in keys)
        hidden = bool(row["suppressed"])
        out[key] = (None if hidden else float(row["events"]), None if hidden else float(row["quantity"]), hidden)
    return out


class Attacker:
    """Public answers, asked once each (the same question always gets the same answer anyway)."""

    def __init__(self, db) -> None:
        self.db = db
        self._b: dict = {}

    def table(self, pf: PublicFilters, part: str) -> dict:
        if pf not in self._b:
            self._b[pf] = {name: _cells(frame, [*public.TABLES[name], "unit"])
                           for name, frame in public.breakdowns(self.db, pf).items()}
        return self._b[pf][part]

    def summary(self, pf: PublicFilters) -> dict:
        if ("summary", pf) not in self._b:
            self._b[("summary", pf)] = public.summary(self.db, pf)
        return self._b[("summary", pf)]

    def measure_sum(self, pf: PublicFilters, part: str, measure: tuple[str, str]) -> tuple[float, float] | None:
        """The events and quantity of a measure as the sum of a table's cells; None when one is hidden."""
        cells = [v for key, v in self.table(pf, part).items()
                 if ((key[0] if part == "item_type" else key[-2]), key[-1]) == measure]
        if any(hidden for *_, hidden in cells):
            return None
        return sum(e for e, _, _ in cells), sum(q for _, q, _ in cells)

    def total(self, pf: PublicFilters, measure: tuple[str, str]) -> tuple[float, float] | None:
        got = self.table(pf, "totals").get(measure)
        if got is None:
            return (0.0, 0.0)
        return None if got[2] else (got[0], got[1])


def _diff(a, b):
    return None if a is None or b is None else (a[0] - b[0], a[1] - b[1])


def _right(estimates: Iterable[tuple[float, float]], truth: tuple[int, float], k: int, low: float = 1) -> bool:
    estimates = list(estimates)
    events = sum(e for e, _ in estimates) / len(estimates)
    quantity = sum(q for _, q in estimates) / len(estimates)
    return _snap_events(events, k) == truth[0] and math.isclose(_snap_sum(quantity, low), truth[1])


def run(db, records: pd.DataFrame, k: int = 3, max_per_attack: int = 40) -> dict[str, tuple[int, int]]:
    """{attack: (hidden cells tried, exactly recovered)} on the data of `db` (`records`: its item lines)."""
    a = Attacker(db)
    results: dict[str, list[bool]] = {}
    countries_of = records.groupby("operation_id").country_iso3.unique().to_dict()
    all_countries = tuple(sorted(records.country_iso3.unique()))
    recs = records.assign(month=pd.to_datetime(records.seizure_date).dt.to_period("M").dt.to_timestamp())

    def truth(mask) -> tuple[int, float]:
        rows = recs[mask]
        return int(rows.seizure_id.nunique()), float(rows.quantity.sum())

    def add(name: str, estimates: list, t: tuple[int, float], low: float = 1) -> None:
        estimates = [e for e in estimates if e is not None]
        if estimates and len(results.setdefault(name, [])) < max_per_attack:
            results[name].append(_right(estimates, t, k, low))

    # 1-3: a country's cell of an operation, from totals over all countries minus all but that one
    for op, countries in sorted(countries_of.items()):
        whole = PublicFilters(operations=(op,))
        for (country, category, unit), (_, _, hidden) in a.table(whole, "country").items():
            if not hidden:
                continue
            others = PublicFilters(operations=(op,), countries=tuple(c for c in sorted(countries) if c != country))
            measure = (category, unit)
            t = truth((recs.operation_id == op) & (recs.country_iso3 == country) & (recs.category == category)
                      & (recs.unit == unit))
            paths = [_diff(a.total(whole, measure), a.total(others, measure)),
                     _diff(a.total(whole, measure), a.measure_sum(others, "country", measure))]
            add("country complement: totals", paths[:1], t)
            add("country complement: sum of the table", paths[1:], t)
            paths += [_diff(a.measure_sum(whole, part, measure), a.measure_sum(others, part, measure))
                      for part in ("item_type", "month")]
            add("country complement: average of 4 paths", paths, t)

    # 4-5: month and item-type cells of one country, from all countries minus the others
    for part in ("month", "item_type"):
        for country in all_countries:
            alone = PublicFilters(countries=(country,))
            others = PublicFilters(countries=tuple(c for c in all_countries if c != country))
            everyone = PublicFilters()
            for key, (_, _, hidden) in a.table(alone, part).items():
                if not hidden:
                    continue
                whole_cell, other_cell = a.table(everyone, part).get(key), a.table(others, part).get(key, (0, 0, False))
                if whole_cell is None or whole_cell[2] or other_cell[2]:
                    continue
                if part == "month":
                    month, category, unit = key
                    mask = recs.month == month
                else:
                    category, item_type, unit = key
                    mask = recs.item_type == item_type
                t = truth(mask & (recs.country_iso3 == country) & (recs.category == category) & (recs.unit == unit))
                add(f"{part} cell split by country", [(whole_cell[0] - other_cell[0], whole_cell[1] - other_cell[1])],
                    t)

    # 6: headline numbers (events and arrests) of one category in one country of one operation
    for (op, countries), category in ((o, c) for o in sorted(countries_of.items())
                                      for c in sorted(recs.category.unique())):
        for country in sorted(countries):
            pf = PublicFilters(operations=(op,), countries=(country,), categories=(category,))
            if not a.summary(pf)["suppressed"]:
                continue
            whole = a.summary(PublicFilters(operations=(op,), categories=(category,)))
            rest = a.summary(PublicFilters(operations=(op,), categories=(category,),
                                                    countries=tuple(c for c in sorted(countries) if c != country)))
            if whole["events"] is None or rest["events"] is None:
                continue
            rows = recs[(recs.operation_id == op) & (recs.country_iso3 == country) & (recs.category == category)]
            arrests = float(rows.drop_duplicates("seizure_id").arrests.sum())
            t = (int(rows.seizure_id.nunique()), arrests)
            add("headline numbers", [(whole["events"] - rest["events"], whole["arrests"] - rest["arrests"])], t,
                low=0)
    return {name: (len(v), sum(v)) for name, v in results.items()}
