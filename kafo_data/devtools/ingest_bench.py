"""Peak memory, time and CPU time of `ingest --dry-run` on hostile and large inputs (issues 17 and 25).

    python -m kafo_data.devtools.ingest_bench                  # CSVs up to the row cap, 9.5 and 50 MB, an xlsx bomb
    python -m kafo_data.devtools.ingest_bench --stored /tmp/big10m  # + a 3-row dry run against those lines

Every file is generated at run time in a temporary folder (nothing is committed), and each
dry run is its own process, so each peak memory (ru_maxrss) is that run's alone. `--stored DIR`
takes a data directory made by `python -m kafo_data sample --rows N --out DIR` and presents its
synthetic batch as a report batch (symlinks, nothing copied): the sample is never compared for
duplicates, a report batch is, so this is the case where stored data could slow planning down.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from kafo_data.config import REPO_DIR, data_dir

HEADER = "N° saisie;Opération;Date de saisie;Pays;Localité;Service;Désignation;Quantité;Unité;Interpellations\r\n"
ROW = "BF-{n};KAFO II;0{d}/12/2020;Burkina Faso;Dori;Police;cartouches;{q};;0\r\n"

_RUNNER = """
import json, resource, sys, time
from kafo_data.cli import main
start, cpu = time.perf_counter(), time.process_time()
code = main(sys.argv[1:])
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
usage = resource.getrusage(resource.RUSAGE_SELF)
sys.stdout.flush()
print(json.dumps({"code": code, "seconds": elapsed, "cpu": cpu,
                  "peak_mb": usage.ru_maxrss / 1024}), file=sys.stderr)
