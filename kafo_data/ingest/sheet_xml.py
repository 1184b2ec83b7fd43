"""A worksheet's cells read from its XML with regular expressions, giving exactly openpyxl's values.

openpyxl builds an element per cell and runs Python per element: 50,000 rows x 80 cells took 14 s to
plan, 60 % of it in XML parsing (issue 25). Workbooks as Excel, LibreOffice and openpyxl write them have
one plain shape inside <sheetData>: rows of `<c r=".." s=".." t=".."><v>..</v></c>`. This module reads
that shape a row at a time with compiled patterns and gives what openpyxl's read-only, values-only
mode gives: the same types, dates by the cell style's number format, shared and inline strings, gaps
in rows and columns, the rows cut where the caller says the sheet ends (`max_row`).

Whatever falls outside that shape (a comment or CDATA among the cells, a prefix, an entity in an
attribute, a value openpyxl would turn into an error or a warning) raises `NotPlain`, and the caller
reads the workbook with openpyxl instead: this reader answers only where openpyxl's answer is certain.
Everything around <sheetData> and <sst> is read by openpyxl's own parsers, so a damaged part, or one
openpyxl refuses, is refused the same way; rich text is read by openpyxl's `Text`.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO
from xml.etree import ElementTree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CHUNK = 2**20
_MAX_HEAD = 4 * _CHUNK  # bytes before <sheetData> or the first <si>
_MAX_PENDING = 8 * _CHUNK  # characters of one row or one string still without its end tag
_MAX_TAIL = 16 * _CHUNK  # bytes after </sheetData> or </sst>, read by openpyxl


class NotPlain(Exception):
    """The part has a shape this reader does not take on: read the workbook with openpyxl."""


_NAME = r"[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?"
_ATTR = r"\s+" + _NAME + r"""\s*=\s*(?:"[^"<&]*"|'[^'<&]*')"""
_ATTR_PARTS = re.compile(r"\s+(" + _NAME + r""")\s*=\s*(?:"([^"<&]*)"|'([^'<&]*)')""")
_BAD = r"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_TEXT = rf"[^<&{_BAD}]*+(?:&(?:#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);[^<&{_BAD}]*+)*+"
_F = rf"<f(?:{_ATTR})*+\s*(?:/>|>{_TEXT}</f>)"
_T_ANY = rf"<t(?:{_ATTR})*+\s*(?:/>|>{_TEXT}</t>)"
_RPR = rf"<rPr(?:{_ATTR})*+\s*(?:/>|>(?:\s*+<[A-Za-z_][\w.-]*(?:{_ATTR})*+\s*/>)*+\s*</rPr>)"
_INLINE = (rf"(?:\s*+(?:{_T_ANY}|<r>\s*(?:{_RPR}\s*)?{_T_ANY}\s*</r>|<rPh(?:{_ATTR})*+\s*>\s*{_T_ANY}\s*</rPh>"
           rf"|<phoneticPr(?:{_ATTR})*+\s*/>))*+\s*+")
_BODY = rf"(?:\s*+(?:<v>{_TEXT}</v>|<v\s*/>|{_F}|<is>{_INLINE}</is>))*+\s*+"
_ROW_BODY = re.compile(rf"(?:\s*+<c(?:{_ATTR})*+\s*(?:/>|>{_BODY}</c>))*+\s*+", re.S)
_CELL = re.compile(rf"""<c(?:\s+r="([A-Z]{{1,3}})[1-9][0-9]*")?((?:{_ATTR})*)\s*"""
                   r"(?:/>|><v>([^<]*)</v></c>|>(.*?)</c>)", re.S)
_CHILD = re.compile(rf"\s*(?:<v>({_TEXT})</v>|(<v\s*/>)|{_F}|<is>({_INLINE})</is>)", re.S)
_ROW_START = re.compile(rf"\s*<row((?:{_ATTR})*)\s*(/?)>")
_SHEET_END = re.compile(r"\s*</sheetData\s*>")
_REF = re.compile(r"([A-Z]{1,3})[1-9][0-9]*")
_PLAIN_T = re.compile(rf'\s*<t(?: xml:space="preserve")?>({_TEXT})</t>\s*')
_SI = re.compile(r"\s*<si>(.*?)</si>|\s*<si\s*/>", re.S)
_SST_END = re.compile(r"\s*</sst\s*>")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_SHEET_DATA = re.compile(rb"<sheetData\b[^<>]*>")
_SST = re.compile(rb"<sst\b[^<>]*>")
_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_ROOT = re.compile(rb"<(?![?!])([A-Za-z_][\w.:-]*)")
_PREFIXES = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=")


def shared_strings(archive: zipfile.ZipFile, path: str) -> list[str]:
    """The workbook's shared strings, as openpyxl's `read_string_table` gives them."""
    from openpyxl.reader.strings import read_string_table

    try:
        with archive.open(path) as fh:
            head, body, empty = _head(fh, _SST)
            _opens(head, "sst")
            strings: list[str] = []
            if empty:
                _outside(head + body + fh.read(_MAX_TAIL), lambda doc: read_string_table(io.BytesIO(doc)))
                return strings
            for part, tail in _elements(fh, body, _SI, _SST_END):
                if part is None:
                    _outside(head + tail, lambda doc: read_string_table(io.BytesIO(doc)))
                    return strings
                strings.append(_rich(part.group(1) or "").replace("x005F_", ""))
    except NotPlain:
        raise
    except Exception as exc:  # whatever openpyxl would say of it, it says it when it reads the part itself
        raise NotPlain(str(exc)) from exc
    raise NotPlain("no </sst>")


def sheet_rows(archive: zipfile.ZipFile, path: str, strings: Sequence[str], *, width: int,
               max_row: int | None, date_formats: set[int], timedelta_formats: set[int],
               epoch: object) -> Iterator[tuple[object, ...]]:
    """The sheet's rows from row 1 as `ws.iter_rows(min_row=1, max_col=width, values_only=True)` gives them."""
    from openpyxl.worksheet._reader import WorkSheetParser

    def check(doc: bytes) -> None:
        for _ in WorkSheetParser(io.BytesIO(doc), strings, data_only=True).parse():
            raise NotPlain("a row outside <sheetData>")

    blank = (None,) * width
    cells = _Cells(strings, width, date_formats, timedelta_formats, epoch)
    counter = 1
    try:
        with archive.open(path) as fh:
            head, body, empty = _head(fh, _SHEET_DATA)
            _opens(head, "sheetData")
            if empty:
                _outside(head + body + fh.read(_MAX_TAIL), check)
                return
            root = _ROOT.search(head)
            if root is None:
                raise NotPlain("no root element")
            _outside(head + b"</sheetData></" + root.group(1) + b">", check)
            cells.bound = {"xml", *(m.decode() for m in _PREFIXES.findall(head))}
            row_counter = 0
            for part, tail in _elements(fh, body, _ROW_START, _SHEET_END, "</row>"):
                if part is None:
                    _outside(head + tail, check)
                    return
                row_counter = _row_number(part.group(1), row_counter, cells.bound)
                values = cells.row(part.group(3) or "") if not part.group(2) else blank  # read even if not given
                if max_row is not None and row_counter > max_row:
                    # openpyxl stops here, or refuses damage its read-ahead meets beyond: it decides
                    raise NotPlain("rows past the sheet's declared size")
                while counter < row_counter:
                    counter += 1
                    yield blank
                if counter == row_counter:
                    counter += 1
                    yield values
    except NotPlain:
        raise
    except Exception as exc:  # whatever openpyxl would say of it, it says it when it reads the sheet itself
        raise NotPlain(str(exc)) from exc
    raise NotPlain("no </sheetData>")


def _head(fh: IO[bytes], start: re.Pattern[bytes]) -> tuple[bytes, bytes, bool]:
    """The bytes up to and including the container's start tag, those after it, and whether it is empty."""
    head = b""
    while not (found := start.search(head)):
        chunk = fh.read(64 * 1024)
        if not chunk or len(head) > _MAX_HEAD:
            raise NotPlain("no container element")
        head += chunk
    declared = _ENCODING.match(head)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise NotPlain("not UTF-8")
    if b"<!" in head[:found.start()]:
        raise NotPlain("a declaration or a comment")
    return head[:found.end()], head[found.end():], found.group().endswith(b"/>")


def _elements(fh: IO[bytes], first: bytes, start: re.Pattern[str], end: re.Pattern[str],
              close: str | None = None) -> Iterator[tuple[re.Match[str] | None, bytes]]:
    """Each element in the container, as a match of `start` (and its body up to `close`), then (None, tail)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    buf, pos, eof = decoder.decode(first), 0, False
    while True:
        m = start.match(buf, pos)
        if m is not None and close is not None and not m.group(2):
            stop = buf.find(close, m.end())
            if stop >= 0:
                m = _Row(m, buf[m.end():stop])
                pos = stop + len(close)
                yield m, b""
                continue
            m = None
        elif m is not None:
            pos = m.end()
            yield m, b""
            continue
        finished = end.match(buf, pos)
        if finished is not None:
            tail = buf[pos:].encode("utf-8") + decoder.getstate()[0] + fh.read(_MAX_TAIL + 1)
            if len(tail) > _MAX_TAIL:
                raise NotPlain("a long tail")
            yield None, tail
            return
        if eof or len(buf) - pos > _MAX_PENDING:
            raise NotPlain("an element of another shape")
        chunk = fh.read(_CHUNK)
        eof = not chunk
        buf = buf[pos:] + decoder.decode(chunk, final=eof)
        pos = 0


def _opens(head: bytes, name: str) -> None:
    """The head ends by opening `name` in the spreadsheet namespace, so the unprefixed elements inside are in it
    too (elsewhere openpyxl finds no rows or strings at all)."""
    parser = ElementTree.XMLPullParser(events=("start",))
    parser.feed(head)
    last = None
    for _, element in parser.read_events():
        last = element.tag
    if last != f"{{{MAIN_NS}}}{name}":
        raise NotPlain(f"<{name}> not in the spreadsheet namespace")


class _Row:
    """A row's start tag match with its body: groups 1 (attributes), 2 ('/' if empty) and 3 (body)."""

    __slots__ = ("_body", "_m")

    def __init__(self, m: re.Match[str], body: str) -> None:
        self._m, self._body = m, body

    def group(self, k: int) -> str:
        return self._body if k == 3 else self._m.group(k)


def _outside(doc: bytes, check: Callable[[bytes], object]) -> None:
    """What lies around the cells, read by openpyxl: a part it refuses is not read here either."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if check(doc):
                raise NotPlain("strings outside <sst>")
    except NotPlain:
        raise
    except Exception as exc:
        raise NotPlain(str(exc)) from exc


def _attributes(text: str, bound: set[str]) -> dict[str, str]:
    """An element's attributes; a repeated one, a namespace declaration or a prefix not declared are not plain."""
    found: dict[str, str] = {}
    for m in _ATTR_PARTS.finditer(text):
        name = m.group(1)
        if name in found or name.startswith("xmlns") or (":" in name and name.split(":", 1)[0] not in bound):
            raise NotPlain("a repeated attribute, a namespace or an unknown prefix")
        found[name] = m.group(2) if m.group(2) is not None else m.group(3)
    return found


def _row_number(text: str, previous: int, bound: set[str]) -> int:
    r = _attributes(text, bound).get("r")
    if r is None:
        return previous + 1
    if not (r.isascii() and r.isdigit()):
        raise NotPlain("a row number openpyxl reads otherwise")
    return int(r)


def _text(raw: str) -> str:
    """Element text as an XML parser gives it: line ends made \\n, then entities replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        raw = _ENTITY.sub(_entity, raw)
    return raw


def _entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
    if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or
            0x10000 <= code <= 0x10FFFF):
        raise NotPlain("a character XML does not allow")
    return chr(code)


def _rich(inner: str) -> str:
    """A shared or inline string's text; anything but one plain <t> is read by openpyxl's `Text`."""
    plain = _PLAIN_T.fullmatch(inner)
    if plain is not None:
        return _text(plain.group(1))
    if not inner.strip():
        return ""
    if "<si" in inner:  # a string inside a string: openpyxl counts it as one more
        raise NotPlain("a nested <si>")
    from openpyxl.cell.text import Text

    element = ElementTree.fromstring(f'<is xmlns="{MAIN_NS}">{inner}</is>')
    return Text.from_tree(element).content


def _number(text: str) -> int | float:
    """openpyxl's `_cast_number`."""
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Cells:
    """One row's cells turned into values, with what the workbook says of strings and dates."""

    def __init__(self, strings: Sequence[str], width: int, date_formats: set[int], timedelta_formats: set[int],
                 epoch: object) -> None:
        self.strings, self.width, self.epoch = strings, width, epoch
        self.dates, self.durations = date_formats, timedelta_formats
        self.columns: dict[str, int] = {}
        self.bound: set[str] = {"xml"}  # the namespace prefixes the sheet declares
        self.kinds: dict[str, tuple[int | None, str, int]] = {}

    def row(self, body: str) -> tuple[object, ...]:
        if "<!" in body or "<?" in body or "xmlns" in body or not _ROW_BODY.fullmatch(body):
            raise NotPlain("cells of another shape")
        if "&#" in body:  # a character XML does not allow stops openpyxl even in text nobody reads
            for m in _ENTITY.finditer(body):
                _entity(m)
        values: list[object] = [None] * self.width
        column = 0
        dates = self.dates
        for letters, attributes, text, inner in _CELL.findall(body):
            if attributes:
                at, kind, style = self.kinds.get(attributes) or self._kind(attributes)
            else:
                at, kind, style = None, "n", 0
            if letters:
                if at is not None:
                    raise NotPlain("a cell reference given twice")
                column = self.columns.get(letters) or self._column(letters)
            elif at is not None:
                column = at
            else:
                column += 1
            value = None
            if text:  # <v>text</v> alone, the usual cell
                if "&" in text or "\r" in text:
                    text = _text(text)
                if kind == "n" and style not in dates:
                    value = int(text) if text.isdigit() else _number(text)
                elif kind != "inlineStr":
                    value = self._value(text, kind, style)
            elif inner:
                text, inline = self._children(inner)
                if kind == "inlineStr":
                    value = None if inline is None else _rich(inline)
                elif text and (text := _text(text)):
                    value = self._value(text, kind, style)
            if column <= self.width:
                values[column - 1] = value
        return tuple(values)

    def _value(self, text: str, kind: str, style: int) -> object:
        if kind == "n":
            value = _number(text)
            if style in self.dates:
                from openpyxl.utils.datetime import from_excel

                return from_excel(value, self.epoch, timedelta=style in self.durations)
            return value
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        return text  # str, e (an error such as #N/A) and any other type: the text as written

    def _kind(self, text: str) -> tuple[int | None, str, int]:
        found = _attributes(text, self.bound)
        at = None
        if "r" in found:
            ref = _REF.fullmatch(found["r"])
            if ref is None:
                raise NotPlain("a cell reference openpyxl reads otherwise")
            at = self._column(ref.group(1))
        kind = found.get("t", "n")
        style = found.get("s")
        if not kind.isalpha() or (style is not None and not (style.isascii() and style.isdigit())):
            raise NotPlain("a cell type or style openpyxl reads otherwise")
        kinds = (at, kind, int(style) if style else 0)
        if at is None and len(self.kinds) < 4096:
            self.kinds[text] = kinds
        return kinds

    def _column(self, letters: str) -> int:
        from openpyxl.utils.cell import column_index_from_string

        self.columns[letters] = index = column_index_from_string(letters)
        return index

    @staticmethod
    def _children(inner: str) -> tuple[str | None, str | None]:
        """The first <v>'s text ('' when empty) and the first <is>'s content, as openpyxl finds them."""
        text = inline = None
        for m in _CHILD.finditer(inner):
            if text is None and m.group(1) is not None:
                text = m.group(1)
            elif text is None and m.group(2):
                text = ""
            if inline is None and m.group(3) is not None:
                inline = m.group(3)
        return text, inline
