"""`python -m kafo_data money build|export|ingest`: the money files from the command line.

`build` regenerates the money sample of a data directory (only `money/budgets.parquet`,
`money/transactions.parquet` and `money/sample.json`; nothing else is touched). `export`
writes the same bytes as the budget page's download, in any `kafo_data.export.formats` format.
`ingest` loads a file of budget lines or transactions (the `ingest --kind budget|transactions`
command calls the same function, `kafo_data.ingest.money.run`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from kafo_data.cli.files import write_whole
from kafo_data.cli.flags import add_filter_flags, filters_from_flags
from kafo_data.config import data_dir
from kafo_data.export.formats import FORMATS
from kafo_data.i18n import LANGS
from kafo_data.money.filters import MoneyFilters


def _root(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).resolve() if getattr(args, "data_dir", None) else data_dir()


def _build(args: argparse.Namespace) -> int:
    from kafo_data.sample.money import write_sample

    for path in write_sample(_root(args), args.seed):
        print(f"wrote {path}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from kafo_data.export import money as money_export
    from kafo_data.export.writers import ExportTooLarge
    from kafo_data.filtering import check
    from kafo_data.money.queries import known
    from kafo_data.store.db import get_database

    root = _root(args)
    db = get_database(root)
    filters = check(filters_from_flags(MoneyFilters, args), known(db))
    target = Path(args.output)
    try:  # through FILE.partial, as `export` writes: a file over a cap leaves nothing behind
        rows = write_whole(target, lambda out: money_export.write(db, args.table, filters, args.format, args.lang,
                                                                  out, dt.date.today()))
    except ExportTooLarge as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {target} ({rows} rows)")
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from kafo_data.ingest.money import run

    return run(_root(args), [Path(f) for f in args.files], args.kind, dry_run=args.dry_run, strict=args.strict)


def cmd_money(args: argparse.Namespace) -> int:
    """Dispatch `money <action>`."""
    return {"build": _build, "export": _export, "ingest": _ingest}[args.money_action](args)


def configure_money(p: argparse.ArgumentParser) -> None:
    """The `money` actions and their flags (`--data-dir` is accepted before or after the action)."""
    sub = p.add_subparsers(dest="money_action", required=True)
    build = sub.add_parser("build", help="regenerate the money sample (budget lines and transactions)")
    build.add_argument("--seed", type=int, default=20200101)
    export = sub.add_parser("export", help="write the filtered budget lines or transactions as CSV")
    export.add_argument("--table", choices=("budgets", "transactions"), default="budgets")
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--lang", choices=LANGS, default="en", help="language of labels (labelled formats)")
    add_filter_flags(export, MoneyFilters, "budget lines and transactions")
    export.add_argument("-o", "--output", required=True, help="file to write")
    ingest = sub.add_parser("ingest", help="load a CSV or xlsx of budget lines or transactions")
    ingest.add_argument("--kind", choices=("budget", "transactions"), required=True)
    ingest.add_argument("--dry-run", action="store_true", help="check only, store nothing")
    ingest.add_argument("--strict", action="store_true", help="store nothing from a file with any rejected row")
    ingest.add_argument("files", nargs="+", metavar="FILE")
    for action in (build, export, ingest):
        action.add_argument("--data-dir", default=argparse.SUPPRESS,
                            help="data directory (default: KAFO_DATA_DIR or ./data)")
