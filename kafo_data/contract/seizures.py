"""The record-level data contract, written once.

Validation, ingest, exports and the data dictionary page all read these tables, so a new
category or unit is added here and nowhere else. Labels and meanings live in the language
catalogues (`kafo_data/locales/*.json`) under `col.<table>.<name>` and `<vocab>.<value>`.
"""

from __future__ import annotations

from kafo_data.contract.columns import Column

CATEGORIES: tuple[str, ...] = (
    "firearms",
    "parts_components",
    "ammunition",
    "explosives",
    "detonators",
    "other_contraband",
)

UNITS: tuple[str, ...] = (
    "pieces", "rounds", "sticks", "cords", "rolls", "m", "kg", "L",
    "boxes", "cartons", "pills", "USD", "EUR", "XOF",
)

# item type -> (category, allowed units). UNODC firearm types first, then the items the
# published KAFO results name. A unit not listed for an item is a contract violation.
ITEM_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "pistol": ("firearms", ("pieces",)),
    "revolver": ("firearms", ("pieces",)),
    "rifle": ("firearms", ("pieces",)),
    "assault_rifle": ("firearms", ("pieces",)),
    "shotgun": ("firearms", ("pieces",)),
    "sub_machine_gun": ("firearms", ("pieces",)),
    "machine_gun": ("firearms", ("pieces",)),
    "combination_gun": ("firearms", ("pieces",)),
    "other_firearm": ("firearms", ("pieces",)),
    "barrel": ("parts_components", ("pieces",)),
    "magazine": ("parts_components", ("pieces",)),
    "bolt": ("parts_components", ("pieces",)),
    "other_part": ("parts_components", ("pieces",)),
    "cartridge": ("ammunition", ("rounds",)),
    "shotgun_cartridge": ("ammunition", ("rounds",)),
    "spent_casing": ("ammunition", ("pieces",)),
    "dynamite": ("explosives", ("sticks", "kg")),
    "explosive_other": ("explosives", ("kg",)),
    "precursor": ("explosives", ("L", "kg")),
    "detonator": ("detonators", ("pieces",)),
    "detonator_cord": ("detonators", ("cords",)),
    "detonating_cord": ("detonators", ("m", "rolls")),
    "drugs": ("other_contraband", ("kg",)),
    "fuel": ("other_contraband", ("L",)),
    "medicines": ("other_contraband", ("boxes", "pieces")),
    "cigarettes": ("other_contraband", ("cartons",)),
    "pills": ("other_contraband", ("pills",)),
    "cash": ("other_contraband", ("USD", "EUR", "XOF")),
}

AGENCIES: tuple[str, ...] = (
    "police", "gendarmerie", "customs", "salw_commission", "airport_unit",
    "border_service", "prosecution", "other",
)

CRIMINAL_CONTEXTS: tuple[str, ...] = (
    "terrorism", "organised_crime", "illegal_mining", "other", "unknown",
)

MARKING_STATUSES: tuple[str, ...] = ("marked", "unmarked", "erased", "unknown")

# How far tracing of one firearm line went (SDG indicator 16.4.2's numerator is "origin_established"),
# and, where established, how the firearm became illicit. Both only on firearm lines (docs/firearms.md).
TRACING_STATUSES: tuple[str, ...] = ("not_requested", "requested", "origin_established", "origin_not_established")
ILLICIT_ORIGINS: tuple[str, ...] = (
    "national_stockpile", "civilian_owner", "craft_manufacture", "illicit_import", "other",
)
# Item-line columns that describe a firearm: a value on a line of another category is a contract violation.
FIREARM_ONLY: tuple[str, ...] = ("tracing_status", "illicit_origin")

