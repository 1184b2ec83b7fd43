"""The generated sample: seizure records that are plausible, deterministic and labelled.

The sample exists so the dashboard works on first run. It is never real: every row carries
`is_sample = true` and the source "sample". Where an operation published a number, the
sample's total for that item equals it (or exceeds it slightly for "more than"), so the
reconciliation view can be shown working; where only words were published the sample is
free. `synthetic` makes the large sets the benchmark needs, fast, with numpy.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from kafo_data.config import batches_dir, reference_dir, tmp_dir
from kafo_data.contract import seizures as contract
from kafo_data.store.batches import record_table, sort_records, store_lock, write_record_batch
from kafo_data.store.reference import read_text

SEED = 20191111
SAMPLE_BATCH = "sample"

# Items an operation published only in words, or not at all, get a free but plausible total.
FREE_TOTALS: dict[str, list[tuple[str, str | None, str, int, int]]] = {
    "KAFO-I": [
        ("firearms", None, "pieces", 20, 45),
        ("ammunition", None, "rounds", 600, 1500),
        ("parts_components", None, "pieces", 5, 15),
    ],
    "KAFO-III": [("ammunition", None, "rounds", 3000, 6000)],
    "KAFO-IV": [
        ("firearms", None, "pieces", 30, 60),
        ("ammunition", None, "rounds", 2000, 5000),
        ("explosives", "explosive_other", "kg", 50, 300),
        ("explosives", "precursor", "L", 100, 600),
    ],
    "KAFO-V": [("parts_components", None, "pieces", 40, 90)],
}

# Which item types a category total is spread over, with weights.
MIX: dict[str, list[tuple[str, int]]] = {
    "firearms": [("pistol", 30), ("assault_rifle", 22), ("rifle", 10), ("shotgun", 25),
                 ("revolver", 5), ("sub_machine_gun", 3), ("machine_gun", 2), ("other_firearm", 3)],
    "parts_components": [("magazine", 50), ("barrel", 25), ("bolt", 15), ("other_part", 10)],
    "ammunition": [("cartridge", 75), ("shotgun_cartridge", 25)],
    "explosives": [("explosive_other", 100)],
}

CALIBRES = {
    "pistol": ["9 mm", "7.65 mm"], "revolver": [".38", "9 mm"], "rifle": ["7.62x54R", "7.5 mm"],
    "assault_rifle": ["7.62x39 mm"], "shotgun": ["12", "16"], "sub_machine_gun": ["9 mm"],
    "machine_gun": ["7.62x54R"], "cartridge": ["7.62x39 mm", "9 mm"], "shotgun_cartridge": ["12"],
}
MAKES = {"pistol": ["Beretta", "Browning", "Taurus"], "assault_rifle": ["Kalashnikov pattern"],
         "shotgun": ["Baikal", "Fabarm"], "rifle": ["Mosin-Nagant pattern", "MAS"]}
MARKINGS = [("marked", 6), ("erased", 2), ("unknown", 2)]
CRAFT_TYPES = {"pistol", "shotgun", "assault_rifle", "other_firearm"}
AGENCY_WEIGHTS = [("police", 25), ("gendarmerie", 25), ("customs", 25), ("salw_commission", 5),
                  ("airport_unit", 5), ("border_service", 10), ("prosecution", 2), ("other", 3)]
CONTEXT_WEIGHTS = [("terrorism", 10), ("organised_crime", 35), ("illegal_mining", 10),
                   ("other", 15), ("unknown", 30)]
EVENTS_PER_OPERATION = {"KAFO-I": 40, "KAFO-II": 80, "KAFO-III": 150, "KAFO-IV": 100, "KAFO-V": 130}
# Tracing of a firearm line: KAFO I's reports predate the tracing column (nothing recorded), later
# editions record it for most lines; an established origin says how the firearm became illicit.
NO_TRACING_RECORDED = frozenset({"KAFO-I"})
TRACING_WEIGHTS = [(None, 15), ("not_requested", 35), ("requested", 22), ("origin_established", 18),
                   ("origin_not_established", 10)]
ORIGIN_WEIGHTS = [("national_stockpile", 35), ("civilian_owner", 20), ("illicit_import", 35), ("other", 10)]


@dataclass(frozen=True)
class Target:
    operation_id: str
    category: str
    item_type: str | None
    unit: str
    total: int


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` as `parts` positive integers (fewer when total is small) that add up exactly."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def published_targets(root: Path, rng: random.Random) -> list[Target]:
    """What the sample must add up to: the shown published numbers, then the free totals."""
    targets = []
    for row in read_text(root, "figures"):
        if row["shown"] != "true" or not row["category"] or not row["value"]:
            continue
        if row["operation_id"] not in EVENTS_PER_OPERATION:
            continue
        value = int(float(row["value"]))
        if row["qualifier"] in {"more_than", "at_least"}:
            value += 1 + rng.randint(0, max(1, math.ceil(value * 0.05)))
        targets.append(Target(row["operation_id"], row["category"], row["item_type"] or None,
                              row["unit"], value))
    for op, items in FREE_TOTALS.items():
        for category, item_type, unit, low, high in items:
            targets.append(Target(op, category, item_type, unit, rng.randint(low, high)))
    return targets


def counted_targets(root: Path, rng: random.Random) -> dict[str, list[tuple[tuple[str, ...], str, int]]]:
    """Shown numbers that count several item types as their source counts them (figures.counts).

    Per operation: (terms, unit, at least this much); "more than" gets a little more. The sample
    adds to the last term when its lines fall short (KAFO V: rifles, parts and components). A figure
    that also names a category (KAFO V's 400 firearms, counted with parts) is met by that category's
    target already, its counts including the category.
    """
    out: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
    for row in read_text(root, "figures"):
        if row["shown"] != "true" or not row.get("counts") or not row["value"] or row["category"]:
            continue
        value = int(float(row["value"]))
        if row["qualifier"] in {"more_than", "at_least"}:
            value += 1 + rng.randint(0, max(1, math.ceil(value * 0.05)))
        out.setdefault(row["operation_id"], []).append((tuple(row["counts"].split()), row["unit"], value))
    return out


def counted(lines: list[dict], terms: tuple[str, ...], unit: str) -> float:
    """The quantity of `lines` that a figure counting `terms` (category or category/item_type) counts."""
    return sum(ln["quantity"] for ln in lines if ln["unit"] == unit
               and (ln["category"] in terms or f"{ln['category']}/{ln['item_type']}" in terms))


def _top_up(rng: random.Random, op_id: str, lines: list[dict],
            goals: list[tuple[tuple[str, ...], str, int]]) -> list[dict]:
    added: list[dict] = []
    for terms, unit, goal in goals:
        short = goal - int(counted(lines + added, terms, unit))
        if short > 0:
            category, _, item_type = terms[-1].partition("/")
            added += _item_lines(rng, Target(op_id, category, item_type or None, unit, short))
    return added


def arrest_targets(root: Path, rng: random.Random) -> dict[str, int]:
    """Published arrest numbers ("more than" gets a little more), per operation."""
    out = {}
    for row in read_text(root, "figures"):
        if row["indicator"] == "arrests" and row["value"] and row["shown"] == "true":
            value = int(float(row["value"]))
            if row["qualifier"] in {"more_than", "at_least"}:
                value += 1 + rng.randint(0, 9)
            out[row["operation_id"]] = value
    return out


def _localities(root: Path) -> dict[str, list[dict[str, str]]]:
    by_country: dict[str, list[dict[str, str]]] = {}
    with (reference_dir(root) / "localities.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            by_country.setdefault(row["country_iso3"], []).append(row)
    return by_country


def _item_lines(rng: random.Random, target: Target) -> list[dict]:
    """Split one target into item lines; a category total is spread over its item types."""
    if target.item_type:
        types = [(target.item_type, target.total)]
    else:
        mix = MIX[target.category]
        shares = _split(rng, target.total, len(mix)) if target.total >= len(mix) else [target.total]
        types = [(_pick(rng, mix), share) for share in shares]
    lines = []
    for item_type, amount in types:
        pieces = max(1, min(amount, rng.randint(4, 14) if amount > 20 else amount // 2 + 1))
        for qty in _split(rng, amount, pieces):
            lines.append(_line(rng, item_type, target.unit, qty))
    return lines


def _line(rng: random.Random, item_type: str, unit: str, qty: int) -> dict:
    craft = item_type in CRAFT_TYPES and rng.random() < 0.3
    calibre = rng.choice(CALIBRES[item_type]) if item_type in CALIBRES else None
    firearm = contract.category_of(item_type) == "firearms"
    return {
        "category": contract.category_of(item_type), "item_type": item_type,
        "quantity": float(qty), "unit": unit,
        "craft_made": craft if firearm else None,
        "calibre": calibre,
        "make": None if craft or item_type not in MAKES else rng.choice([None, *MAKES[item_type]]),
        "country_of_manufacture": None if craft or not firearm else rng.choice([None, "RUS", "CHN", "TUR", "ITA"]),
        "marking_status": None if not firearm else ("unmarked" if craft else _pick(rng, MARKINGS)),
    }


def generate_sample(root: Path, seed: int = SEED) -> tuple[pa.Table, pa.Table]:
    """The shipped sample: (seizures, seized_items) as arrow tables, the same for the same seed."""
    rng = random.Random(seed)
    ops = {r["operation_id"]: r for r in read_text(root, "operations")}
    countries: dict[str, list[str]] = {}
    for r in read_text(root, "operation_countries"):
        countries.setdefault(r["operation_id"], []).append(r["country_iso3"])
    places = _localities(root)
    targets = published_targets(root, rng)
    arrests = arrest_targets(root, rng)
    goals = counted_targets(root, rng)
    seizures: list[dict] = []
    items: list[dict] = []
    for op_id, n_events in EVENTS_PER_OPERATION.items():
        lines = [ln for t in targets if t.operation_id == op_id for ln in _item_lines(rng, t)]
        lines += _top_up(rng, op_id, lines, goals.get(op_id, []))
        n_events = min(n_events, max(1, len(lines) * 3 // 5))
        op = ops[op_id]
        start = dt.date.fromisoformat(op["start_date"])
        days = (dt.date.fromisoformat(op["end_date"]) - start).days
        events = []
        for n in range(1, n_events + 1):
            iso = rng.choice(countries[op_id])
            place = rng.choice(places[iso])
            events.append({
                "seizure_id": f"SAMPLE-{op_id}-{n:04d}", "operation_id": op_id,
                "seizure_date": start + dt.timedelta(days=rng.randint(0, days)),
                "country_iso3": iso, "admin1": place["admin1"], "locality": place["locality"],
                "latitude": float(place["latitude"]), "longitude": float(place["longitude"]),
                "agency": _pick(rng, AGENCY_WEIGHTS), "arrests": 0,
                "criminal_context": _pick(rng, CONTEXT_WEIGHTS), "source": "sample", "is_sample": True,
            })
        rng.shuffle(lines)
        owners = list(range(len(events))) + [rng.randrange(len(events)) for _ in range(len(lines) - len(events))]
        used = set()
        counters: dict[int, int] = {}
        for line, owner in zip(lines, owners, strict=False):
            counters[owner] = counters.get(owner, 0) + 1
            used.add(owner)
            items.append({"seizure_id": events[owner]["seizure_id"], "line_no": counters[owner], **line})
        events = [e for k, e in enumerate(events) if k in used]
        total_arrests = arrests.get(op_id, rng.randint(len(events) // 4, len(events) // 2))
        for _ in range(total_arrests):
            rng.choice(events)["arrests"] += 1
        seizures += events
    op_of = {e["seizure_id"]: e["operation_id"] for e in seizures}
    for item in items:
        item.update(_tracing(seed, item, op_of[item["seizure_id"]]))
    return _arrow("seizures", seizures), _arrow("seized_items", items)


def _tracing(seed: int, item: dict, operation_id: str) -> dict:
    """Tracing status and illicit origin of one line, from a generator of its own.

    Drawn apart from the main sequence, so adding them left every other value of the sample (and its
    totals, which equal the published figures) exactly as it was.
    """
    out: dict[str, str | None] = {"tracing_status": None, "illicit_origin": None}
    if item["category"] != "firearms" or operation_id in NO_TRACING_RECORDED:
        return out
    rng = random.Random(f"{seed}:{item['seizure_id']}:{item['line_no']}")
    status = rng.choices([k for k, _ in TRACING_WEIGHTS], [w for _, w in TRACING_WEIGHTS])[0]
    out["tracing_status"] = status
    if status == "origin_established":
        out["illicit_origin"] = "craft_manufacture" if item["craft_made"] else _pick(rng, ORIGIN_WEIGHTS)
    return out


def _arrow(table: str, rows: list[dict]) -> pa.Table:
    return record_table(table, rows)


def write_batch(root: Path, batch_id: str, seizures: pa.Table, items: pa.Table, meta: dict) -> Path:
    """Write one batch directory whole, through the store's one batch writer, under the store's lock."""
    with store_lock(root):
        return write_record_batch(root, batch_id, seizures, items, meta)


def replace_batch(root: Path, batch_id: str, seizures: pa.Table, items: pa.Table, meta: dict) -> Path:
    """Swap a generated batch (the sample) for a new version, removing the old one last."""
    final = batches_dir(root) / batch_id
    old = tmp_dir(root) / f"{batch_id}.old"
    with store_lock(root):
        if old.exists():
            shutil.rmtree(old)
        if final.exists():
            old.parent.mkdir(parents=True, exist_ok=True)
            final.rename(old)
        path = write_record_batch(root, batch_id, seizures, items, meta)
        if old.exists():
            shutil.rmtree(old)
    return path


def build_sample(root: Path, seed: int = SEED) -> Path:
    """Regenerate the shipped sample batch."""
    seizures, items = sort_records(*generate_sample(root, seed))
    meta = {"batch_id": SAMPLE_BATCH, "kind": "sample", "is_sample": True, "seed": seed,
            "generator": "kafo_data.sample.seizures.generate_sample", "rows": items.num_rows,
            "events": seizures.num_rows}
    return replace_batch(root, SAMPLE_BATCH, seizures, items, meta)


def synthetic(root: Path, rows: int, seed: int = SEED) -> tuple[pa.Table, pa.Table]:
    """`rows` synthetic item lines (about 2.5 per event) over the KAFO operations, for benchmarks."""
    rs = np.random.default_rng(seed)
    ops = [r for r in read_text(root, "operations")]
    op_countries: dict[str, list[str]] = {}
    for r in read_text(root, "operation_countries"):
        op_countries.setdefault(r["operation_id"], []).append(r["country_iso3"])
    n_events = max(1, rows * 2 // 5)
    op_idx = rs.integers(0, len(ops), n_events)
    op_ids = np.array([o["operation_id"] for o in ops], dtype=object)[op_idx]
    starts = np.array([np.datetime64(o["start_date"]) for o in ops])[op_idx]
    spans = np.array([(dt.date.fromisoformat(o["end_date"]) - dt.date.fromisoformat(o["start_date"])).days + 1
                      for o in ops])[op_idx]
    dates = starts + (rs.random(n_events) * spans).astype("timedelta64[D]")
    order = np.lexsort((dates, op_ids.astype(str)))
    op_idx, op_ids, dates = op_idx[order], op_ids[order], dates[order]
    country = np.empty(n_events, dtype=object)
    for k, o in enumerate(ops):
        mask = op_idx == k
        country[mask] = rs.choice(op_countries[o["operation_id"]], mask.sum())
    seizure_ids = np.char.add("SYN-", np.arange(n_events).astype(str)).astype(object)
    seizures = pa.table({
        "seizure_id": seizure_ids, "operation_id": op_ids, "seizure_date": dates.astype("datetime64[D]"),
        "country_iso3": country, "admin1": pa.nulls(n_events, pa.string()),
        "locality": pa.nulls(n_events, pa.string()),
        "latitude": rs.uniform(5, 20, n_events), "longitude": rs.uniform(-15, 20, n_events),
        "agency": rs.choice(contract.AGENCIES, n_events), "arrests": rs.integers(0, 3, n_events).astype(np.int32),
        "criminal_context": rs.choice(contract.CRIMINAL_CONTEXTS, n_events),
        "source": np.full(n_events, "synthetic", dtype=object), "is_sample": np.ones(n_events, dtype=bool),
    })
    owner = np.sort(np.concatenate([np.arange(n_events), rs.integers(0, n_events, max(0, rows - n_events))]))[:rows]
    types = np.array(list(contract.ITEM_TYPES), dtype=object)
    type_idx = rs.integers(0, len(types), rows)
    item_type = types[type_idx]
    category = np.array([contract.ITEM_TYPES[t][0] for t in types], dtype=object)[type_idx]
    unit = np.array([contract.ITEM_TYPES[t][1][0] for t in types], dtype=object)[type_idx]
    first = np.r_[True, owner[1:] != owner[:-1]]
    starts_at = np.maximum.accumulate(np.where(first, np.arange(rows), 0))
    line_no = (np.arange(rows) - starts_at + 1).astype(np.int32)
    firearm = category == "firearms"
    craft = firearm & (rs.random(rows) < 0.25)
    status = rs.choice(np.array([None, *contract.TRACING_STATUSES], dtype=object), rows,
                       p=[0.15, 0.35, 0.22, 0.18, 0.10])
    origin = rs.choice(np.array(contract.ILLICIT_ORIGINS, dtype=object), rows)
    origin = np.where(craft, "craft_manufacture", np.where(origin == "craft_manufacture", "other", origin))
    made_in = rs.choice(np.array([None, "RUS", "CHN", "TUR", "ITA", "BEL", "CZE", "USA"], dtype=object), rows)
    marking = rs.choice(np.array(contract.MARKING_STATUSES, dtype=object), rows, p=[0.6, 0.1, 0.2, 0.1])
    items = pa.table({
        "seizure_id": seizure_ids[owner], "line_no": line_no, "category": category, "item_type": item_type,
        "quantity": rs.integers(1, 50, rows).astype(float), "unit": unit,
        "craft_made": pa.array(np.where(firearm, craft, None).tolist(), pa.bool_()),
        "calibre": pa.nulls(rows, pa.string()), "make": pa.nulls(rows, pa.string()),
        "country_of_manufacture": np.where(firearm & ~craft, made_in, None),
        "marking_status": np.where(firearm, np.where(craft, "unmarked", marking), None),
        "tracing_status": np.where(firearm, status, None),
        "illicit_origin": np.where(firearm & (status == "origin_established"), origin, None),
    })
    return (seizures.cast(_arrow("seizures", []).schema), items.cast(_arrow("seized_items", []).schema))
