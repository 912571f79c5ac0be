"""`db copy --to postgresql://… [--from FILE] [--json]`: move a shop's SQLite database into
an empty PostgreSQL database (several seats), verifying the row counts table by table.

The URL's password is never printed: output and errors show the URL with `***`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="database: copy to PostgreSQL")
    commands = db.add_subparsers(dest="db_command", metavar="{copy}")
    commands.required = True
    copy = commands.add_parser("copy", help="copy this PC's SQLite database into an empty PostgreSQL database")
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:5432/dbname")
    copy.add_argument("--from", dest="source", metavar="FILE", help="the SQLite file (default: the data dir's)")
    copy.add_argument("--json", action="store_true", help="one JSON document on stdout")
    db.set_defaults(handler=run)


def run(args: Any) -> int:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.copy import CopyError, copy_database
    from ottenok_desktop.services.storage.urls import is_postgres_url, redact_url, url_password

    target_url: str = args.to
    shown = redact_url(target_url)
    if not is_postgres_url(target_url):
        print(f"error: --to must be a postgresql:// URL, got {shown!r}", file=sys.stderr)
        return EXIT_USAGE
    source_path = Path(args.source).expanduser() if args.source else args.settings.database_path
    if not source_path.is_file():
        print(f"error: no database file at {source_path}", file=sys.stderr)
        return EXIT_USAGE
    password = url_password(target_url)
    source = target = None
    try:
        source = Database(source_path).open_sync()
        target = Database(target_url, application_name="ottenok db copy").open_sync()
        report = copy_database(source, target)
    except CopyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # cannot connect, cannot read: say so without the password
        message = f"{type(exc).__name__}: {exc}".replace(target_url, shown)
        if password:
            message = message.replace(password, "***")
        print(f"error: copy to {shown} failed: {message}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        for db in (source, target):
            if db is not None:
                db.close_sync()
    if args.json:
        print(json.dumps({"from": str(source_path), "to": shown, "tables": report.tables, "total": report.total,
                          "verified": True}, ensure_ascii=False, indent=2))
    else:
        print(f"Copied {source_path} → {shown}")
        for table, count in report.tables.items():
            print(f"  {table:<16} {count:>8}")
        print(f"  {'total':<16} {report.total:>8}  (row counts verified)")
    return EXIT_OK
