"""Chromium's own print of the pages (page.pdf at 1,400 px, print media) and a chart image taken away with filters set.

Print: no sidebar, no blank page, nothing cut at the paper's right edge (the rightmost band of every
printed page is white: a chart wider than the page would be cut there), the page's last words there
too, and body text at a reading size (the text size most of the printed characters have, read from the
PDF: a page scaled as a whole to the paper printed it at about 7.5 pt). The printed pages are rendered
to PNG (pdftoppm) under the artifacts' screenshots/print-* to be looked at. Chart image: the mode bar's
download gives a file named after the selection and what it shows.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.browser import driver

# These modules share the desktop window on one worker: it opens once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("desktop")]


def printed(page, name: str, tmp_path: Path) -> tuple[list[str], list[Path], Counter]:
    """The page printed to A4 as Chromium prints it: the text of each sheet, its PNG, and the number of
    characters printed at each text size (points, one decimal)."""
    from pypdf import PdfReader

    page.wait_for_timeout(1200)  # the scale-keeping script has measured the charts
    data = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    sizes: Counter = Counter()

    def count(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        sizes[round(size * abs(tm[3] * cm[3]), 1)] += len(text.strip())

    texts = [p.extract_text(visitor_text=count) for p in PdfReader(io.BytesIO(data)).pages]
    pngs: list[Path] = []
    if shutil.which("pdftoppm"):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                       check=True)
        driver.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for png in sorted(tmp_path.glob(f"{name}-*.png")):
            pngs.append(Path(shutil.copy(png, driver.SCREENSHOTS / f"print-{png.name}")))
    return texts, pngs, sizes


def right_band_ink(png: Path) -> float:
    """The share of non-white pixels in the sheet's rightmost 4 % (its margin and the content's last strip)."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(png).convert("L"), dtype=np.int16)
    band = rgb[:, int(rgb.shape[1] * 0.96):]
    return float((band < 200).mean())


@pytest.mark.parametrize("path", ["", "budget"])
def test_a_printed_page_has_no_sidebar_no_blank_sheet_and_nothing_cut(desktop: driver.Window, server, path,
                                                                       tmp_path: Path) -> None:
    page = desktop.page
    driver.open_page(page, server.url, path, "operation=KAFO-II")
    texts, pngs, sizes = printed(page, f"print-{path or 'overview'}", tmp_path)
    whole = "\n".join(texts)
    assert driver.text("filters.title", "en") not in whole, "the sidebar's filters are not printed"
    blank = [k + 1 for k, text in enumerate(texts) if not text.strip()]
    assert blank == [], f"blank sheets {blank} of {len(texts)}"
    assert "Cite this view as" in texts[-1], "the page is printed to its end"
    body = sizes.most_common(1)[0][0]
    assert body >= 9, f"body text prints at {body} pt: {sizes.most_common(5)}"
    for png in pngs:
        assert right_band_ink(png) < 0.01, f"something runs off the paper's right edge: {png}"


def test_a_chart_image_names_the_selection_in_its_title_and_file(desktop: driver.Window, server) -> None:
    page = desktop.page
    driver.open_page(page, server.url, "seizures", "operation=KAFO-II&country=NER")
    chart = driver.charts(page).first
    title = chart.locator(".gtitle").first.text_content() or ""
    assert "KAFO II · Niger" in title, title
    shown = chart.locator(".infolayer").first.text_content() or ""
    assert "Data as of" in shown and "slightly adjusted" not in shown, "a manager's counts are not adjusted"
    chart.hover()
    with page.expect_download(timeout=60_000) as started:
        chart.locator(".modebar-btn").first.click()
    name = started.value.suggested_filename
    assert name.startswith("kafo-ii_ner_") and name.endswith(".png"), name
    assert "-by-country" in name, name
