"""`tickets export --json [--status S] [-o FILE]`: support tickets with their conversation.

Each ticket carries kind, status, manager, times, collected details and attachments,
and the messages from its creation to its closing (who sent what, of which type).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    tickets = subparsers.add_parser("tickets", help="support tickets: export")
    commands = tickets.add_subparsers(dest="tickets_command", metavar="{export}")
    commands.required = True
    export = commands.add_parser("export", help="export tickets as one JSON document")
    export.add_argument("--json", action="store_true", help="JSON output (the only format; kept for the contract)")
    export.add_argument("--status", choices=("WAITING", "ASSIGNED", "CLOSED"), help="only this status")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    tickets.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage import tickets as repo

    output = Path(args.output).expanduser() if args.output else None
    if output is not None and not output.parent.exists():
        print(f"error: folder does not exist: {output.parent}", file=sys.stderr)
        return EXIT_USAGE
    try:
        db = Database(args.settings.database_target).open_sync()
        try:
            rows = db.call_sync(repo.list_tickets, args.status)
        finally:
            db.close_sync()
    except Exception as exc:  # a database that cannot be opened: say so, no traceback
        print(f"error: cannot read tickets: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    text = json.dumps({"tickets": rows, "count": len(rows)}, ensure_ascii=False, indent=2, default=str)
    if output is None:
        print(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
    return EXIT_OK
