"""Who loaded and who took out each batch: recorded with the batch, and in the removals' record."""

from __future__ import annotations

from kafo_data.cli import main
from kafo_data.ingest import seizures as ingest
from kafo_data.ingest.commit import commit
from kafo_data.store import batches
from tests.conftest import REPO

REPORT = REPO / "tests" / "fixtures" / "ingest" / "rapport_kafo2_bfa.csv"


def test_a_load_and_a_removal_name_who_did_them(data_copy, capsys):
    result = commit(data_copy, ingest.plan(data_copy, REPORT.name, REPORT.read_bytes()),
                           loaded_by="amina.diallo@unodc.example")
    stored = next(b for b in batches.list_batches(data_copy) if b.batch_id == result.batch_id)
    assert stored.loaded_by == "amina.diallo@unodc.example"
    batches.remove_batch(data_copy, result.batch_id, removed_by="moussa.traore@unodc.example")
    [gone] = batches.removed_batches(data_copy)
    assert (gone["batch_id"], gone["file"], gone["loaded_by"], gone["removed_by"]) == (
        result.batch_id, REPORT.name, "amina.diallo@unodc.example", "moussa.traore@unodc.example")
    assert gone["removed_at"].endswith("Z")


def test_the_command_line_records_its_user(data_copy, monkeypatch, capsys):
    monkeypatch.setenv("KAFO_DATA_DIR", str(data_copy))
    monkeypatch.setenv("USER", "focal.point")
    monkeypatch.setenv("LOGNAME", "focal.point")
    assert main(["ingest", str(REPORT)]) in (0, 1)
    [report] = [b for b in batches.list_batches(data_copy) if not b.is_sample]
    assert report.loaded_by == "focal.point (command line)"
    capsys.readouterr()
    assert main(["batches"]) == 0
    assert "focal.point (command line)" in capsys.readouterr().out
    assert main(["batches", "remove", report.batch_id]) == 0
    assert batches.removed_batches(data_copy)[0]["removed_by"] == "focal.point (command line)"
