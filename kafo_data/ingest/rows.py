"""One report row read: its cells parsed against the contract, and the rows grouped into seizures.

Item names match exactly or as a known name followed only by a calibre; anything else is a
reason on the row, never a guess (see `kafo_data.ingest.seizures` for every rule of a load).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kafo_data.contract import seizures as contract
from kafo_data.ingest.firearms import firearm_cells
from kafo_data.ingest.messages import CellError, Labels, Message, Number, msg
from kafo_data.ingest.read import norm
from kafo_data.ingest.vocabulary import COUNT_UNITS, FIREARM_FIELDS, Mappings, OutOfRange, parse_date, parse_number

_EXPONENT = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
# record field -> report column field, for the event fields every line of a seizure repeats
EVENT_FIELDS: dict[str, str] = {
    "operation_id": "operation", "seizure_date": "date", "country_iso3": "country", "admin1": "admin1",
    "locality": "locality", "latitude": "latitude", "longitude": "longitude", "agency": "agency",
    "arrests": "arrests", "criminal_context": "criminal_context",
}
WHOLE_UNITS: frozenset[str] = frozenset({*COUNT_UNITS, "boxes", "cartons"})

@dataclass
class Row:
    """One record row: its cells as received, what they mean, and why it cannot be stored."""

    line: int
    cells: Sequence[str]
    ref: str | None = None
    event: dict[str, object] = field(default_factory=dict)
    item: dict[str, object] = field(default_factory=dict)
    problems: list[Message] = field(default_factory=list)
    verdict: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    group: str = ""

    @property
    def reasons(self) -> list[Message]:
        if self.verdict[:1] and self.verdict[0].key == "ingest.reason.file_already_loaded":
            return self.verdict
        return self.problems + self.verdict




_SEP = "\x1f"


class Cells(Sequence[str]):
    """A row's cells held as one string: a plan keeps every row's cells (for the rejected rows' file and the
    repeated-line check at commit), and 50,000 tuples of 80 cells were 40 MB of it (issue 25)."""

    __slots__ = ("_joined", "_size")

    def __init__(self, joined: str, size: int) -> None:
        self._joined, self._size = joined, size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, k):  # type: ignore[override]  # an index or a slice, as a tuple takes them
        return self._joined.split(_SEP)[k]

    def __iter__(self):  # type: ignore[override]
        return iter(self._joined.split(_SEP))

    def __repr__(self) -> str:
        return repr(tuple(self))


def packed(texts: Sequence[str]) -> Sequence[str]:
    """The cells as `Cells`, or as a tuple when a cell holds the separator itself (or there is none)."""
    joined = _SEP.join(texts)
    if not texts or joined.count(_SEP) != len(texts) - 1:
        return tuple(texts)
    return Cells(joined, len(texts))


def parse_row(line: int, values: Sequence[object], texts: Sequence[str], width: int, columns: dict[str, int],
               header_of: dict[str, str], mappings: Mappings, lang: str) -> Row:
    """Parse the cells of one row; each bad cell adds a reason naming its column and value."""
    row = Row(line=line, cells=packed(texts))
    if any(c.strip() for c in texts[width:]):
        row.problems.append(msg("ingest.reason.extra_cells", count=width))

    def cell(name: str) -> tuple[object, str]:
        k = columns.get(name)
        if k is None or k >= len(values):
            return None, ""
        return values[k], texts[k].strip()

    def bad(key: str, name: str, text: str, **more: object) -> None:
        row.problems.append(msg(key, column=header_of.get(name, name), value=text, **more))

    ref_text = cell("seizure_ref")[1]
    for name in ("seizure_ref", "calibre", "make"):
        if len(cell(name)[1]) > contract.MAX_TEXT:
            row.problems.append(msg("ingest.reason.text_too_long", column=header_of.get(name, name),
                                    length=Number(len(cell(name)[1])), limit=Number(contract.MAX_TEXT)))
    row.ref = ref_text or None
    for record_field, name in EVENT_FIELDS.items():
        value, text = cell(name)
        row.event[record_field] = None
        if not text:
            continue
        try:
            row.event[record_field] = _event_value(record_field, value, text, mappings, lang)
        except CellError as exc:
            row.problems.append(_with_column(exc.message, header_of.get(name, name), text))
    _parse_item(row, cell, bad, mappings, lang)
    return row


def _with_column(message: Message, column: str, text: str) -> Message:
    if message.key == "ingest.reason.text_too_long":  # a very long cell is named by its length, not repeated
        return Message(message.key, (("column", column), *message.values))
    return Message(message.key, (("column", column), ("value", text), *message.values))


def _event_value(record_field: str, value: object, text: str, mappings: Mappings, lang: str) -> object:
    if record_field == "operation_id":
        found = mappings.operation(text)
        if found is None:
            raise CellError(msg("ingest.reason.operation_unknown", known=", ".join(sorted(mappings.op_dates))))
        return found
    if record_field == "seizure_date":
        try:
            day = parse_date(value)
        except ValueError as exc:
            key = "ingest.reason.date_month_first" if str(exc) == "month_first" else "ingest.reason.date_invalid"
            raise CellError(msg(key)) from exc
        if day > dt.date.today():
            raise CellError(msg("ingest.reason.date_future"))
        return day
    if record_field == "country_iso3":
        return _known(mappings.countries, text, "ingest.reason.country_unknown")
    if record_field in {"admin1", "locality"}:
        if len(text) > contract.MAX_TEXT:
            raise CellError(msg("ingest.reason.text_too_long", length=Number(len(text)),
                                limit=Number(contract.MAX_TEXT)))
        return " ".join(text.split())
    if record_field in {"latitude", "longitude"}:
        try:
            number = parse_number(value, lang)
        except ValueError as exc:
            raise CellError(msg("ingest.reason.coordinate_invalid")) from exc
        limit = 90 if record_field == "latitude" else 180
        if abs(number) > limit:
            raise CellError(msg("ingest.reason.coordinate_range", limit=limit))
        return number
    if record_field == "agency":
        return _known(mappings.agencies, text, "ingest.reason.agency_unknown")
    if record_field == "arrests":
        try:
            number = parse_number(value, lang)
        except OutOfRange as exc:
            raise CellError(msg("ingest.reason.arrests_too_many", limit=Number(contract.MAX_ARRESTS))) from exc
        except ValueError as exc:
            raise CellError(msg("ingest.reason.arrests_invalid")) from exc
        if number < 0 or not number.is_integer():
            raise CellError(msg("ingest.reason.arrests_invalid"))
        if number > contract.MAX_ARRESTS:
            raise CellError(msg("ingest.reason.arrests_too_many", limit=Number(contract.MAX_ARRESTS)))
        return int(number)
    return _known(mappings.contexts, text, "ingest.reason.context_unknown")


def _known(names: dict[str, str], text: str, reason: str) -> str:
    """The id a vocabulary gives this cell's words (compared after `norm`), or the row's reason."""
    found = names.get(norm(text))
    if found is None:
        raise CellError(msg(reason))
    return found


def _parse_item(row: Row, cell: Callable[[str], tuple[object, str]], bad: Callable[..., None],
                mappings: Mappings, lang: str) -> None:
    """Item name, category, quantity and unit of one row, checked against the contract."""
    _, item_text = cell("item")
    _, category_text = cell("category")
    quantity_value, quantity_text = cell("quantity")
    _, unit_text = cell("unit")
    _, calibre_text = cell("calibre")
    _, make_text = cell("make")
    said = {name: None if mappings.is_empty_word(name, text) else text  # « inconnu », "n/a", "-": not known
            for name, text in (("calibre", calibre_text), ("make", make_text))}
    row.item = {"category": None, "item_type": None, "quantity": None, "unit": None, "craft_made": None, **said,
                **{name: None for name in FIREARM_FIELDS if name != "craft_made"}}
    if not item_text:
        bad("ingest.reason.item_empty", "item", "")
        found = None
    else:
        found = mappings.item(item_text)
        if found is None:
            close = mappings.close_items(item_text)
            bad("ingest.reason.item_unknown", "item", item_text,
                hint=msg("ingest.hint.close_items", names=tuple(close)) if close else msg(
                    "ingest.hint.item_list"))
    entry = found[0] if found else None
    if entry:
        row.item.update(category=entry.category, item_type=entry.item_type, craft_made=entry.craft_made)
        row.item["calibre"] = row.item["calibre"] or found[1]  # type: ignore[index]
    firearm_cells(row.item, entry.category if entry else None, cell, bad, mappings)
    if category_text:
        category = mappings.categories.get(norm(category_text))
        if category is None:
            bad("ingest.reason.category_unknown", "category", category_text)
        elif entry and category != entry.category:
            bad("ingest.reason.category_mismatch", "category", category_text, item=item_text,
                category=Labels("category", (entry.category,)))
    unit_from_quantity = None
    if not quantity_text:
        bad("ingest.reason.quantity_empty", "quantity", "")
        quantity = None
    else:
        try:
            quantity = parse_number(quantity_value, lang)
        except OutOfRange:
            quantity = None
            bad("ingest.reason.quantity_implausible", "quantity", _short(quantity_text))
        except ValueError:
            if _EXPONENT.fullmatch(quantity_text.strip()):
                quantity = None
                bad("ingest.reason.quantity_exponent", "quantity", _short(quantity_text))
            else:
                quantity, unit_from_quantity = _number_and_unit(quantity_text, lang)
                if quantity is None:
                    bad("ingest.reason.quantity_invalid", "quantity", _short(quantity_text))
        if quantity is not None and quantity < 0:
            bad("ingest.reason.quantity_negative", "quantity", quantity_text)
            quantity = None
        elif quantity == 0:
            bad("ingest.reason.quantity_zero", "quantity", quantity_text)
            quantity = None
    row.item["quantity"] = quantity
    if entry is None:
        return
    unit_text = unit_text or (unit_from_quantity or "")
    allowed = Labels("unit", contract.units_for(entry.item_type))
    item_label = Labels("item_type", (entry.item_type,))
    if not unit_text:
        unit = entry.default_unit
        if unit is None:
            bad("ingest.reason.unit_needed", "unit", "", item=item_text, allowed=allowed)
    else:
        unit = mappings.unit(unit_text, entry.item_type)
        if unit is None:
            bad("ingest.reason.unit_unknown", "unit", unit_text)
        elif unit not in contract.units_for(entry.item_type):
            bad("ingest.reason.unit_not_allowed", "unit", unit_text, item=item_label, allowed=allowed)
            unit = None
        elif unit_from_quantity and quantity_text and cell("unit")[1] and \
                mappings.unit(unit_from_quantity, entry.item_type) != unit:
            bad("ingest.reason.unit_conflict", "unit", unit_text, quantity=quantity_text)
    row.item["unit"] = unit
    if unit in WHOLE_UNITS and quantity is not None and not float(quantity).is_integer():
        bad("ingest.reason.quantity_not_whole", "quantity", quantity_text, unit=Labels("unit", (unit,)))
    if unit in contract.MAX_QUANTITY and quantity is not None and quantity > contract.MAX_QUANTITY[unit]:
        row.item["quantity"] = None
        bad("ingest.reason.quantity_too_large", "quantity", _short(quantity_text), unit=Labels("unit", (unit,)),
            limit=Number(contract.MAX_QUANTITY[unit]))


def _short(text: str, limit: int = 40) -> str:
    """A cell quoted in a reason: a very long one is cut, with its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)})"


