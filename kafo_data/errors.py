"""The errors a user can cause and fix, in a module that imports nothing heavy.

The command line catches these and prints one line; importing them costs nothing, so
`python -m kafo_data --help` does not load DuckDB, pandas or pyarrow.
"""

from __future__ import annotations


class UsageError(Exception):
    """A wrong flag or value on the command line; printed as one line."""


class FilterError(ValueError):
    """A filter value that is not a known id; the message names it."""


class DataMissingError(RuntimeError):
    """A data file the app needs is not there; the message says which and how to fix it."""


class ReferenceError(ValueError):
    """A reference text file breaks a rule; the message names file and row."""
