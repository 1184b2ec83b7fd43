"""`python -m kafo_data ...`: build, figures, validate, sample, export.

Every error a user can cause ends in one line on stderr and a non-zero exit, never a
traceback. Each command is a small function; `COMMANDS` is the one ordered registry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import math
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kafo_data.cli.files import write_whole
from kafo_data.cli.flags import add_filter_flags, filters_from_flags
from kafo_data.cli.money import cmd_money, configure_money
from kafo_data.config import built_dir, data_dir, reference_dir
from kafo_data.errors import DataMissingError, FilterError, ReferenceError, UsageError

if TYPE_CHECKING:
    from kafo_data.seizures.filters import Filters


def _root(args: argparse.Namespace) -> Path:
    return Path(args.data_dir).resolve() if getattr(args, "data_dir", None) else data_dir()


def cmd_build(args: argparse.Namespace) -> int:
    from kafo_data.sample.seizures import build_sample
    from kafo_data.store.reference import build_reference

    root = _root(args)
    for path in build_reference(root):
        print(f"wrote {path}")
    if not args.no_sample:
        print(f"wrote {build_sample(root)}")
    return 0


def _number(value: float | None) -> int | float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if float(value).is_integer() else float(value)


def cmd_figures(args: argparse.Namespace) -> int:
    from kafo_data.seizures import queries
    from kafo_data.store.db import get_database

    db = get_database(_root(args))
    if args.operation and args.operation not in queries.known(db)["operations"]:
        raise UsageError(f"unknown operation {args.operation!r}")
    frame = queries.figures(db, args.operation)
    records = []
    for row in frame.to_dict("records"):
        records.append({
            "figure_id": row["figure_id"], "operation_id": row["operation_id"],
            "indicator": row["indicator"], "value": _number(row["value"]),
            "qualifier": row["qualifier"], "unit": _clean(row["unit"]), "text": row["text"],
            "quote_lang": row["quote_lang"], "translation": row["translation"],
            "translation_lang": row["translation_lang"],
            "shown": bool(row["shown"]), "footnote_of": _clean(row["footnote_of"]), "note": _clean(row["note"]),
            "source_id": row["source_id"], "source_title": row["source_title"],
            "source_url": _clean(row["source_url"]), "source_published": row["source_published"],
        })
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    for r in records:
        mark = "" if r["shown"] else f"  [footnote of {r['footnote_of']}]"
        print(f"{r['operation_id']:<13} {r['text']}{mark}")
        print(f"{'':<13} source: {r['source_title']} {r['source_url'] or ''}")
    return 0


def _clean(value: object) -> object:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def cmd_validate(args: argparse.Namespace) -> int:
    from kafo_data.cellkey import secret_problem
    from kafo_data.ingest.validate import validate

    problems = validate(_root(args))
    for p in problems:
        print(p)
    if warning := secret_problem():  # not a problem of the data: the public view still works, less protected
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{len(problems)} problem(s) in {_root(args)}" if problems else f"clean: {_root(args)}")
    return 1 if problems else 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Make a data directory holding the reference and a synthetic sample of N item lines."""
    from kafo_data.sample.seizures import SAMPLE_BATCH, build_sample, replace_batch, synthetic

    source = data_dir()
    out = Path(args.out).resolve()
    if out != source:
        for folder in (reference_dir(source), built_dir(source)):
            if folder.is_dir():
                shutil.copytree(folder, out / folder.name, dirs_exist_ok=True)
    if args.rows is None:
        print(f"wrote {build_sample(out, args.seed)}")
        return 0
    seizures, items = synthetic(out, args.rows, args.seed)
    meta = {"batch_id": SAMPLE_BATCH, "kind": "synthetic", "is_sample": True, "seed": args.seed,
            "rows": items.num_rows, "events": seizures.num_rows}
    print(f"wrote {replace_batch(out, SAMPLE_BATCH, seizures, items, meta)} ({items.num_rows} item lines)")
    return 0


