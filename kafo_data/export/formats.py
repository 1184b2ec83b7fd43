"""The four download formats by name, with their file extensions and media types.

Kept apart from the writers so that the command line can list them without loading pyarrow.
"""

from __future__ import annotations

FORMATS: tuple[str, ...] = ("csv", "csv-excel-fr", "xlsx", "zip")
EXTENSIONS: dict[str, str] = {"csv": "csv", "csv-excel-fr": "csv", "xlsx": "xlsx", "zip": "zip"}
SUFFIXES: dict[str, str] = {"csv-excel-fr": "_excel-fr"}
MIME: dict[str, str] = {
    "csv": "text/csv",
    "csv-excel-fr": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
