"""The upload page against a hostile or careless file (issue 17, items 1, 3 and 8 on the Load reports page)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from kafo_data.ingest import read
from kafo_data.ingest import seizures as ingest
from kafo_data.sample.seizures import synthetic, write_batch
from kafo_data.store import batches
from tests.fixtures.ingest import reports
from tests.pages.test_upload import isolated_data, open_upload

EVIL = "evil.example"
LINK = f"[click](http://{EVIL}/a)"
IMAGE = f"![x](http://{EVIL}/pixel.png)"
NAME = f"[click](https:{EVIL}).csv"


__all__ = ["isolated_data"]  # the upload tests' fixture (autouse: every test here on a copy of data/)


def rendered_markdown(at: AppTest) -> list[str]:
    """The text of every element Streamlit renders as Markdown, with code spans (plain text) taken out."""
    texts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader"):
        texts += [str(e.value) for e in getattr(at, kind)]
    return [re.sub(r"(`+)(.+?)\1", "", t, flags=re.S) for t in texts]


def markup(text: str) -> bool:
    """Whether Markdown would make a link, an image or LaTeX of this text (an escaped mark makes nothing)."""
    return "](" in text or "$$" in text or f"http://{EVIL}" in text or f"https:{EVIL}" in text


def hostile_report() -> bytes:
    header = [*reports.FR_HEADER, IMAGE]
    rows = [[*r, ""] for r in reports.french_rows(bad=False)[:3]]
    rows.append(["X-9", "KAFO II", "05/12/2020", "Burkina Faso", "Sahel", "$$\\href{http://evil.example}{x}$$",
                 "Police", "", LINK, "1", "", "0", "", "", "", IMAGE])
    return reports.to_csv(header, rows, ";", totals=False, blank_between=False).encode("utf-8")


def test_file_name_headers_cells_and_reasons_from_the_file_are_never_markup(isolated_data):
    at = open_upload()
    at.file_uploader[0].set_value((NAME, hostile_report(), "text/csv")).run()
    assert not at.exception
    assert [int(m.value) for m in at.metric][:4] == [4, 3, 0, 1]  # read, accepted, already loaded, rejected
    assert not at.table, "st.table renders Markdown in cells"
    findings = at.dataframe[0].value.iloc[:, 0].tolist()
    assert any(LINK in f for f in findings) and any(IMAGE in f for f in findings), "shown as received, as text"
    assert not [t for t in rendered_markdown(at) if markup(t)]

    next(b for b in at.button if b.label.startswith("Store the")).click().run()
    assert not at.exception
    assert any(EVIL in s.value.replace("\\", "") for s in at.success), "the file name is named, as text"
    assert not [t for t in rendered_markdown(at) if markup(t)]
    assert NAME in at.dataframe[-1].value.iloc[:, 1].tolist(), "the stored batches, as text"


def test_the_file_is_planned_once_not_at_every_rerun(isolated_data, monkeypatch):
    calls = []
    real = ingest.plan
    monkeypatch.setattr(ingest, "plan", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    at = open_upload()
    at.file_uploader[0].set_value(("r.csv", reports.french_csv(), "text/csv")).run()
    at.checkbox(key="upload_strict").check().run()
    at.checkbox(key="upload_strict").uncheck().run()
    assert not at.exception and calls == ["r.csv"]
    at.selectbox(key="upload_country").set_value("BFA").run()
    assert calls == ["r.csv", "r.csv"], "another default is another plan"


def test_a_file_over_the_size_cap_is_refused_without_being_read(isolated_data, monkeypatch):
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 1000)
    calls = []
    monkeypatch.setattr(ingest, "plan", lambda *a, **k: calls.append(a[1]))
    at = open_upload()
    at.file_uploader[0].set_value(("big.csv", b"x;" * 1000, "text/csv")).run()
    assert not at.exception and calls == []
    assert any("at most" in e.value and "split it" in e.value for e in at.error)


def test_a_damaged_batch_is_named_on_the_page_and_can_be_removed(isolated_data):
    seizures, items = synthetic(isolated_data, 100, seed=2)
    write_batch(isolated_data, "report-bad", seizures, items, {"kind": "report", "file": "r.csv"})
    path = isolated_data / "batches" / "report-bad" / "seizures.parquet"
    path.write_bytes(path.read_bytes()[:100])
    at = open_upload()
    assert any("report-bad" in w.value for w in at.warning)
    at.selectbox(key="remove_id").set_value("report-bad")
    at.checkbox(key="remove_sure").check()
    next(b for b in at.button if b.label == "Remove batch").click().run()
    assert not at.exception
    assert [b.batch_id for b in batches.list_batches(isolated_data)] == ["sample"]
    assert not any("report-bad" in w.value for w in at.warning)