def filters_from_args(args: argparse.Namespace, db_root: Path) -> Filters:
    """Filters from command-line flags, checked against the known ids like any user value."""
    from kafo_data.filtering import check
    from kafo_data.seizures import queries
    from kafo_data.seizures.filters import Filters
    from kafo_data.store.db import get_database

    return check(filters_from_flags(Filters, args), queries.known(get_database(db_root)))


def export_time() -> dt.datetime:
    """When the file is made: KAFO_EXPORT_TIME (ISO date-time, UTC if no offset) or now, in UTC."""
    import os

    raw = os.environ.get("KAFO_EXPORT_TIME")
    if not raw:
        return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    try:
        when = dt.datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise UsageError(f"KAFO_EXPORT_TIME is not an ISO date-time: {raw!r}") from exc
    return when.astimezone(dt.UTC).replace(tzinfo=None) if when.tzinfo else when


def cmd_export(args: argparse.Namespace) -> int:
    """The same bytes as the dashboard's button: written to FILE.partial, renamed when complete."""
    from kafo_data.export import seizures as export
    from kafo_data.export import writers
    from kafo_data.store.db import get_database

    root = _root(args)
    if args.table == "published":
        return _export_published(args, root)
    if args.table in ("firearms", "reporting"):
        return _export_firearms_or_reporting(args, root)
    if args.view:
        raise UsageError("--view applies to --table firearms and --table reporting")
    if args.indicator:
        raise UsageError("--indicator selects published results: use it with --table published")
    if args.table:
        return _export_public(args, root)
    if args.all:
        if any(getattr(args, k) for k in ("operation", "country", "category", "date_from", "date_to", "no_sample")):
            print("note: --all exports the full dataset; the filter flags are ignored", file=sys.stderr)
        filters = export.ALL
    else:
        filters = filters_from_args(args, root)
    db = get_database(root)
    for batch, why in db.damaged_batches():  # left out of the export, and said so in one line
        print(f"warning: batch {batch} cannot be read ({why}) and is left out; remove it and load its file "
              "again", file=sys.stderr)
    made_at = export_time()
    target = Path(args.output)
    try:
        rows = write_whole(target, lambda out: export.write(db, filters, args.format, args.lang, out,
                                                            made_at.date(), made_at))
    except writers.ExportTooLarge as exc:
        raise UsageError(str(exc)) from exc
    print(f"wrote {target} ({rows} rows, {args.format}, {args.lang})")
    return 0


def _export_public(args: argparse.Namespace, root: Path) -> int:
    """A public aggregate table (`--table`): the bytes of the public page's download, small cells suppressed."""
    from kafo_data.export import public as public_export
    from kafo_data.seizures.public import PublicFilters
    from kafo_data.store.db import get_database

    if args.date_from or args.date_to:
        raise UsageError("--table writes a public table: it has no day range (a day could single out one seizure)")
    pf = PublicFilters.of(filters_from_args(args, root))
    made_at = export_time()
    target = Path(args.output)
    rows = write_whole(target, lambda out: public_export.write(get_database(root), args.table, pf, args.format,
                                                               args.lang, out, made_at.date(), made_at))
    print(f"wrote {target} ({rows} rows, {args.table}, {args.format}, {args.lang})")
    return 0


def _export_firearms_or_reporting(args: argparse.Namespace, root: Path) -> int:
    """`--table firearms` (the Firearms page's cells) or `reporting` (the reporting grid): the page's bytes.

    `--view public` (the default) is the public page's file; `--view managers` the managers' page's.
    """
    from kafo_data.export import firearms, reporting
    from kafo_data.store.db import get_database

    view = args.view or "public"
    if view == "public" and (args.date_from or args.date_to):
        raise UsageError("--view public has no day range (a day could single out one seizure)")
    if args.table == "reporting" and any(getattr(args, k) for k in ("operation", "country", "category", "date_from",
                                                                    "date_to", "no_sample")):
        raise UsageError("--table reporting takes no filters: it lists every operation and participating country")
    db = get_database(root)
    made_at = export_time()
    target = Path(args.output)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("wb") as out:
            if args.table == "firearms":
                rows = firearms.write(db, filters_from_args(args, root), view, args.format, args.lang, out,
                                      made_at.date(), made_at)
            else:
                rows = reporting.write(db, view, args.format, args.lang, out, made_at.date(), made_at)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    print(f"wrote {target} ({rows} rows, {args.table}, {view}, {args.format}, {args.lang})")
    return 0


