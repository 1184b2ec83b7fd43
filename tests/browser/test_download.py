"""The download button gives a file, and it is the file the command line writes, byte for byte.

A script and a person must get the same file for the same filters (README, "Command line"). The button is
clicked in a real browser (a download that never starts shows only there); the reference is
`python -m kafo_data export` run as a separate process on the server's own data directory.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import driver
from tests.browser.expected import counts

# These modules share the desktop window on one worker: it opens once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("desktop")]

LINK = "operation=KAFO-II&country=NER&country=MLI&category=firearms&from=2020-12-01&to=2020-12-05"
CLI_FILTERS = ["--operation", "KAFO-II", "--country", "NER", "--country", "MLI", "--category", "firearms",
               "--from", "2020-12-01", "--to", "2020-12-05"]


def cli_export(data_dir: Path, out: Path, *flags: str) -> bytes:
    result = subprocess.run(
        [sys.executable, "-m", "kafo_data", "export", "--data-dir", str(data_dir), *CLI_FILTERS, *flags,
         "-o", str(out)],
        cwd=driver.REPO, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"export failed: {result.stderr}"
    return out.read_bytes()


def click_download(window: driver.Window, starts_with: str, rows: int) -> tuple[str, bytes]:
    """Click the one download button; returns the file's suggested name and its bytes."""
    button = window.page.get_by_test_id("stDownloadButton").locator("button")
    label = driver.label_of(button)
    assert label.startswith(starts_with), f"download button reads {label!r}"
    assert re.search(rf"\b{rows}\b", label), f"{label!r} does not say {rows} rows"
    with window.page.expect_download(timeout=60_000) as started:
        button.click()
    download = started.value
    assert download.failure() is None, f"the download failed: {download.failure()}"
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_shared_link_then_csv_download_equals_the_command_line_export(
        desktop: driver.Window, server, tmp_path: Path) -> None:
    """The documented link form (repeated keys, ISO dates) shows every filter and applies it; the
    default download (CSV) is then the same bytes as `export`, and holds the rows counted apart."""
    wanted = counts(server.data_dir, ("KAFO-II",), ("MLI", "NER"), ("firearms",), "2020-12-01", "2020-12-05")
    page = desktop.page
    driver.open_page(page, server.url, "seizures", LINK)
    assert driver.chosen(page, "Operation") == ["KAFO II"]
    assert driver.chosen(page, "Country") == ["Mali", "Niger"]
    assert driver.chosen(page, "Category") == ["Firearms"]
    assert (driver.date_value(page, "From"), driver.date_value(page, "To")) == ("2020-12-01", "2020-12-05")
    assert driver.metrics(page) == wanted.shown()
    rows = wanted.lines
    name, data = click_download(desktop, "Download", rows)

    assert name.startswith("kafo_seizures_KAFO-II_MLI-NER_firearms") and name.endswith(".csv"), name
    assert data == cli_export(server.data_dir, tmp_path / "cli.csv", "--format", "csv")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(table) - 1 == rows


def test_french_excel_csv_download_equals_the_command_line_export(
        desktop: driver.Window, server, tmp_path: Path) -> None:
    """In French, the 'CSV for French Excel' choice: same bytes as `export --format csv-excel-fr --lang fr`."""
    rows = counts(server.data_dir, ("KAFO-II",), ("MLI", "NER"), ("firearms",), "2020-12-01", "2020-12-05").lines
    page = desktop.page
    driver.open_page(page, server.url, "seizures", LINK + "&lang=fr")
    formats = page.get_by_test_id("stRadio").filter(has_text=driver.text("export.format", "fr"))
    driver.rerun(page, formats.get_by_text(driver.text("export.format.csv-excel-fr", "fr"), exact=True).click)
    name, data = click_download(desktop, "Télécharger", rows)

    assert name.endswith(".csv"), name
    assert data == cli_export(server.data_dir, tmp_path / "cli-fr.csv", "--format", "csv-excel-fr", "--lang", "fr")
    assert data.decode("utf-8-sig").splitlines()[0].count(";") > 5, "not semicolon-separated"