# "some" and "about" are kept apart: a figure shows the qualifier's own word ("some 520", not "about 520").
QUALIFIERS: tuple[str, ...] = ("exact", "more_than", "at_least", "about", "some", "words")

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "item_type": tuple(ITEM_TYPES),
    "unit": UNITS,
    "agency": AGENCIES,
    "criminal_context": CRIMINAL_CONTEXTS,
    "marking_status": MARKING_STATUSES,
    "tracing_status": TRACING_STATUSES,
    "illicit_origin": ILLICIT_ORIGINS,
}


SEIZURE_COLUMNS: tuple[Column, ...] = (
    Column("seizure_id", "VARCHAR"),
    Column("operation_id", "VARCHAR", vocab="operation"),
    Column("seizure_date", "DATE"),
    Column("country_iso3", "VARCHAR", vocab="country"),
    Column("admin1", "VARCHAR", required=False),
    Column("locality", "VARCHAR", required=False),
    Column("latitude", "DOUBLE", required=False),
    Column("longitude", "DOUBLE", required=False),
    Column("agency", "VARCHAR", vocab="agency"),
    Column("arrests", "INTEGER"),
    Column("criminal_context", "VARCHAR", vocab="criminal_context"),
    Column("source", "VARCHAR"),
    Column("is_sample", "BOOLEAN"),
)

ITEM_COLUMNS: tuple[Column, ...] = (
    Column("seizure_id", "VARCHAR"),
    Column("line_no", "INTEGER"),
    Column("category", "VARCHAR", vocab="category"),
    Column("item_type", "VARCHAR", vocab="item_type"),
    Column("quantity", "DOUBLE"),
    Column("unit", "VARCHAR", vocab="unit"),
    Column("craft_made", "BOOLEAN", required=False),
    Column("calibre", "VARCHAR", required=False),
    Column("make", "VARCHAR", required=False),
    Column("country_of_manufacture", "VARCHAR", required=False, vocab="country"),
    Column("marking_status", "VARCHAR", required=False, vocab="marking_status"),
    Column("tracing_status", "VARCHAR", required=False, vocab="tracing_status"),
    Column("illicit_origin", "VARCHAR", required=False, vocab="illicit_origin"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "seizures": SEIZURE_COLUMNS,
    "seized_items": ITEM_COLUMNS,
}

# The columns of one exported record: an item line with its event's fields.
RECORD_COLUMNS: tuple[str, ...] = (
    "seizure_id", "line_no", "operation_id", "seizure_date", "country_iso3", "admin1",
    "locality", "latitude", "longitude", "agency", "arrests", "criminal_context",
    "category", "item_type", "quantity", "unit", "craft_made", "calibre", "make",
    "country_of_manufacture", "marking_status", "tracing_status", "illicit_origin", "source", "is_sample",
)


def category_of(item_type: str) -> str:
    """The category an item type belongs to (KeyError for an unknown type)."""
    return ITEM_TYPES[item_type][0]


def units_for(item_type: str) -> tuple[str, ...]:
    """The units an item type may be counted in."""
    return ITEM_TYPES[item_type][1]


def column(table: str, name: str) -> Column:
    """Look a column up by table and name."""
    for col in TABLES[table]:
        if col.name == name:
            return col
    raise KeyError(f"{table}.{name}")


# Plausible bounds, checked by the ingest before a row is stored and by `validate` on what is stored.
# A quantity is the size of one item line of one seizure: more than this is a typing error (a
# thousands separator read as a decimal, a serial number in the quantity column), never a record.
MAX_QUANTITY: dict[str, float] = {
    "pieces": 1_000_000, "rounds": 10_000_000, "sticks": 1_000_000, "cords": 100_000, "rolls": 100_000,
    "m": 10_000_000, "kg": 10_000_000, "L": 100_000_000, "boxes": 10_000_000, "cartons": 10_000_000,
    "pills": 1_000_000_000, "USD": 10_000_000_000, "EUR": 10_000_000_000, "XOF": 10_000_000_000_000,
}
MAX_ARRESTS = 10_000  # people arrested in one seizure event
MAX_TEXT = 500  # characters of a stored text field (locality, region, calibre, make, seizure number)
