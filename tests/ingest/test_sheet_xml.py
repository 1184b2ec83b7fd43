"""The fast sheet reader gives openpyxl's rows, value for value and type for type, or leaves the sheet to openpyxl.

Each workbook is written by hand (the XML Excel, LibreOffice and other writers produce, and odd shapes),
and read both ways: `read._sheet_values` (sheet_xml, falling back to openpyxl) against openpyxl's own
read-only `iter_rows`, the reference the ingest was built on.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from openpyxl.reader.strings import read_string_table

from kafo_data.ingest import read, sheet_xml

# openpyxl, the oracle here, says so when it reads the deliberately bare or out-of-range workbooks these tests write.
pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style:UserWarning",
                                        "ignore:Cell .* is marked as a date:UserWarning")

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLES = (f'<styleSheet xmlns="{NS}"><numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy hh:mm"/>'
          '<numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="0.00"/></numFmts>'
          '<fonts count="1"><font/></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
          '<borders count="1"><border/></borders>'
          '<cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/>'
          '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="20"/></cellXfs></styleSheet>')
STRINGS = ["N° saisie", "Désignation", "Quantité", "a &amp; b", "x005F_x000D_ cut", "  spaced  "]
RICH_SI = '<si><r><rPr><b/><sz val="11"/></rPr><t>gras</t></r><r><t xml:space="preserve"> et</t></r></si>'
PHONETIC_SI = '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>'
EXCEL = (  # as Excel writes: references, styles, shared strings, a gap in rows and columns
    '<row r="1" spans="1:6"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>'
    '<c r="D1" t="s"><v>6</v></c><c r="E1" t="s"><v>7</v></c><c r="F1" t="s"><v>8</v></c></row>'
    '<row r="2"><c r="A2" s="1"><v>44197</v></c><c r="B2" s="2"><v>44197.5</v></c><c r="C2" s="3"><v>1.25</v></c>'
    '<c r="D2" s="4"><v>3.5</v></c><c r="E2" s="5"><v>0.75</v></c><c r="F2" t="b"><v>1</v></c></row>'
    '<row r="4"><c r="A4" t="e"><v>#N/A</v></c><c r="C4" t="str"><f>A1&amp;B1</f><v>ab</v></c>'
    '<c r="D4" t="inlineStr"><is><t>en ligne</t></is></c><c r="F4"><v>12345678901234567890</v></c></row>'
    '<row r="5"><c r="A5" t="s"><v>3</v></c><c r="B5" t="s"><v>4</v></c><c r="C5" t="s"><v>5</v></c>'
    '<c r="D5"><v>1.5E3</v></c><c r="E5" t="d"><v>2021-01-02T03:04:05</v></c><c r="F5"><v>-0</v></c></row>'
    '<row r="6"><c r="A6" t="inlineStr"><is><r><rPr><i/></rPr><t>riche</t></r><r><t> texte</t></r></is></c>'
    '<c r="B6" t="str"><v>&#233;&#x1F600;</v></c><c r="C6" t="str"><v>line&#13;\r\nnext\rend</v></c><c r="D6"/>'
    '<c r="E6"><v/></c><c r="F6" t="s" s="0"><v>6</v></c></row>'
)
CASES = {
    "excel": ("A1:F6", EXCEL, True),
    "no references": ("A1:C3", "<row><c><v>1</v></c><c t=\"s\"><v>0</v></c><c/><c><v>2</v></c></row>"
                      "<row/><row><c r=\"B3\"><v>5</v></c><c><v>6</v></c></row>", True),
    "no dimension": (None, '<row r="2"><c r="C2"><v>7</v></c></row>', True),
    "lying dimension": ("A1:B2", '<row r="1"><c r="A1"><v>1</v></c><c r="D1"><v>9</v></c></row>'
                        '<row r="2"><c r="A2"><v>2</v></c></row><row r="3"><c r="A3"><v>3</v></c></row>', True),
    "damage in a row left out": ("A1:A3", '<row r="2"><c r="A2"><v>2</v></c></row><row r="1"><c r="A1"><v>1</v>'
                                 '</c><c r="x:A1"/></row>', False),
    "rows out of order": ("A1:A5", '<row r="2"><c r="A2"><v>2</v></c></row><row r="2"><c r="A2"><v>3</v></c>'
                          '</row><row r="1"><c r="A1"><v>1</v></c></row><row r="4"><c r="A4"><v>4</v></c></row>',
                          True),
    "a cell written twice": ("A1:B1", '<row r="1"><c r="A1"><v>1</v></c><c r="A1"/><c r="B1"><v>2</v></c>'
                             '<c r="B1"><v>3</v></c></row>', True),
    "attributes in another order": ("A1:B1", "<row r='1'><c s='1' t='n' r='B1'><v>44000</v></c>"
                                    '<c t="s" r="A1" ><v>2</v></c></row>', True),
    "rich and phonetic strings": ("A1:B1", '<row r="1"><c r="A1" t="s"><v>9</v></c><c r="B1" t="s"><v>10</v></c>'
                                  '</row>', True),
    "comment among cells": ("A1:A1", '<row r="1"><!-- x --><c r="A1"><v>1</v></c></row>', False),
    "CDATA value": ("A1:A1", '<row r="1"><c r="A1" t="str"><v><![CDATA[a<b]]></v></c></row>', False),
    "date out of range": ("A1:A1", '<row r="1"><c r="A1" s="1"><v>9999999999</v></c></row>', False),
    "reference in lower case": ("A1:A1", '<row r="1"><c r="a1"><v>1</v></c></row>', False),
    "numbers after the cells": ("A1:A1", '<row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetData>'
                                '<row r="2"><c r="A2"><v>2</v></c></row>', False),
}


EXCEL_ROOT = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
              'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"')


def workbook(dimension: str | None, rows: str, date1904: bool = False, prefix: str = "", root: str = "") -> bytes:
    """A one-sheet workbook with STYLES, STRINGS (+ a rich and a phonetic one) and `rows` as its cells."""
    p = f"{prefix}:" if prefix else ""
    sheet = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet '
             f'xmlns{":" + prefix if prefix else ""}="{NS}" {root}>'
             + (f'<{p}dimension ref="{dimension}"/>' if dimension else "")
             + f"<{p}sheetData>{rows}</{p}sheetData><{p}mergeCells count=\"0\"/></{p}worksheet>")
    sst = (f'<sst xmlns="{NS}" count="11">' + "".join(f"<si><t>{s}</t></si>" for s in STRINGS)
           + '<si><t xml:space="preserve"> Pays </t></si><si><t/></si><si/>' + RICH_SI + PHONETIC_SI + "</sst>")
    ct = ("application/vnd.openxmlformats-officedocument.spreadsheetml.", "application/vnd.openxmlformats-package.")
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="{ct[1]}relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        f'ContentType="{ct[0]}sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{ct[0]}worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{ct[0]}sharedStrings+xml"/><Override PartName="/xl/styles.xml" '
        f'ContentType="{ct[0]}styles+xml"/></Types>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships"><workbookPr date1904="{int(date1904)}"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>',
        "xl/styles.xml": STYLES, "xl/sharedStrings.xml": sst, "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return out.getvalue()


def both_ways(data: bytes) -> tuple[list, list, bool]:
    """(rows read by the ingest, rows read by openpyxl, whether sheet_xml read them itself)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = read._get_size
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    width = min(ws.max_column, 101) if isinstance(ws.max_column, int) else 101
    reference = outcome(ws.iter_rows(min_row=1, min_col=1, max_col=width, values_only=True))
    ours = read._load_workbook(data).worksheets[0]
    got = outcome(read._sheet_values(ours, width))
    try:
        list(sheet_xml.sheet_rows(wb._archive, ws._worksheet_path, ws._shared_strings, width=width, max_row=ws.max_row,
                                  date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats,
                                  epoch=wb.epoch))
        fast = True
    except sheet_xml.NotPlain:
        fast = False
    return got, reference, fast


