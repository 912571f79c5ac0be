"""`report [--period day|week|month] [--date YYYY-MM-DD] [--format json|xlsx] [-o FILE]
[--from-export FILE... --shop-author NAME...]`: response times, unanswered messages,
advice and SPIN for a period (definitions: docs/ANALYTICS.md).

From the program's database by default; with `--from-export`, from WhatsApp chat exports
(one file per chat; `--shop-author` names the shop's side). Without `--date`: the
database report covers today (shop time); the export report covers the days the exports
span. JSON goes to stdout unless `-o`; xlsx needs `-o`.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ottenok_desktop.engine.analytics.model import Period, ReportInput
    from ottenok_desktop.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    report = subparsers.add_parser("report", help="response times, unanswered, advice and SPIN for a period")
    report.add_argument("--period", choices=("day", "week", "month"), default="day", help="the period (default: day)")
    report.add_argument("--date", help="a day inside the period, YYYY-MM-DD (default: today, shop time)")
    report.add_argument("--format", choices=("json", "xlsx"), default="json", help="output format (default: json)")
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE (required for xlsx)")
    report.add_argument("--from-export", nargs="+", metavar="FILE", help="WhatsApp chat export .txt files instead of the database")
    report.add_argument("--shop-author", nargs="+", metavar="NAME", default=[],
                        help="author names in the exports that are the shop (managers)")
    report.set_defaults(handler=run)


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from ottenok_desktop.engine.analytics.compute import build_report
    from ottenok_desktop.engine.analytics.model import period_for

    settings = args.settings
    zone = settings.zone
    output = Path(args.output).expanduser() if args.output else None
    if args.format == "xlsx" and output is None:
        return _fail("--format xlsx needs -o FILE")
    if output is not None and not output.parent.exists():
        return _fail(f"folder does not exist: {output.parent}")
    day: date | None = None
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            return _fail(f"--date must be YYYY-MM-DD, got {args.date!r}")
    if args.from_export:
        from ottenok_desktop.services.reports.exports import ExportError, load_exports

        missing = [f for f in args.from_export if not Path(f).is_file()]
        if missing:
            return _fail(f"no such file: {', '.join(missing)}")
        try:
            report_input = load_exports([Path(f) for f in args.from_export], args.shop_author, zone,
                                        period_for(args.period, day, zone) if day else None)
        except ExportError as exc:
            return _fail(str(exc), EXIT_FAILED)
    else:
        if args.shop_author:
            return _fail("--shop-author only applies with --from-export")
        report_input = _from_database(settings, period_for(args.period, day or datetime.now(zone).date(), zone),
                                      texts=args.format == "xlsx")
        if report_input is None:
            return EXIT_FAILED
    report = build_report(report_input, settings.work_hours, slow_first_reply_sec=settings.slow_first_reply_minutes * 60.0)
    if args.format == "xlsx":
        from ottenok_desktop.services.reports.workbook import write_workbook

        assert output is not None
        write_workbook(report, output, report_input)
        print(f"written: {output}", file=sys.stderr)
        return EXIT_OK
    text = json.dumps(report.as_json(), ensure_ascii=False, indent=2)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    return EXIT_OK


def _from_database(settings: Settings, period: Period, texts: bool) -> ReportInput | None:
    from ottenok_desktop.services.reports.loader import load_period
    from ottenok_desktop.services.storage import Database

    try:
        db = Database(settings.database_path).open_sync()
        try:
            return db.call_sync(load_period, period, texts)
        finally:
            db.close_sync()
    except Exception as exc:  # a database that cannot be opened: say so, no traceback
        print(f"error: cannot read the database: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
