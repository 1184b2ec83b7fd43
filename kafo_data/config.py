"""Where the data lives, and the few settings a deployment changes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The data directory: `KAFO_DATA_DIR`, or `data/` next to `app.py`."""
    return Path(os.environ.get("KAFO_DATA_DIR") or REPO_DIR / "data").resolve()


def reference_dir(root: Path) -> Path:
    return root / "reference"


def built_dir(root: Path) -> Path:
    return root / "built"


def batches_dir(root: Path) -> Path:
    return root / "batches"


def rejected_dir(root: Path) -> Path:
    return root / "rejected"


def tmp_dir(root: Path) -> Path:
    """Scratch space on the same file system as the batches, so a rename is atomic."""
    return root / "tmp"


def money_dir(root: Path) -> Path:
    """Where every money file lives: the sample, ingested batches, the optional rates table."""
    return root / "money"


def money_batches_dir(root: Path) -> Path:
    return money_dir(root) / "batches"


def rates_file(root: Path) -> Path:
    """Optional exchange rates (currency, base_currency, rate, rate_date, source); never shipped empty-handed."""
    return money_dir(root) / "fx_rates.csv"


def mapping_dir(root: Path) -> Path:
    """`<data dir>/mapping`, or the repository's when a data directory has none of its own."""
    own = Path(root) / "mapping"
    return own if own.is_dir() else REPO_DIR / "data" / "mapping"


def cache_dir(root: Path) -> Path:
    """Where results derived from the data are kept for later processes (the rollups).

    `KAFO_CACHE_DIR` moves it out of the data directory (a read-only data volume, or the test
    suite, which must leave the checkout as it found it); one folder per data directory.
    """
    base = os.environ.get("KAFO_CACHE_DIR")
    if base:
        return Path(base) / hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:12]
    return tmp_dir(root) / "rollup"


def spill_dir() -> Path:
    """Where DuckDB spills what does not fit in its memory limit: the system's temporary folder.

    Its default for an in-memory database is `.tmp` in the working directory, which is the checkout when the
    dashboard runs from it (a benchmark once left 7 MB of spill files there).
    """
    return Path(tempfile.gettempdir()) / "kafo-duckdb-spill"


# Country outlines are an asset of the app, not data: served by Streamlit's static file route, so
# a map's figure names the file (the browser fetches and caches it once) instead of carrying 35 KB
# of coordinates in every rerun.
GEO_FILE = REPO_DIR / "static" / "countries.geojson"
GEO_URL = "app/static/countries.geojson"
HOME_PAGE = "overview"  # app.py's first page: Streamlit serves it at "/" only ("/overview" is "Page not found")


def upload_enabled() -> bool:
    """The upload page writes data; deployments that donors see turn it off."""
    return os.environ.get("KAFO_ENABLE_UPLOAD", "1").strip().lower() not in {"0", "false", "no", "off"}


# --- who sees what (kafo_data.access) ------------------------------------------------------

def small_cell_events() -> int:
    """k: the fewest seizure events a number shown to the public may rest on (`KAFO_SMALL_CELL_EVENTS`, default 3).

    A cell of fewer events reads "fewer than k" on every public screen and in every public file.
    """
    raw = os.environ.get("KAFO_SMALL_CELL_EVENTS", "").strip()
    if not raw:
        return 3
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"KAFO_SMALL_CELL_EVENTS must be a whole number, not {raw!r}") from exc
    if value < 2:
        raise ValueError(f"KAFO_SMALL_CELL_EVENTS must be at least 2 (one event is a record), not {value}")
    return value


def managers_file() -> Path:
    """The managers' allow-list (`KAFO_MANAGERS_FILE`, or `.streamlit/managers.toml` beside secrets.toml).

    It is deployment configuration, like the sign-in secrets, not data: it stays out of `data/` (which
    `KAFO_DATA_DIR` swaps, which ships in the repository and which anyone with the data may copy), and
    out of git (`.streamlit/managers.example.toml` is the template).
    """
    return Path(os.environ.get("KAFO_MANAGERS_FILE") or REPO_DIR / ".streamlit" / "managers.toml")
