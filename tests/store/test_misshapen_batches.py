"""A batch whose columns do not fit the contract is set aside like a damaged one (issue 25).

Before: `arrests` stored as text in one extra batch took every page down, and the public saw an
error naming a rollup path and the batch; a batch without `country_iso3` was counted silently.
Now the schema in each file's footer is checked when the batches are read: such a batch is left
out, `validate` and the Load reports page say why, the public pages serve the rest and name nothing.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kafo_data.ingest.validate import validate
from kafo_data.sample.seizures import synthetic, write_batch
from kafo_data.seizures import public
from kafo_data.store.batches import damaged_notices
from kafo_data.store.db import Database
from tests.conftest import open_app

BAD = {"report-text-arrests": "seizures.parquet: column arrests is string, not integer",
       "report-no-country": "seizures.parquet: column country_iso3 missing"}


@pytest.fixture(scope="module")
def misshapen(tmp_path_factory) -> Path:
    import shutil

    from tests.conftest import DATA

    root = tmp_path_factory.mktemp("misshapen") / "data"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("tmp", "rejected"))
    for k, batch in enumerate(BAD):
        seizures, items = synthetic(root, 120, seed=k)
        seizures = seizures.set_column(0, "seizure_id", pa.array([f"{batch}-{s}" for s in
                                                                   seizures.column("seizure_id").to_pylist()]))
        items = items.set_column(0, "seizure_id", pa.array([f"{batch}-{s}" for s in
                                                             items.column("seizure_id").to_pylist()]))
        path = write_batch(root, batch, seizures, items, {"kind": "report", "file": f"{batch}.csv"})
        if batch == "report-text-arrests":
            index = seizures.schema.get_field_index("arrests")
            seizures = seizures.set_column(index, "arrests", seizures.column("arrests").cast(pa.string()))
        else:
            seizures = seizures.drop_columns(["country_iso3"])
        pq.write_table(seizures, path / "seizures.parquet")
    return root


def test_the_database_serves_the_rest_and_names_each_misshapen_batch(misshapen):
    sample_events = pq.read_metadata(misshapen / "batches" / "sample" / "seizures.parquet").num_rows
    db = Database(misshapen)
    try:
        assert db.rows("SELECT count(*) FROM seizures")[0][0] == sample_events
        assert dict(db.damaged_batches()) == BAD
        assert public.summary(db, public.PublicFilters())["events"] is not None
    finally:
        db.close()


def test_validate_and_the_load_reports_page_say_why(misshapen):
    problems = validate(misshapen)
    for batch, why in BAD.items():
        assert f"batches/{batch}: set aside, not served ({why})" in problems
    notices = damaged_notices(misshapen, "en")
    assert len(notices) == 2 and all(any(b in n and w in n for n in notices) for b, w in BAD.items())


@pytest.mark.parametrize("page", ["pages/seizures.py", "pages/operations.py"])
def test_public_pages_serve_and_name_no_batch_path_or_file(misshapen, page, monkeypatch, clear_caches):
    monkeypatch.setenv("KAFO_DATA_DIR", str(misshapen))
    at = open_app(page, timeout=90, remote=True)  # not the starter's computer: public
    assert not at.error, [e.value for e in at.error]
    text = " ".join(str(getattr(e, "value", "")) for e in (*at.markdown, *at.caption, *at.warning, *at.info))
    assert "2 stored batch(es) cannot be read and are set aside" in text
    for batch in BAD:
        assert batch not in text
    assert str(misshapen) not in text and ".parquet" not in text and "rollup" not in text
