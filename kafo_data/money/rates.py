"""Currencies and exchange rates: amounts in different currencies are never added without a stated rate.

`single_total` refuses a mix; `convert` uses a rate of the rates table (`fx_rates.csv`) and
says which. Frames carry exact `cents` (int) next to `value` (float, for charts).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pandas as pd

from kafo_data.config import rates_file
from kafo_data.contract.money import (
    CURRENCIES,
    RATES_COLUMNS,
    from_cents,
)


class CurrencyMixError(ValueError):
    """Amounts in several currencies were about to be added up with no stated rate."""


class RatesError(ValueError):
    """The rates table breaks a rule; the message names the line."""


@dataclass(frozen=True)
class Rate:
    """1 `base_currency` = `rate` `currency`, on `rate_date`, according to `source`."""

    currency: str
    base_currency: str
    rate: Decimal
    rate_date: dt.date
    source: str


def single_total(frame: pd.DataFrame) -> tuple[Decimal, str | None]:
    """The one total of a per-currency frame; refuses to add different currencies."""
    currencies = sorted(set(frame.currency))
    if len(currencies) > 1:
        raise CurrencyMixError(f"amounts in {', '.join(currencies)} cannot be added without a rate")
    return from_cents(int(frame.cents.sum())), (currencies[0] if currencies else None)


def rates(root: Path) -> list[Rate]:
    """The optional rates table `money/fx_rates.csv`: one rate per currency and base, sourced."""
    path = rates_file(root)
    if not path.is_file():
        return []
    out: list[Rate] = []
    seen: set[tuple[str, str]] = set()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in RATES_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RatesError(f"{path.name}: missing column(s) {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            cur, base = row["currency"].strip().upper(), row["base_currency"].strip().upper()
            try:
                rate = Decimal(row["rate"].strip())
                day = dt.date.fromisoformat(row["rate_date"].strip())
            except (InvalidOperation, ValueError) as exc:
                raise RatesError(f"{path.name} line {line}: rate must be a number and rate_date YYYY-MM-DD") from exc
            if cur not in CURRENCIES or base not in CURRENCIES or rate <= 0:
                raise RatesError(f"{path.name} line {line}: unknown currency or rate not above zero")
            if not row["source"].strip():
                raise RatesError(f"{path.name} line {line}: every rate names its source")
            if (cur, base) in seen:
                raise RatesError(f"{path.name} line {line}: a second rate for {cur} in {base}")
            seen.add((cur, base))
            out.append(Rate(cur, base, rate, day, row["source"].strip()))
    return out


def missing_rates(currencies: Iterable[str], rate_list: list[Rate], base: str) -> list[str]:
    """The currencies that cannot be converted to `base`: no rate for them in the rates table."""
    have = {r.currency for r in rate_list if r.base_currency == base}
    return sorted({c for c in currencies if c != base and c not in have})


def convert(frame: pd.DataFrame, rate_list: list[Rate], base: str) -> pd.DataFrame:
    """A per-currency frame in `base`: each currency's total divided by its stated rate, to the cent.

    Returns the rows with `currency` = base and the original amount, currency and rate kept
    (`original_cents`, `original_currency`, `rate`, `rate_date`, `rate_source`), so the page
    can show what was converted and how. A currency without a rate is refused, by name.
    """
    by_currency = {r.currency: r for r in rate_list if r.base_currency == base}
    missing = missing_rates(frame.currency, rate_list, base)
    if missing:
        raise CurrencyMixError(f"no rate to {base} for {', '.join(missing)}")
    out = frame.copy()
    cents, rate_col, dates, sources = [], [], [], []
    for currency, amount in zip(frame.currency, frame.cents, strict=True):
        if currency == base:
            cents.append(int(amount))
            rate_col.append(None)
            dates.append(None)
            sources.append(None)
            continue
        r = by_currency[currency]
        converted = (Decimal(int(amount)) / r.rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        cents.append(int(converted))
        rate_col.append(float(r.rate))
        dates.append(r.rate_date)
        sources.append(r.source)
    out["original_cents"] = frame.cents.astype("int64")
    out["original_currency"] = frame.currency
    out["currency"] = base
    out["cents"] = pd.Series(cents, index=frame.index, dtype="int64")
    out["value"] = out.cents / 100
    out["rate"], out["rate_date"], out["rate_source"] = rate_col, dates, sources
    return out
