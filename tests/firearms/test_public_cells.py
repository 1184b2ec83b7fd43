"""Public marking and craft charts: each bar is one cell protected as itself, never a sum of protected parts.

The reviewer's repro: one report line of KAFO V in Chad (a craft-made, marked pistol) made the public
"Pistol / Marked" bar read "fewer than 3" while 98 pistols in 28 events were behind it, because the bar
summed type x marking x craft cells and one of them had a single event. The independent side counts
events and firearms with pandas over the stored files (`read_records`).
"""

from __future__ import annotations

import numpy as np

from kafo_data.firearms import public as public_cells
from kafo_data.firearms import views
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.seizures.public import PublicFilters
from kafo_data.store.db import Database
from tests.conftest import read_records

LINE = ("N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité;Marquage;Artisanale\r\n"
        "T-1;KAFO V;05/11/2024;Tchad;pistolet automatique;1;marqué;oui\r\n")
FEWER = "fewer than 3"


def _truth(root, column: str, value: str) -> dict[tuple[str, str], tuple[float, int]]:
    """Firearms and seizure events by item type x `column`, counted with pandas."""
    _, records = read_records(root)
    lines = records[records.category == "firearms"].copy()
    lines[column] = lines[column].map(lambda v: None if v is None or v is np.nan else str(v).lower())
    out = {}
    for (item, v), group in lines.groupby(["item_type", column], dropna=False):
        out[(item, None if isinstance(v, float) else v)] = (float(group.quantity.sum()), group.seizure_id.nunique())
    return out


def test_marking_and_craft_bars_are_protected_one_by_one(data_copy):
    result = commit(data_copy, ingest.plan(data_copy, "tchad.csv", LINE.encode("utf-8")))
    assert result.batch_id and result.stored == 1
    db = Database(data_copy)
    cells = public_cells.cells(db, PublicFilters())
    for view, column, labels in (("marking", "marking_status", {"marked": "Marked"}),
                                 ("craft", "craft_made", {"true": "Craft-made", "false": "Industrial"})):
        frame = views.breakdown(cells, view, {}, "en")
        truth = _truth(data_copy, column, view)
        assert len(frame) == len(truth), view
        pistol = frame[(frame.row == "Pistol") & (frame.series == labels.get("marked", labels.get("true")))]
        firearms, events = truth[("pistol", "marked" if view == "marking" else "true")]
        assert events >= 3 and pistol.text.iloc[0] != FEWER, (view, events, pistol.text.iloc[0])
        assert abs(pistol.value.iloc[0] - firearms) <= 2 * max(1, np.floor(0.025 * firearms + 0.5))
        hidden = frame.text == FEWER
        small = sum(1 for _, e in truth.values() if e < 3)
        assert hidden.sum() == small, (view, frame[hidden], small)
    db.close()


def test_types_and_series_in_the_issue_order(data_copy):
    """Pistols first, then revolvers, rifles...; marking marked, unmarked, erased, unknown, not recorded last."""
    db = Database(data_copy)
    from kafo_data.firearms import queries
    from kafo_data.seizures.filters import Filters

    frame = views.breakdown(queries.cells(db, Filters()), "marking", {}, "en")
    rows = list(dict.fromkeys(frame.row))
    issue = ["Pistol", "Revolver", "Rifle or carbine", "Assault rifle", "Shotgun", "Sub-machine gun", "Machine gun"]
    assert [r for r in issue if r in rows] == [r for r in rows if r in issue]
    for _, group in frame.groupby("row", sort=False):
        order = ["Marked", "Unmarked", "Marking erased", "Unknown", "Not recorded"]
        assert list(group.series) == [s for s in order if s in set(group.series)]
    db.close()


def test_countries_by_name_in_french_accents_set_aside(data_copy):
    """Bénin before Burkina Faso, Chad before Côte d'Ivoire (not ISO code order): 16.4.2 rows, tracing, flow."""
    import csv
    import unicodedata

    from kafo_data import country_names
    from kafo_data.firearms import queries
    from kafo_data.seizures.filters import Filters

    with (data_copy / "reference" / "countries.csv").open(encoding="utf-8") as handle:
        reference = list(csv.DictReader(handle))
    names = country_names.shown({r["iso3"]: r["name_fr"] for r in reference}, data_copy, "fr")
    english = country_names.shown({r["iso3"]: r["name_en"] for r in reference}, data_copy, "en")

    def plain(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()

    db = Database(data_copy)
    cells = queries.cells(db, Filters())
    rows = views.indicator_rows(cells, "country", lambda v: names[v], "fr").name.tolist()
    assert rows == sorted(rows, key=plain) and rows.index("Bénin") < rows.index("Burkina Faso")
    rows = views.indicator_rows(cells, "country", lambda v: english[v], "en").name.tolist()
    assert rows == sorted(rows, key=plain) and rows.index("Chad") < rows.index("Côte d'Ivoire"), "not by ISO code"
    tracing = list(dict.fromkeys(views.breakdown(cells, "tracing", names, "fr").row))
    assert tracing == sorted(tracing, key=plain) and tracing.index("Bénin") < tracing.index("Burkina Faso")
    made_in = [r for r in dict.fromkeys(views.breakdown(cells, "flow", names, "fr").row) if r != "Non renseigné"]
    assert made_in == sorted(made_in, key=plain) and "Russie" in made_in
    db.close()
