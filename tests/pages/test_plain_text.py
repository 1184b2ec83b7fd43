"""Text from data shows as received on every page: Markdown, LaTeX, HTML and addresses stay inert."""

from __future__ import annotations

import json
import re

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from kafo_data.ui.page import TWINS
from tests.conftest import as_shown, open_app

PAGES = ["pages/overview.py", "pages/seizures.py", "pages/operations.py", "pages/budget.py",
         "pages/data_sources.py"]
HOSTILE = {
    "locality": "[official site](https://evil.example/a)",
    "admin1": "![x](http://evil.example/pixel.png)",
    "source": "# $\\sqrt{2}$ <b>bold</b> :red[red] www.evil.example",
}


@pytest.fixture
def hostile_data(data_copy):
    """The shipped sample with its places and sources replaced by Markdown, LaTeX and HTML."""
    batch = data_copy / "batches" / "sample"
    table = pq.read_table(batch / "seizures.parquet")
    for column, text in HOSTILE.items():
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, pa.array([text] * table.num_rows, pa.string()))
    pq.write_table(table, batch / "seizures.parquet")
    meta = json.loads((batch / "batch.json").read_text(encoding="utf-8"))
    meta["file"] = "rapport [cliquez ici](https://evil.example/f).csv"
    (batch / "batch.json").write_text(json.dumps(meta), encoding="utf-8")
    return data_copy


def _markdown_values(at: AppTest) -> list[str]:
    """Every value of the page that Streamlit renders as Markdown."""
    values = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                                   "header", "subheader") for e in at.get(kind)]
    for table in at.table:
        values += [str(c) for c in table.value.columns]
        values += [str(v) for v in table.value.to_numpy().ravel()]
    return values


@pytest.mark.parametrize("page", PAGES)
def test_hostile_text_in_the_data_is_never_rendered(page, hostile_data, monkeypatch, clear_caches):
    monkeypatch.setenv("KAFO_DATA_DIR", str(hostile_data))
    at = open_app(page, session=dict.fromkeys(TWINS, True), timeout=90)  # twins open: cells as received too
    values = _markdown_values(at)
    for raw in [*HOSTILE.values(), "cliquez ici](https://evil.example"]:
        assert not any(raw in v for v in values), f"{raw!r} would be rendered as Markdown on {page}"
    shown = "\n".join(as_shown(v) for v in values)
    for v in values:  # no link but our own sources' (`ui.link`), no bare address Markdown would link
        rest = re.sub(r"\]\(<https?://[^>\s]*>\)", "", v)
        rest = re.sub(r"\[([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\]\(mailto:\1\)", "", rest)  # ui.budget.email_link
        assert not re.search(r"(?<!\\)\]\(", rest) and "://" not in rest, v
    if page == "pages/seizures.py":
        assert HOSTILE["locality"] in shown  # the place is shown, as received
