"""The generated money sample: budget lines and transactions that add up to the real total.

Only the project total is published (3,248,537.00 EUR from the European Union, in the
project description). Everything below it here, the split by output, by year, by quarter
and into transactions, and the project period itself (2020-2024), is an illustration to be
replaced: every row carries `is_sample = true` and the source "sample", and the page says so.

The split is done in integer cents with the largest-remainder rule, so every breakdown adds
up to the real total exactly, whatever the seed. Spending never exceeds the budget of its
output and year, and commitments cover what was disbursed and spent.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kafo_data.config import money_dir, tmp_dir
from kafo_data.contract.money import OUTPUTS, SAMPLE_SOURCE, arrow_schema, from_cents, to_cents
from kafo_data.store.reference import ProjectTotal, project_total

SEED = 20200101
YEARS: tuple[int, ...] = (2020, 2021, 2022, 2023, 2024)
REVISED_FROM = 2022  # the sample revises the budget of the last three years
OUTPUT_WEIGHTS = {1: 18, 2: 42, 3: 25, 4: 15}
YEAR_WEIGHTS = {2020: 15, 2021: 22, 2022: 23, 2023: 22, 2024: 18}
REVISED_OUTPUT_WEIGHTS = {1: 15, 2: 46, 3: 26, 4: 13}
# Share of each year's budget spent (low, high): the last year is still running.
SPEND_RATE = {2020: (0.86, 0.95), 2021: (0.88, 0.97), 2022: (0.88, 0.97), 2023: (0.85, 0.95), 2024: (0.55, 0.75)}
# Share of each output's spending passed to INTERPOL (the co-implementer) as disbursements.
INTERPOL_SHARE = {1: 0.0, 2: 0.35, 3: 0.40, 4: 0.10}
INCOMING_TRANCHES = ((dt.date(2020, 2, 14), 40), (dt.date(2021, 3, 10), 30),
                     (dt.date(2022, 4, 6), 20), (dt.date(2023, 5, 17), 10))
# Operations inside the sample period whose costs are tagged (output 2, the operation's quarter).
OPERATIONS = {2020: "KAFO-II", 2021: "KAFO-III", 2023: "KAFO-IV", 2024: "KAFO-V"}
DONOR_NAMES = {"EU": "European Union"}
IMPLEMENTER = "UNODC"
PARTNER = "INTERPOL"


def split_cents(total: int, weights: list[float]) -> list[int]:
    """`total` cents in parts proportional to `weights` that add up exactly (largest remainder)."""
    scaled = [max(1, round(w * 1_000_000)) for w in weights]
    whole = sum(scaled)
    parts = [total * w // whole for w in scaled]
    order = sorted(range(len(scaled)), key=lambda k: (total * scaled[k] % whole, -k), reverse=True)
    for k in order[: total - sum(parts)]:
        parts[k] += 1
    return parts


def _jitter(rng: random.Random, weights: dict, spread: float = 0.15) -> list[float]:
    return [w * rng.uniform(1 - spread, 1 + spread) for w in weights.values()]


def _quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _day_in(rng: random.Random, year: int, quarter: int) -> dt.date:
    start = dt.date(year, 3 * quarter - 2, 1)
    return start + dt.timedelta(days=rng.randint(5, 80))


def _budget_rows(total: ProjectTotal, rng: random.Random) -> tuple[list[dict], dict[tuple[int, int], int]]:
    """Original lines by output and year; revised lines for the later years; the current budget."""
    cents = to_cents(total.value)
    by_output = dict(zip(OUTPUTS, split_cents(cents, _jitter(rng, OUTPUT_WEIGHTS)), strict=True))
    original: dict[tuple[int, int], int] = {}
    for output, amount in by_output.items():
        for year, part in zip(YEARS, split_cents(amount, _jitter(rng, YEAR_WEIGHTS)), strict=True):
            original[(output, year)] = part
    later = [y for y in YEARS if y >= REVISED_FROM]
    revisable = sum(v for (_, y), v in original.items() if y in later)
    keys = [(o, y) for o in OUTPUTS for y in later]
    weights = [REVISED_OUTPUT_WEIGHTS[o] * YEAR_WEIGHTS[y] * rng.uniform(0.9, 1.1) for o, y in keys]
    revised = dict(zip(keys, split_cents(revisable, weights), strict=True))
    rows = []
    for (output, year), amount in sorted(original.items()):
        rows.append(_budget_row(total, "original", output, year, amount, dt.date(2020, 1, 1)))
    for (output, year), amount in sorted(revised.items()):
        rows.append(_budget_row(total, "revised", output, year, amount, dt.date(REVISED_FROM, 1, 1)))
    current = {k: revised.get(k, v) for k, v in original.items()}
    return rows, current


def _budget_row(total: ProjectTotal, kind: str, output: int, year: int, cents: int, value_date: dt.date) -> dict:
    return {
        "budget_id": f"SAMPLE-B-{kind[:3].upper()}-O{output}-{year}", "project_id": total.project_id,
        "donor_id": total.donor_id, "budget_type": kind, "status": "committed",
        "period_start": dt.date(year, 1, 1), "period_end": dt.date(year, 12, 31),
        "value": from_cents(cents), "currency": total.currency, "value_date": value_date,
        "output": output, "is_sample": True, "source": SAMPLE_SOURCE,
    }


def _transaction(total: ProjectTotal, kind: str, day: dt.date, cents: int, provider: str, receiver: str | None,
                 output: int | None, operation: str | None, description: str) -> dict:
    return {
        "transaction_id": "", "project_id": total.project_id, "donor_id": total.donor_id,
        "transaction_type": kind, "transaction_date": day, "value": from_cents(cents),
        "currency": total.currency, "value_date": day, "provider": provider, "receiver": receiver,
        "output": output, "operation_id": operation, "description": description,
        "is_sample": True, "source": SAMPLE_SOURCE,
    }


def _transaction_rows(total: ProjectTotal, current: dict[tuple[int, int], int], rng: random.Random) -> list[dict]:
    cents = to_cents(total.value)
    donor = DONOR_NAMES.get(total.donor_id, total.donor_id)
    rows = [_transaction(total, "incoming_commitment", dt.date(2019, 12, 16), cents, donor, IMPLEMENTER, None, None,
                         "Sample: contribution agreement signed")]
    for (day, _), part in zip(INCOMING_TRANCHES, split_cents(cents, [w for _, w in INCOMING_TRANCHES]), strict=True):
        rows.append(_transaction(total, "incoming_funds", day, part, donor, IMPLEMENTER, None, None,
                                 "Sample: tranche received"))
    for (output, year), budget in sorted(current.items()):
        low, high = SPEND_RATE[year]
        spend = int(budget * rng.uniform(low, high))
        to_partner = int(spend * INTERPOL_SHARE[output] * rng.uniform(0.9, 1.1))
        direct = spend - to_partner
        slack = int((budget - spend) * rng.uniform(0.0, 0.5))
        where = f"output {output}, {year}"
        if to_partner:
            rows.append(_transaction(total, "outgoing_commitment", dt.date(year, 1, rng.randint(10, 28)), to_partner,
                                     IMPLEMENTER, PARTNER, output, None, f"Sample: agreement with INTERPOL, {where}"))
        rows.append(_transaction(total, "outgoing_commitment", dt.date(year, 2, rng.randint(1, 27)), direct + slack,
                                 IMPLEMENTER, None, output, None, f"Sample: UNODC obligations, {where}"))
        operation = OPERATIONS.get(year) if output == 2 else None
        op_quarter = 4
        if to_partner:
            halves = split_cents(to_partner, [rng.uniform(0.4, 0.6), rng.uniform(0.4, 0.6)])
            for half, quarter in zip(halves, (2, op_quarter), strict=True):
                tag = operation if quarter == op_quarter else None
                rows.append(_transaction(total, "disbursement", _day_in(rng, year, quarter), half, IMPLEMENTER,
                                         PARTNER, output, tag, f"Sample: transfer to INTERPOL, {where}"))
        for quarter, part in enumerate(split_cents(direct, [rng.uniform(0.6, 1.4) for _ in range(4)]), start=1):
            pieces = split_cents(part, [rng.uniform(0.5, 1.5) for _ in range(rng.randint(1, 3))])
            for k, piece in enumerate(pieces):
                tag = operation if quarter == op_quarter and k == 0 else None
                text = f"Sample: costs of operation {tag}" if tag else f"Sample: UNODC expenditure, {where} Q{quarter}"
                rows.append(_transaction(total, "expenditure", _day_in(rng, year, quarter), piece, IMPLEMENTER,
                                         None, output, tag, text))
    rows.sort(key=lambda r: (r["transaction_date"], r["transaction_type"], r["output"] or 0))
    for n, row in enumerate(rows, start=1):
        row["transaction_id"] = f"SAMPLE-T-{n:04d}"
    return rows


def generate(root: Path, seed: int = SEED) -> tuple[pa.Table, pa.Table]:
    """(budgets, transactions) of the sample, the same for the same seed and reference."""
    rng = random.Random(seed)
    total = project_total(root)
    budgets, current = _budget_rows(total, rng)
    transactions = _transaction_rows(total, current, rng)
    return _arrow("budgets", budgets), _arrow("transactions", transactions)


def _arrow(table: str, rows: list[dict]) -> pa.Table:
    schema = arrow_schema(table)
    return pa.table({f.name: [r[f.name] for r in rows] for f in schema}, schema=schema)


def write_sample(root: Path, seed: int = SEED) -> list[Path]:
    """Write money/budgets.parquet and money/transactions.parquet; each file replaced whole (fsynced).

    Under the store's one lock, like every writer of the data directory.
    """
    from kafo_data.store.batches import store_lock, write_file_whole

    budgets, transactions = generate(root, seed)
    folder = money_dir(root)
    written = []
    meta = {"kind": "sample", "is_sample": True, "seed": seed, "generator": "kafo_data.sample.money.generate",
            "budget_lines": budgets.num_rows, "transactions": transactions.num_rows,
            "note": "Illustration to be replaced: only the project total is published."}
    with store_lock(root):
        for name, table in (("budgets", budgets), ("transactions", transactions)):
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, compression="zstd")
            written.append(write_file_whole(folder / f"{name}.parquet", sink.getvalue().to_pybytes(),
                                            tmp_dir(root)))
        write_file_whole(folder / "sample.json", (json.dumps(meta, indent=2) + "\n").encode("utf-8"), tmp_dir(root))
    return written
