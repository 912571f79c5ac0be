"""`db` subcommands: the database file and its move to PostgreSQL.

    db check              exit 0 when the file is sound (or not created yet), 4 when damaged
    db restore [--backup FILE] [--force]
                          move the database aside (kept, renamed *.damaged-<time>) and copy
                          the newest sound backup (or FILE) in; refuses a sound database
                          unless --force
    db backups            the backups next to the database, newest first
    db copy --to postgresql://… [--from FILE] [--json]
                          a shop's SQLite database into an empty PostgreSQL database (several
                          seats), row counts verified table by table; the password never printed

`check`/`restore` are what a headless start prints when the database is damaged; `restore`
refuses while a program runs on the data dir.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ottenok_desktop.services.storage.integrity import Damage

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    db = subparsers.add_parser("db", help="database: check, restore a backup, copy to PostgreSQL")
    commands = db.add_subparsers(dest="db_command", metavar="{check,restore,backups,copy}")
    commands.required = True
    commands.add_parser("check", help="is the database file sound? (exit 0, or 4 when damaged)")
    restore = commands.add_parser("restore", help="put the newest sound backup in place of a damaged database")
    restore.add_argument("--backup", metavar="FILE", help="this backup instead of the newest sound one")
    restore.add_argument("--force", action="store_true", help="restore even though the database looks sound")
    commands.add_parser("backups", help="list the backups, newest first")
    copy = commands.add_parser("copy", help="copy this PC's SQLite database into an empty PostgreSQL database")
    copy.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:5432/dbname")
    copy.add_argument("--from", dest="source", metavar="FILE", help="the SQLite file (default: the data dir's)")
    copy.add_argument("--json", action="store_true", help="one JSON document on stdout")
    db.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.db_command == "copy":
        return _copy(args)
    from ottenok_desktop.services.storage import integrity

    path = Path(args.settings.database_path)
    if args.db_command == "backups":
        for backup in integrity.backups_of(path):
            print(f"{backup.name}\t{backup.stat().st_size} bytes")
        return EXIT_OK
    damage = integrity.inspect_database(path)
    if args.db_command == "check":
        if damage is None:
            print(f"OK: {path}" if path.exists() else f"OK: {path} does not exist yet (created at the first start)")
            return EXIT_OK
        print(f"{damage.message_en()}\n\n{damage.message_ru()}", file=sys.stderr)
        return integrity.EXIT_DAMAGED
    return _restore(args, path, damage)


def _restore(args: argparse.Namespace, path: Path, damage: Damage | None) -> int:
    from ottenok_desktop.services.instance_lock import InstanceLock
    from ottenok_desktop.services.storage import integrity

    lock = InstanceLock(args.settings.data_dir, "cli")
    if lock.is_held_elsewhere():
        print(f"error: {lock.already_running_message()}", file=sys.stderr)
        return EXIT_FAILED
    if damage is None and path.exists() and not args.force:
        print(f"error: {path} is sound; nothing to restore (use --force to replace it anyway)", file=sys.stderr)
        return EXIT_FAILED
    if args.backup:
        backup = Path(args.backup).expanduser()
        if not backup.is_file():
            print(f"error: backup not found: {backup}", file=sys.stderr)
            return EXIT_USAGE
        if integrity.inspect_database(backup) is not None:
            print(f"error: the backup {backup} is damaged too", file=sys.stderr)
            return EXIT_FAILED
    else:
        backup = damage.backup if damage is not None else integrity.newest_sound_backup(path)
        if backup is None:
            print(f"error: no sound backup next to {path}", file=sys.stderr)
            return EXIT_FAILED
    try:
        aside = integrity.restore_backup(path, backup)
    except OSError as exc:
        print(f"error: restore failed, the database was not changed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Restored {path.name} from {backup.name}; the previous file is kept as {aside.name}")
    print(f"База восстановлена из копии {backup.name}; прежний файл сохранён как {aside.name}")
    return EXIT_OK


def _copy(args: argparse.Namespace) -> int:
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
