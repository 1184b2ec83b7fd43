"""`python -m kafo_data ingest FILE...`: load seizure reports from the command line, one at a time."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kafo_data.i18n import t
from kafo_data.ingest.commit import commit, outcome
from kafo_data.ingest.messages import ReportError
from kafo_data.ingest.seizures import check_size, plan
from kafo_data.ingest.vocabulary import MappingError
from kafo_data.store.batches import command_line_user, damaged_notices


def run_cli(root: Path, args: argparse.Namespace) -> int:
    """Load each file in turn; the exit code is the worst of the files' codes."""
    code = 0
    for name in args.files:
        code = max(code, _cli_one(root, Path(name), args))
    return code


def _cli_one(root: Path, path: Path, args: argparse.Namespace) -> int:
    lang = args.lang
    for line in damaged_notices(root, lang):
        print(f"warning: {line}", file=sys.stderr)
    try:
        check_size(path.stat().st_size)
        data = path.read_bytes()
    except OSError as exc:
        print(t("ingest.error.cannot_open", lang, file=path, detail=exc.strerror or exc), file=sys.stderr)
        return 2
    except ReportError as exc:
        print(t("ingest.error.unreadable", lang, file=path.name, reason=exc.text(lang)), file=sys.stderr)
        return 2
    try:
        p = plan(root, path.name, data, operation=args.operation, country=args.country, sheet=args.sheet)
    except ReportError as exc:
        print(t("ingest.error.unreadable", lang, file=path.name, reason=exc.text(lang)), file=sys.stderr)
        return 2
    except MappingError as exc:
        print(t("ingest.error.mapping", lang, detail=str(exc)), file=sys.stderr)
        return 2
    if args.dry_run:
        for line in p.report_lines(lang):
            print(line)
        print(t("ingest.report.dry_run", lang))
        print(f"{p.filename}: {p.summary(lang)}")
        return 1 if p.rejected or p.already_loaded else 0
    try:
        result = commit(root, p, strict=args.strict, loaded_by=command_line_user())
    except ReportError as exc:
        print(t("ingest.error.unreadable", lang, file=path.name, reason=exc.text(lang)), file=sys.stderr)
        return 2
    for line in result.plan.report_lines(lang):
        print(line)
    print(outcome(result, lang))
    print(f"{p.filename}: {p.summary(lang)}")
    return result.exit_code