def outcome(rows) -> list:
    """The rows, or the error reading them stopped with (a damaged sheet must stop both readers alike)."""
    try:
        return list(rows)
    except Exception as exc:
        return [("error", type(exc).__name__, str(exc))]


def typed(rows: list) -> list:
    return [[(type(v).__name__, v) for v in row] for row in rows]


@pytest.mark.parametrize("name", list(CASES))
def test_rows_are_openpyxls_rows(name):
    dimension, rows, plain = CASES[name]
    got, reference, fast = both_ways(workbook(dimension, rows))
    assert typed(got) == typed(reference)
    assert fast is plain, "read by sheet_xml" if fast else "left to openpyxl"


def test_excels_row_attributes_keep_the_fast_path_and_an_undeclared_prefix_does_not():
    rows = EXCEL.replace('<row r="2">', '<row r="2" x14ac:dyDescent="0.25">')
    got, reference, fast = both_ways(workbook("A1:F6", rows, root=EXCEL_ROOT))
    assert typed(got) == typed(reference) and fast
    got, reference, fast = both_ways(workbook("A1:F6", rows))
    assert typed(got) == typed(reference) and not fast and got[0][0] == "error"


def test_dates_in_1904_workbooks_and_prefixed_sheets_match_too():
    got, reference, fast = both_ways(workbook("A1:F6", EXCEL, date1904=True))
    assert typed(got) == typed(reference) and fast and got[1][0] != both_ways(workbook("A1:F6", EXCEL))[0][1][0]
    prefixed = EXCEL.replace("<row", "<x:row").replace("</row", "</x:row").replace("<c ", "<x:c ").replace(
        "</c>", "</x:c>").replace("<v", "<x:v").replace("</v>", "</x:v>")
    got, reference, fast = both_ways(workbook("A1:F6", prefixed, prefix="x"))
    assert typed(got) == typed(reference) and not fast and got[1][0] is not None


def test_a_sheet_declaring_too_few_rows_is_read_whole(data_copy):
    from kafo_data.ingest import seizures
    from tests.fixtures.ingest import reports

    data, out = reports.french_xlsx(), io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as z:
        for info in zin.infolist():
            part = zin.read(info.filename)
            z.writestr(info, part.replace(b'<dimension ref="A1:O16"', b'<dimension ref="A1:O6"'))
    assert out.getvalue() != data
    whole, lying = (seizures.plan(data_copy, "r.xlsx", d) for d in (data, out.getvalue()))
    assert len(lying.rows) == len(whole.rows) == reports.GOOD_ROWS


def test_shared_strings_are_openpyxls():
    z = zipfile.ZipFile(io.BytesIO(workbook("A1:A1", "")))
    strings = sheet_xml.shared_strings(z, "xl/sharedStrings.xml")
    assert strings == read_string_table(z.open("xl/sharedStrings.xml"))
    assert strings[3] == "a & b" and strings[4] == "x000D_ cut" and strings[9] == "gras et" and strings[10] == "東京"
