"""The reporting status grid after a report is loaded, and after it is taken out again (issue 30)."""

from __future__ import annotations

import datetime as dt

import pyarrow.parquet as pq

from kafo_data.export import reporting as export
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.seizures import reporting
from kafo_data.seizures.filters import Filters
from kafo_data.store.batches import remove_batch
from kafo_data.store.db import Database

REPORT = (
    "Seizure ID,Operation,Date,Country,Item,Quantity\r\n"
    "M-1,KAFO II,01/12/2020,Mali,pistol,2\r\n"
    "M-1,KAFO II,01/12/2020,Mali,cartridges,40\r\n"
    "M-2,KAFO II,02/12/2020,Mali,rifle,1\r\n"
    "M-3,KAFO II,02/12/2020,Mali,unknown thing,1\r\n"
    "N-1,KAFO II,03/12/2020,Niger,pistol,1\r\n"
)


def _cell(db: Database, op: str, iso3: str) -> dict:
    grid = reporting.grid(db)
    return grid[(grid.operation_id == op) & (grid.country_iso3 == iso3)].iloc[0].to_dict()


def test_grid_after_adding_and_removing_a_batch(data_copy):
    db = Database(data_copy)
    before = _cell(db, "KAFO-II", "MLI")
    assert (before["batches"], before["lines"], before["sample_lines"] > 0) == (0, 0, True)
    assert reporting.missing(db, Filters(operations=("KAFO-II",))) == {"KAFO-II": ["BFA", "CIV", "MLI", "NER"]}
    result = commit(data_copy, ingest.plan(data_copy, "mali.csv", REPORT.encode()), loaded_by="a@unodc.example")
    stored = pq.read_table(result.batch_path / "seized_items.parquet").to_pandas()
    events = pq.read_table(result.batch_path / "seizures.parquet").to_pandas()
    mali = set(events[events.country_iso3 == "MLI"].seizure_id)
    cell = _cell(db, "KAFO-II", "MLI")
    assert (cell["batches"], cell["lines"], cell["events"]) == (1, int(stored.seizure_id.isin(mali).sum()), len(mali))
    assert (cell["loaded_by"], cell["rejected"]) == ("a@unodc.example", 1)
    assert cell["last_loaded"][:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert _cell(db, "KAFO-II", "NER")["batches"] == 1
    assert reporting.missing(db, Filters(operations=("KAFO-II",))) == {"KAFO-II": ["BFA", "CIV"]}
    line = reporting.coverage_lines(reporting.coverage(db), {"KAFO-II": "KAFO II"}, "en")
    assert "KAFO II: records from 2 of 4 participating countries. The records of this edition shown on the other " \
        "pages include generated sample data, which is not a national report." in line
    french = reporting.coverage_lines(reporting.coverage(db), {"KAFO-II": "KAFO II"}, "fr")
    assert "KAFO II : des enregistrements de 2 pays participants sur 4. Les enregistrements de cette édition " \
        "montrés sur les autres pages comprennent des données d'échantillon générées, qui ne sont pas un rapport " \
        "national." in french
    csv = export.build(db, "managers", "csv", "en", dt.date(2026, 12, 4)).decode("utf-8-sig")
    assert '"KAFO-II","MLI",true,1,' in csv and "a@unodc.example" in csv
    public = export.build(db, "public", "csv", "en", dt.date(2026, 12, 4)).decode("utf-8-sig")
    assert '"KAFO-II",2,4,true' in public, "2 of 4 countries; the edition's sample records say so"
    remove_batch(data_copy, result.batch_id)
    after = _cell(db, "KAFO-II", "MLI")
    assert (after["batches"], after["lines"], after["loaded_by"]) == (0, 0, None)
    db.close()


def test_a_report_whose_rows_were_all_rejected_is_sent_not_missing(data_copy):
    """Two bad Mali rows store nothing; the cell says "sent, all rows rejected" with 2 rows, not "no report"."""
    bad = ("N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité\r\n"
           "B-1;KAFO V;05/11/2024;Mali;objet inconnu;1\r\n"
           "B-2;KAFO V;06/11/2024;Mali;pistolet;-3\r\n"
           "B-3;Opération X;06/11/2024;Mali;pistolet;1\r\n")
    db = Database(data_copy)
    assert _cell(db, "KAFO-V", "MLI")["unstored"] == 0
    result = commit(data_copy, ingest.plan(data_copy, "mali.csv", bad.encode()), loaded_by="b@unodc.example")
    assert result.batch_id is None and len(result.plan.rejected) == 3
    cell = _cell(db, "KAFO-V", "MLI")
    assert (cell["batches"], cell["unstored"], cell["rejected"]) == (0, 1, 2)
    assert cell["last_unstored"][:10] == dt.datetime.now(dt.UTC).date().isoformat()
    assert reporting.unplaced(reporting.unstored(data_copy)) == 1, "the row of an unknown operation"
    grid = reporting.grid(db)
    shown = reporting.grid_table(grid, {}, {}, "fr")
    mali = (grid.operation_id == "KAFO-V") & (grid.country_iso3 == "MLI")
    assert shown[mali.values].iloc[0]["État"] == "⚠ Envoyé, tout rejeté"
    niger = (grid.operation_id == "KAFO-V") & (grid.country_iso3 == "NER")
    assert shown[niger.values].iloc[0]["État"] == "⚠ Aucun rapport"
    texts, states = reporting.matrix(grid, {}, {"KAFO-V": "KAFO V"}, "en")
    assert (texts.loc["KAFO V", "MLI"], states.loc["KAFO V", "MLI"]) == ("⚠ rejected", "all_rejected")
    assert (texts.loc["KAFO V", "NER"], states.loc["KAFO V", "NER"]) == ("—", "none")
    csv = export.build(db, "managers", "csv", "en", dt.date(2026, 12, 4)).decode("utf-8-sig")
    assert '"KAFO-V","MLI",true,0,0,0,,,2,' in csv
    # the same file again replaces its record: still one file sent
    commit(data_copy, ingest.plan(data_copy, "mali.csv", bad.encode()))
    assert _cell(db, "KAFO-V", "MLI")["unstored"] == 1
    db.close()


def test_only_a_load_whose_every_row_was_rejected_counts_as_sent_all_rejected(data_copy):
    """--strict refusing a file with good rows, or good rows loaded before, is not "every row rejected"."""
    mixed = ("N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité\r\n"
             "G-1;KAFO V;05/11/2024;Mali;pistolet;1\r\n"
             "B-2;KAFO V;06/11/2024;Mali;pistolet;-3\r\n")
    db = Database(data_copy)
    blocked = commit(data_copy, ingest.plan(data_copy, "mali.csv", mixed.encode()), strict=True)
    assert blocked.strict_blocked and blocked.rejected_path.is_file()
    assert _cell(db, "KAFO-V", "MLI")["unstored"] == 0
    db.close()


def test_the_rejected_rows_of_a_file_named_like_a_timestamp_survive_the_next_load(data_copy):
    """A file called 20241106-101500.csv gave rejected/20241106-101500-<sha>.csv, the pattern of a batch id
    that was never stored: the next load removed it as left behind by a crash."""
    bad = ("N° saisie;Opération;Date de saisie;Pays;Désignation;Quantité\r\n"
           "B-1;KAFO V;05/11/2024;Mali;objet inconnu;1\r\n")
    first = commit(data_copy, ingest.plan(data_copy, "20241106-101500.csv", bad.encode()))
    commit(data_copy, ingest.plan(data_copy, "rapport.csv", REPORT.encode()))
    assert first.rejected_path.is_file() and first.rejected_path.with_suffix(".json").is_file()
