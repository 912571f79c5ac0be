"""Schema migrations, numbered from the first release on.

Each migration is a function run inside a transaction; `SchemaVersion` records what ran.
Before any migration touches an existing database file, a copy is kept next to it
(`ottenok.sqlite3.bak-v<old>`) so an update never loses data.
"""

from __future__ import annotations

import logging
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import peewee as pw

from . import models as m

log = logging.getLogger(__name__)


def _v1_initial(db: pw.Database) -> None:
    db.create_tables([model for model in m.ALL_MODELS if model is not m.SchemaVersion])


def _v2_chat_language(db: pw.Database) -> None:
    """Chat.language: the customer's language when not Russian (kk | mixed), for the console badge."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    columns = {c.name for c in db.get_columns("chat")}
    if "language" not in columns:
        run(SchemaMigrator.from_database(db).add_column("chat", "language", pw.CharField(max_length=8, default="")))


MIGRATIONS: list[tuple[int, str, Callable[[pw.Database], None]]] = [
    (1, "initial schema", _v1_initial),
    (2, "chat language", _v2_chat_language),
]

LATEST_VERSION = MIGRATIONS[-1][0]


def current_version(db: pw.Database) -> int:
    if not db.table_exists("schema_version"):
        return 0
    row = m.SchemaVersion.select(pw.fn.MAX(m.SchemaVersion.version)).scalar()
    return int(row or 0)


def backup_before_migration(path: Path | None, version: int) -> Path | None:
    if path is None or version == 0 or not path.exists():
        return None
    target = path.with_name(f"{path.name}.bak-v{version}")
    shutil.copy2(path, target)
    log.info("database backup before migration: %s", target)
    return target


def migrate(db: pw.Database, path: Path | None = None) -> list[int]:
    """Bring the schema up to LATEST_VERSION; returns the versions applied."""
    db.create_tables([m.SchemaVersion])
    version = current_version(db)
    if version > LATEST_VERSION:
        raise RuntimeError(
            f"database schema v{version} is newer than this program understands (v{LATEST_VERSION})"
        )
    pending = [mig for mig in MIGRATIONS if mig[0] > version]
    if not pending:
        return []
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)") if isinstance(db, pw.SqliteDatabase) else None
    backup_before_migration(path, version)
    applied: list[int] = []
    for number, name, apply in pending:
        with db.atomic():
            apply(db)
            m.SchemaVersion.create(version=number, name=name, applied_at=datetime.now(timezone.utc))
        log.info("database migrated to v%d (%s)", number, name)
        applied.append(number)
    return applied