def _export_published(args: argparse.Namespace, root: Path) -> int:
    """Every published result (`--table published`): the bytes of the Results page's download."""
    from kafo_data.export import published
    from kafo_data.store.db import get_database

    if any(getattr(args, k) for k in ("country", "category", "date_from", "date_to", "all")):
        raise UsageError("--table published takes --operation and --indicator only: results are published "
                         "per operation, not per country, category or day")
    selection = published.Selection(tuple(args.operation or ()), tuple(args.indicator or ()))
    made_at = export_time()
    target = Path(args.output)
    rows = write_whole(target, lambda out: published.write(get_database(root), selection, args.format, args.lang,
                                                           out, made_at.date(), made_at))
    print(f"wrote {target} ({rows} rows, published, {args.format}, {args.lang})")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    """The print-ready brief of a page (every edition without --operation), as the page's button makes it.

    The flags are the money filters' (the sidebar's operation and sample switch, the Budget page's donor and
    output), so the brief filters as the page does; donor and output belong to the Budget page only.
    """
    from kafo_data.brief import images

    images.begin()  # Chromium starts while the rest loads: the cold run's longest wait
    from kafo_data.brief import build, pdf
    from kafo_data.brief.content import Request
    from kafo_data.filtering import check
    from kafo_data.money.filters import MoneyFilters
    from kafo_data.money.queries import known
    from kafo_data.store.db import get_database

    root = _root(args)
    db = get_database(root)
    f = check(filters_from_flags(MoneyFilters, args), known(db))
    if args.page != "budget" and (f.donors or f.outputs):
        raise UsageError("--donor and --project-output filter the budget: use them with --page budget")
    req = Request(args.page, args.lang, f.operations, f.include_sample,
                  build.address(args.base_url, args.page, f.operations, args.lang, f.include_sample, f.donors,
                                f.outputs), export_time().date(), f.donors, f.outputs)
    try:
        made = build.make(db, req)
    except pdf.PdfUnavailable as exc:
        raise UsageError(str(exc)) from exc
    if made.charts_problem:
        print(f"note: charts left out: {made.charts_problem}", file=sys.stderr)
    target = Path(args.output)
    write_whole(target, lambda out: out.write(made.pdf))
    chosen = [*f.operations, *f.donors, *(f"output {n}" for n in f.outputs)]
    print(f"wrote {target} ({len(made.pdf):,} bytes, {args.page}, {', '.join(chosen) or 'every edition'}, "
          f"{args.lang})")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from kafo_data.cli.ingest import run_cli

    if args.kind != "seizures":
        from kafo_data.ingest.money import run

        if args.operation or args.country or args.sheet:
            raise UsageError("--operation, --country and --sheet apply to seizure reports only")
        return run(_root(args), [Path(f) for f in args.files], args.kind, dry_run=args.dry_run, strict=args.strict)
    return run_cli(_root(args), args)


def cmd_template(args: argparse.Namespace) -> int:
    """A blank national report (XLSX, or CSV when the name ends in .csv) in French or English."""
    from kafo_data.cli.files import write_whole
    from kafo_data.ingest import template

    target = Path(args.output)
    make = template.csv_bytes if target.suffix.lower() == ".csv" else template.xlsx
    if target.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("the output must end in .xlsx or .csv")
    data = make(_root(args), args.lang)
    write_whole(target, lambda handle: handle.write(data))
    print(f"wrote {target} ({len(data):,} bytes, {args.lang})")
    return 0


