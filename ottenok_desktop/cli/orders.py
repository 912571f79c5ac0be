"""`orders export [--format json|csv|xlsx] [-o FILE] [--state S]`: the shop's orders from the database.

JSON goes to stdout (one document) unless `-o` is given; CSV and XLSX need no file for
CSV (stdout) but XLSX always needs `-o`. Errors go to stderr with exit code ≠ 0.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any, Sequence, TYPE_CHECKING

if TYPE_CHECKING:
    from ottenok_desktop.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
FORMATS = ("json", "csv", "xlsx")


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    orders = subparsers.add_parser("orders", help="orders: export")
    commands = orders.add_subparsers(dest="orders_command", metavar="{export}")
    commands.required = True
    export = commands.add_parser("export", help="export orders as JSON, CSV or Excel")
    export.add_argument("--format", choices=FORMATS, default="json", help="output format (default json)")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument("--state", choices=("draft", "ready", "confirmed", "cancelled"), help="only this state")
    orders.set_defaults(handler=run)


def _error(message: str, code: int = EXIT_FAILED) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def load_rows(settings: Settings, state: str | None = None) -> list[dict[str, Any]]:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage import orders as repo

    db = Database(settings.database_target).open_sync()
    try:
        return db.call_sync(repo.list_orders, state)
    finally:
        db.close_sync()


def write_rows(rows: Sequence[dict[str, Any]], fmt: str, output: Path | None) -> None:
    from ottenok_desktop.services.storage.orders import EXPORT_COLUMNS

    if fmt == "json":
        text = json.dumps({"orders": list(rows), "count": len(rows)}, ensure_ascii=False, indent=2, default=str)
        if output is None:
            print(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        if output is None:
            sys.stdout.write(buffer.getvalue())
        else:
            # utf-8-sig so Excel on Windows opens the Cyrillic correctly
            output.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        return
    from openpyxl import Workbook

    assert output is not None
    book = Workbook()
    sheet = book.active
    sheet.title = "Заказы"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        values = [row.get(column, "") for column in EXPORT_COLUMNS]
        for money in ("price", "regular_price"):
            values[EXPORT_COLUMNS.index(money)] = int(row[money]) if row.get(money) else None
        sheet.append(values)
    book.save(output)


def run(args: argparse.Namespace) -> int:
    fmt = args.format
    output = Path(args.output).expanduser() if args.output else None
    if fmt == "xlsx" and output is None:
        return _error("--format xlsx needs -o FILE", EXIT_USAGE)
    if output is not None and not output.parent.exists():
        return _error(f"folder does not exist: {output.parent}", EXIT_USAGE)
    try:
        rows = load_rows(args.settings, args.state)
        write_rows(rows, fmt, output)
    except OSError as exc:
        return _error(f"cannot write {output}: {exc.strerror or exc}")
    except Exception as exc:  # a database that cannot be opened: say so, no traceback
        return _error(f"cannot read orders: {type(exc).__name__}: {exc}")
    if output is not None:
        print(f"{len(rows)} orders written to {output}", file=sys.stderr)
    return EXIT_OK