def _number_and_unit(text: str, lang: str) -> tuple[float | None, str | None]:
    """ "5 200 m" or "12kg" in a quantity cell: the number and the unit written after it."""
    m = re.fullmatch(r"(.*?\d)\s*([^\d\s.,].*)", text)
    if not m:
        return None, None
    try:
        return parse_number(m.group(1), lang), m.group(2).strip()
    except ValueError:  # OutOfRange too: a number too large to be a quantity is no quantity
        return None, None


def group_rows(rows: list[Row], columns: dict[str, int]) -> None:
    """Give each row the seizure it belongs to (see the module docstring for the rule)."""
    event_columns = [EVENT_FIELDS[f] for f in ("operation_id", "seizure_date", "country_iso3", "locality")]
    previous: Row | None = None
    for row in rows:
        if row.ref:
            row.group = f"ref:{row.ref}"
        elif previous is not None and all(_cell_blank(row, columns, c) for c in event_columns):
            row.group = previous.group
            row.ref = previous.ref
        else:
            row.group = f"line:{row.line}"
        previous = row


def _cell_blank(row: Row, columns: dict[str, int], name: str) -> bool:
    k = columns.get(name)
    return k is None or k >= len(row.cells) or not row.cells[k].strip()


def groups(rows: Sequence[Row]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for row in rows:
        out.setdefault(row.group, []).append(row)
    return out