def _configure_template(p: argparse.ArgumentParser) -> None:
    from kafo_data.i18n import LANGS

    p.add_argument("--lang", choices=LANGS, default="fr", help="language of the headers, lists and help (default fr)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="modele.xlsx, or a .csv")


def cmd_batches(args: argparse.Namespace) -> int:
    from kafo_data.store.batches import BatchError, command_line_user, format_table, list_batches, remove_batch

    root = _root(args)
    if args.action == "list":
        if args.batch_id:
            raise UsageError("`batches` takes no id; to take a batch out: batches remove ID")
        for line in format_table(list_batches(root)):
            print(line)
        return 0
    if not args.batch_id:
        raise UsageError("which batch? `python -m kafo_data batches remove ID` (ids: `python -m kafo_data batches`)")
    try:
        info = remove_batch(root, args.batch_id, allow_sample=args.force, removed_by=command_line_user())
    except BatchError as exc:
        raise UsageError(str(exc)) from exc
    print(f"removed batch {info.batch_id} ({info.rows} item lines from {info.file or info.kind})")
    return 0


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command; a developer tool's module is imported only when `command` names it."""
    parser = argparse.ArgumentParser(prog="python -m kafo_data", description="KAFO dashboard data tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (func, configure, text) in COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--data-dir", help="data directory (default: KAFO_DATA_DIR or ./data)")
        configure(p)
        p.set_defaults(func=func)
    for name, (module_name, func_name, text) in DEV_COMMANDS.items():
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--data-dir", help="data directory (default: KAFO_DATA_DIR or ./data)")
        if name == command:
            module = importlib.import_module(module_name)
            module.configure(p)
            p.set_defaults(func=getattr(module, func_name))
    return parser


def _configure_build(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-sample", action="store_true", help="build the reference only")


def _configure_figures(p: argparse.ArgumentParser) -> None:
    p.add_argument("--operation", metavar="ID")
    p.add_argument("--json", action="store_true")


def _configure_sample(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rows", type=int, help="synthetic item lines (default: the shipped sample)")
    p.add_argument("--out", required=True, help="data directory to write")
    p.add_argument("--seed", type=int, default=20191111)


def _configure_export(p: argparse.ArgumentParser) -> None:
    from kafo_data.export.formats import FORMATS
    from kafo_data.i18n import LANGS
    from kafo_data.seizures.filters import Filters

    add_filter_flags(p, Filters)
    p.add_argument("--format", choices=FORMATS, default="csv", help="file format (default: csv)")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of labels, README and sheets")
    p.add_argument("--all", action="store_true", help="the full dataset: ignore the filter flags")
    p.add_argument("--table", choices=("totals", "operation", "country", "item_type", "month", "published",
                                       "firearms", "reporting"),
                   help="a public aggregate table instead of the records (the public download); "
                        "published: every published result; firearms: the Firearms page's cells (SDG 16.4.2); "
                        "reporting: the reporting status")
    p.add_argument("--view", choices=("public", "managers"),
                   help="with --table firearms or reporting: the public page's file (default) or the managers'")
    p.add_argument("--indicator", action="append", metavar="ID", help="with --table published: one indicator")
    p.add_argument("-o", "--output", required=True, help="file to write")


def _configure_brief(p: argparse.ArgumentParser) -> None:
    from kafo_data.i18n import LANGS
    from kafo_data.money.filters import MoneyFilters

    p.add_argument("--page", choices=("overview", "operations", "budget"), default="overview",
                   help="the page the brief is of (default: overview)")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the brief (default en)")
    add_filter_flags(p, MoneyFilters, "budget figures")  # --operation (default: every edition), and the
    # Budget page's --donor and --project-output (as `money export`)
    p.add_argument("--base-url", default="http://localhost:8501", help="the dashboard's address, for the link back")
    p.add_argument("-o", "--output", required=True, help="PDF file to write")


def _configure_ingest(p: argparse.ArgumentParser) -> None:
    from kafo_data.i18n import LANGS

    p.add_argument("files", nargs="+", metavar="FILE", help="CSV or .xlsx report(s); each becomes its own batch")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.add_argument("--strict", action="store_true", help="store nothing from a file with any rejected row")
    p.add_argument("--operation", metavar="ID", help="operation of rows that do not name one (e.g. KAFO-II)")
    p.add_argument("--country", metavar="ISO3", help="country of rows that do not name one (e.g. BFA)")
    p.add_argument("--sheet", metavar="NAME", help="the workbook sheet to read (default: the first with a header)")
    p.add_argument("--lang", choices=LANGS, default="en", help="language of the printed report (default en)")
    p.add_argument("--kind", choices=("seizures", "budget", "transactions"), default="seizures",
                   help="what the files hold: seizure reports (default), budget lines or transactions")


def _configure_batches(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=["list", "remove"], default="list")
    p.add_argument("batch_id", nargs="?", metavar="ID")
    p.add_argument("--force", action="store_true", help="allow removing the generated sample")


def _nothing(p: argparse.ArgumentParser) -> None:
    return None


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], Callable[[argparse.ArgumentParser], None], str]] = {
    "build": (cmd_build, _configure_build, "build reference parquet from data/reference and regenerate the sample"),
    "figures": (cmd_figures, _configure_figures, "published figures with qualifier, unit and source"),
    "validate": (cmd_validate, _nothing, "check every data file against the contract"),
    "sample": (cmd_sample, _configure_sample, "write a data directory with the sample or N synthetic item lines"),
    "export": (cmd_export, _configure_export, "write the filtered records as the dashboard's download, same bytes"),
    "brief": (cmd_brief, _configure_brief, "a print-ready PDF brief of a page: published results, charts, citation"),
    "money": (cmd_money, configure_money, "budget lines and transactions: build the sample, export, ingest"),
    "ingest": (cmd_ingest, _configure_ingest, "load national seizure reports (CSV or .xlsx) as new batches"),
    "template": (cmd_template, _configure_template, "a blank national report to fill in: XLSX (drop-downs) or CSV"),
    "batches": (cmd_batches, _configure_batches, "list the stored batches, or remove one: batches remove ID"),
}
# Developer tools (kafo_data/devtools/): listed in --help, imported only when their command is run.
DEV_COMMANDS: dict[str, tuple[str, str, str]] = {
    "bench": ("kafo_data.devtools.bench", "cmd_bench", "measure page reruns, queries, export and memory at scale"),
    "firearms-bench": ("kafo_data.devtools.firearms_bench", "cmd_firearms_bench",
                       "the Firearms page (fresh selection) and the reporting grid (500 batches) at 10 M lines"),
    "loadtest": ("kafo_data.devtools.loadtest", "cmd_loadtest",
                 "N concurrent sessions clicking filters on a real server"),
    "serve": ("kafo_data.devtools.serve", "cmd_serve", "N dashboard processes behind HAProxy on this machine"),
    "brief-bench": ("kafo_data.devtools.brief_bench", "cmd_brief_bench",
                    "pages and seconds of the PDF brief, cold and warm, one edition and all"),
    "browser-bench": ("kafo_data.devtools.browser_bench", "cmd_browser_bench",
                      "page open and filter click in Chromium, against a bare Streamlit page"),
    "upload-bench": ("kafo_data.devtools.upload_bench", "cmd_upload_bench",
                     "server memory and seconds of a 50,000 x 80 .xlsx uploaded on the Load reports page"),
}


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    # The unset-secret warning is for a server's log; a command's stderr stays its one line (`validate` says it).
    quiet = logging.getLogger("kafo_data.cellkey")
    quiet.propagate = False
    if not quiet.handlers:
        quiet.addHandler(logging.NullHandler())
    args = _parser(next((a for a in given if not a.startswith("-")), None)).parse_args(given)
    try:
        return args.func(args)
    except (UsageError, FilterError, ReferenceError, DataMissingError, FileExistsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a data file DuckDB or Arrow cannot read: one line, not a traceback
        if not type(exc).__module__.startswith(("duckdb", "pyarrow", "_duckdb")):
            raise
        import re

        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        detail = re.sub(r"/(?:[^/\s'\"]+/)+", "", detail)  # file names, not the server's paths
        print(f"error: a data file cannot be read ({detail}): `python -m kafo_data validate` names it",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