"""


def make_csv(path: Path, size_mb: float) -> int:
    """A French report of about `size_mb` MB; returns its rows."""
    target = int(size_mb * 2**20)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        written = len(HEADER.encode())
        while written < target:
            line = ROW.format(n=rows, d=1 + rows % 6, q=1 + rows % 97)
            fh.write(line)
            written += len(line.encode())
            rows += 1
    return rows


_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
               'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def _workbook_parts() -> dict[str, str]:
    """Every part of a one-sheet workbook but the sheet itself."""
    return {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook'
        '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
        '.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Rapport" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }


def make_bomb(path: Path, unpacked_mb: int = 311) -> None:
    """An .xlsx whose one sheet unpacks to `unpacked_mb` MB of rows (about 1.5 MB packed)."""
    from kafo_data.ingest.read import MAX_XLSX_UNPACKED  # noqa: F401 - the cap the bomb must pass

    head = _SHEET_HEAD
    row = '<row><c t="inlineStr"><is><t>cartouches</t></is></c><c><v>1</v></c></row>'
    files = _workbook_parts()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in files.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head.encode())
            chunk = (row * 10_000).encode()
            for _ in range(unpacked_mb * 2**20 // len(chunk)):
                fh.write(chunk)
            fh.write(b"</sheetData></worksheet>")


def make_wide_xlsx(path: Path, rows: int = 50_000, columns: int = 80) -> None:
    """A report within every stated limit that unpacks large: `rows` rows of `columns` cells (issue 25).

    The ten report columns, then columns of remarks: under 1 MB packed, about 60 MB of sheet XML at
    50,000 x 80 (the issue's file: 173 KB, 60.5 MB), what a workbook with many filled columns can be.
    """
    header = [h for h in HEADER.strip().split(";")] + [f"Remarque {k}" for k in range(columns - 10)]

    strings: dict[str, int] = {}

    def cell(value: object) -> str:  # no cell references: readers place cells in order; text as shared strings
        if isinstance(value, int):
            return f"<c><v>{value}</v></c>"
        return f'<c t="s"><v>{strings.setdefault(str(value), len(strings))}</v></c>'

    files = _workbook_parts()
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace("</Types>", (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>'))
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace("</Relationships>", (
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, text in files.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(_SHEET_HEAD.encode())
            fh.write(("<row>" + "".join(cell(h) for h in header) + "</row>").encode())
            rest = "".join(cell(7) for _ in range(columns - 10))
            for n in range(rows):
                values = [f"BF-{n}", "KAFO II", f"0{1 + n % 6}/12/2020", "Burkina Faso", "Dori", "Police",
                          "cartouches", 1 + n % 97, "pièces", 0]
                fh.write(("<row>" + "".join(cell(v) for v in values) + rest + "</row>").encode())
            fh.write(b"</sheetData></worksheet>")
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http:'
                   f'//schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" uniqueCount='
                   f'"{len(strings)}">' + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>")


def stored_as_report(source: Path, work: Path) -> Path:
    """A data directory whose only batch is `source`'s synthetic one, presented as a report batch."""
    root = work / "stored"
    root.mkdir()
    for folder in ("reference", "built"):
        (root / folder).symlink_to((source / folder).resolve())
    batch = root / "batches" / "20200101-000000-00000000"
    batch.mkdir(parents=True)
    for name in ("seizures.parquet", "seized_items.parquet"):
        (batch / name).symlink_to((source / "batches" / "sample" / name).resolve())
    meta = json.loads((source / "batches" / "sample" / "batch.json").read_text(encoding="utf-8"))
    meta.update(kind="report", is_sample=False, batch_id=batch.name, sha256="0" * 64)
    (batch / "batch.json").write_text(json.dumps(meta), encoding="utf-8")
    return root


def dry_run(root: Path, path: Path, kind: str = "seizures") -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR)}
    proc = subprocess.run([sys.executable, "-c", _RUNNER, "ingest", str(path), "--dry-run", "--kind", kind,
                           "--data-dir", str(root)], capture_output=True, text=True, env=env, cwd=REPO_DIR)
    figures = json.loads(proc.stderr.strip().splitlines()[-1])
    lines = [ln for ln in (proc.stdout + proc.stderr).strip().splitlines() if not ln.startswith("{")]
    figures["says"] = lines[-1][:150] if lines else ""
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kafo_data.devtools.ingest_bench", description=__doc__)
    parser.add_argument("--csv-mb", type=float, nargs="*", default=[0.5, 1, 2, 3.3, 9.5, 50])
    parser.add_argument("--bomb-mb", type=int, default=311, help="unpacked size of the xlsx bomb (0: none)")
    parser.add_argument("--stored", type=Path, help="a data directory made by `sample --rows N --out DIR`")
    parser.add_argument("--wide-rows", type=int, default=50_000,
                        help="rows of the wide .xlsx (80 columns; 0: none), issue 25's case")
    args = parser.parse_args(argv)
    root = data_dir()
    print(f"{'case':<46} {'size':>9} {'exit':>4} {'seconds':>8} {'CPU s':>6} {'peak MB':>8} {'load':>5}  says")
    with tempfile.TemporaryDirectory(prefix="kafo-ingest-bench-") as tmp:
        work = Path(tmp)
        for mb in args.csv_mb:
            path = work / f"report-{mb}MB.csv"
            rows = make_csv(path, mb)
            _show(f"CSV, {rows:,} rows", path, dry_run(root, path))
            path.unlink()
        if args.bomb_mb:
            path = work / "bomb.xlsx"
            make_bomb(path, args.bomb_mb)
            _show(f"xlsx bomb (sheet unpacks to {args.bomb_mb} MB)", path, dry_run(root, path))
        if args.wide_rows:
            path = work / "wide.xlsx"
            make_wide_xlsx(path, args.wide_rows)
            with zipfile.ZipFile(path) as z:
                unpacked = sum(i.file_size for i in z.infolist()) / 2**20
            _show(f"xlsx {args.wide_rows:,} rows x 80 ({unpacked:.1f} MB unpacked)", path, dry_run(root, path))
        if args.stored:
            stored = stored_as_report(args.stored, work)
            import pyarrow.parquet as pq

            lines = pq.read_metadata(stored / "batches" / "20200101-000000-00000000" / "seized_items.parquet").num_rows
            path = work / "three.csv"
            path.write_text(HEADER + "".join(ROW.format(n=n, d=n + 1, q=5) for n in range(3)), encoding="utf-8")
            _show(f"3-row CSV, {lines:,} stored report lines", path, dry_run(stored, path))
            shutil.rmtree(stored)
    return 0


def _show(case: str, path: Path, figures: dict) -> None:
    size = path.stat().st_size / 2**20
    print(f"{case:<46} {size:>6.1f} MB {figures['code']:>4} {figures['seconds']:>8.2f} {figures['cpu']:>6.2f} "
          f"{figures['peak_mb']:>8.0f} {os.getloadavg()[0]:>5.1f}  {figures['says']}")


if __name__ == "__main__":
    sys.exit(main())
