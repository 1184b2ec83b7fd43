"""The firearm columns of a report row: craft-made, country of manufacture, marking, tracing, illicit origin.

Each value is matched exactly (after `ingest_read.norm`) against `data/mapping/firearms.csv`, the
contract's ids and their labels in both languages; a country of manufacture against the country names
both languages use. Rules, so a reviewer can hold the code to them:

- Tracing status and illicit origin describe a firearm: on a line of another category (ammunition,
  parts...) they make the row rejected, with the reason.
- An illicit origin says the origin was established: with an empty tracing status the line's status is
  `origin_established`; with another status the row is rejected (the two cells contradict each other).
- A craft-made cell that contradicts the item's name ("fusil artisanal" said industrial) is rejected.
- A cell that says "not known" (`-`, « inconnu », "n/a", « non déterminé »...: `empty_words.csv`) is an
  empty cell, unless the column's own vocabulary gives the word a value (marking « inconnu » is the
  contract's `unknown`). « Fabrication locale » in the country of manufacture says how the firearm was
  made, not where: an empty country (the craft column says craft-made).
- A country of manufacture may be a former country of ISO 3166-3 (USSR `SUHH`, Czechoslovakia `CSHH`,
  Yugoslavia `YUCS`, East Germany `DDDE`: `country_names.csv`); a country of seizure may not.
"""

from __future__ import annotations

from collections.abc import Callable

from kafo_data.contract import seizures as contract
from kafo_data.ingest.messages import Labels
from kafo_data.ingest.read import norm
from kafo_data.ingest.vocabulary import FIREARM_VOCABS, Mappings


def firearm_cells(item: dict[str, object], category: str | None, cell: Callable[[str], tuple[object, str]],
                  bad: Callable[..., None], mappings: Mappings) -> None:
    """Read the firearm cells of one row into `item`; each bad cell adds a reason through `bad`."""
    for name in FIREARM_VOCABS:
        text = cell(name)[1]
        if not text:
            continue
        value = mappings.firearm_values.get(name, {}).get(norm(text))
        if value is None and mappings.is_empty_word(name, text):
            continue
        if value is None:
            shown = ("yes", "no") if name == "craft_made" else FIREARM_VOCABS[name]
            allowed = ", ".join(shown) if name == "craft_made" else Labels(name, shown)
            bad("firearms.reason.unknown_value", name, text, allowed=allowed)
            continue
        if name == "craft_made":
            craft = value == "true"
            if item["craft_made"] is not None and item["craft_made"] != craft:
                bad("firearms.reason.craft_conflict", name, text)
            item["craft_made"] = craft
        else:
            item[name] = value
    text = cell("country_of_manufacture")[1]
    if text and not mappings.is_empty_word("country_of_manufacture", text):
        iso3 = mappings.made_in.get(norm(text))
        if iso3 is None:
            bad("firearms.reason.country_unknown", "country_of_manufacture", text)
        item["country_of_manufacture"] = iso3
    if category is not None and category != "firearms":
        for name in contract.FIREARM_ONLY:
            if item.get(name) is not None:
                bad("firearms.reason.firearm_only", name, cell(name)[1],
                    category=Labels("category", (category,)))
    if item.get("illicit_origin") is not None:
        if item.get("tracing_status") is None:
            item["tracing_status"] = "origin_established"
        elif item["tracing_status"] != "origin_established":
            bad("firearms.reason.origin_not_established", "illicit_origin", cell("illicit_origin")[1],
                status=cell("tracing_status")[1].strip())
