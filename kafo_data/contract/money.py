"""The money contract: budget lines and transactions in IATI's vocabulary, written once.

Donors read budgets in the terms of IATI, d-portal, the OECD CRS and the EU Aid Explorer, so
the columns and code lists follow the IATI Activity Standard (budget type and status,
transaction type codes). The generator, the ingest, the views, the export and the data
dictionary all read these tables. Amounts are DECIMAL(18, 2) so sums are exact: a total is
never the result of float arithmetic.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import pyarrow as pa
from babel.numbers import list_currencies

from kafo_data.contract.columns import Column

# IATI BudgetType: 1 original, 2 revised.
BUDGET_TYPES: dict[str, str] = {"original": "1", "revised": "2"}
# IATI BudgetStatus: 1 indicative, 2 committed.
BUDGET_STATUSES: dict[str, str] = {"indicative": "1", "committed": "2"}
# IATI TransactionType codes, in the order money flows through a project.
TRANSACTION_TYPES: dict[str, str] = {
    "incoming_commitment": "11",
    "incoming_funds": "1",
    "outgoing_commitment": "2",
    "disbursement": "3",
    "expenditure": "4",
}
INCOMING: tuple[str, ...] = ("incoming_commitment", "incoming_funds")
OUTGOING: tuple[str, ...] = ("outgoing_commitment", "disbursement", "expenditure")
DONOR_KINDS: tuple[str, ...] = ("multilateral", "government", "agency")
OUTPUTS: tuple[int, ...] = (1, 2, 3, 4)

# ISO 4217 codes as Babel's CLDR data knows them (the list the formatter can write).
CURRENCIES: frozenset[str] = frozenset(c for c in list_currencies() if re.fullmatch(r"[A-Z]{3}", c))
MAX_PERIOD_DAYS = 366  # IATI: a budget period is not longer than one year.
VALUE_TYPE = "DECIMAL(18,2)"
SAMPLE_SOURCE = "sample"

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "budget_type": tuple(BUDGET_TYPES),
    "budget_status": tuple(BUDGET_STATUSES),
    "transaction_type": tuple(TRANSACTION_TYPES),
    "donor_kind": DONOR_KINDS,
}


BUDGET_COLUMNS: tuple[Column, ...] = (
    Column("budget_id", "VARCHAR"),
    Column("project_id", "VARCHAR", vocab="project"),
    Column("donor_id", "VARCHAR", vocab="donor"),
    Column("budget_type", "VARCHAR", vocab="budget_type"),
    Column("status", "VARCHAR", vocab="budget_status"),
    Column("period_start", "DATE"),
    Column("period_end", "DATE"),
    Column("value", VALUE_TYPE),
    Column("currency", "VARCHAR", vocab="currency"),
    Column("value_date", "DATE"),
    Column("output", "INTEGER", vocab="output"),
    Column("is_sample", "BOOLEAN"),
    Column("source", "VARCHAR"),
)

TRANSACTION_COLUMNS: tuple[Column, ...] = (
    Column("transaction_id", "VARCHAR"),
    Column("project_id", "VARCHAR", vocab="project"),
    Column("donor_id", "VARCHAR", vocab="donor"),
    Column("transaction_type", "VARCHAR", vocab="transaction_type"),
    Column("transaction_date", "DATE"),
    Column("value", VALUE_TYPE),
    Column("currency", "VARCHAR", vocab="currency"),
    Column("value_date", "DATE"),
    Column("provider", "VARCHAR", required=False),
    Column("receiver", "VARCHAR", required=False),
    Column("output", "INTEGER", required=False, vocab="output"),
    Column("operation_id", "VARCHAR", required=False, vocab="operation"),
    Column("description", "VARCHAR", required=False),
    Column("is_sample", "BOOLEAN"),
    Column("source", "VARCHAR"),
)

TABLES: dict[str, tuple[Column, ...]] = {"budgets": BUDGET_COLUMNS, "transactions": TRANSACTION_COLUMNS}
KIND_TABLE: dict[str, str] = {"budget": "budgets", "budgets": "budgets", "transactions": "transactions",
                              "transaction": "transactions"}
ID_COLUMN: dict[str, str] = {"budgets": "budget_id", "transactions": "transaction_id"}

_ARROW = {"VARCHAR": pa.string(), "DATE": pa.date32(), "INTEGER": pa.int32(), "BOOLEAN": pa.bool_(),
          VALUE_TYPE: pa.decimal128(18, 2)}


def arrow_schema(table: str) -> pa.Schema:
    """The parquet schema of one money table (amounts as decimal128(18, 2))."""
    return pa.schema([(c.name, _ARROW[c.dtype]) for c in TABLES[table]])


RATES_COLUMNS: tuple[str, ...] = ("currency", "base_currency", "rate", "rate_date", "source")


class AmountError(ValueError):
    """An amount that is not a number with at most two decimals."""


def parse_amount(text: object) -> Decimal:
    """An exact amount from a cell: '1234.5', '1 234,50' or a number; at most two decimals."""
    if isinstance(text, bool) or text is None:
        raise AmountError("no amount")
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(repr(text))
    else:
        raw = str(text).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if "," in raw and "." not in raw:
            raw = raw.replace(",", ".")
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", raw):
            raise AmountError(f"not an amount: {text!r}")
        try:
            value = Decimal(raw)
        except InvalidOperation as exc:
            raise AmountError(f"not an amount: {text!r}") from exc
    if value != value.quantize(Decimal("0.01")):
        raise AmountError(f"more than two decimals: {text!r}")
    if abs(value) >= Decimal("1e16"):
        raise AmountError(f"amount too large: {text!r}")
    return value.quantize(Decimal("0.01"))


def to_cents(value: Decimal) -> int:
    """Integer cents of an exact amount."""
    return int(value * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))
