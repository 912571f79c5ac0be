"""Schema migrations, numbered from the first release on.

Each migration is a function run inside a transaction; `SchemaVersion` records what ran.
Before any migration touches an existing database file, a copy is kept next to it
(`ottenok.sqlite3.bak-v<old>`) so an update never loses data.

On PostgreSQL several seats may start at once: the whole migration runs in one
transaction holding a transaction-level advisory lock, so the first seat migrates and
the others wait, then find nothing left to do. DDL is transactional there, so a failed
migration leaves the schema as it was.
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


V1_MODELS = (m.Chat, m.Message, m.InboxItem, m.OutboxItem, m.Order, m.Reservation, m.Ticket, m.Nudge, m.PhotoSent,
             m.AuditLog)


def _v1_initial(db: pw.Database) -> None:
    db.create_tables(list(V1_MODELS))


def _v4_seats_and_engine_lease(db: pw.Database) -> None:
    """Several seats: the seats table and the single engine-lease row (epoch 0, nobody)."""
    db.create_tables([m.Seat, m.EngineLease])
    m.EngineLease.insert(id=1, holder_seat="", holder_instance="", epoch=0).on_conflict_ignore().execute()


def _v2_telegram_inbox_cursor_cards(db: pw.Database) -> None:
    """Telegram (issue 15): its update inbox, the stored getUpdates offset, ticket cards."""
    db.create_tables([m.TelegramUpdate, m.ChannelCursor, m.TelegramCard])


def _v3_message_created_at_index(db: pw.Database) -> None:
    """Reports find the chats active in a period by message time (issue 14): without this
    index a day's report scans every message; with the chat id in it the lookup never
    touches the table. IF NOT EXISTS: a database created at v1 by this version already
    has it (models.Message.Meta.indexes)."""
    db.execute_sql('CREATE INDEX IF NOT EXISTS "message_created_at_chat_id" ON "message" ("created_at", "chat_id")')


def _v5_chat_language(db: pw.Database) -> None:
    """Chat.language: the customer's language when not Russian (kk | mixed), for the console badge."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    columns = {c.name for c in db.get_columns("chat")}
    if "language" not in columns:
        run(SchemaMigrator.from_database(db).add_column("chat", "language", pw.CharField(max_length=8, default="")))


def _v6_chat_promotions_consent(db: pw.Database) -> None:
    """Chat.promo_opt_in_at/_source and promo_opt_out_at/_source: consent to promotions (issue 16)."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    columns = {c.name for c in db.get_columns("chat")}
    migrator = SchemaMigrator.from_database(db)
    wanted = {
        "promo_opt_in_at": m.UtcDateTimeField(null=True), "promo_opt_in_source": pw.CharField(max_length=64, default=""),
        "promo_opt_out_at": m.UtcDateTimeField(null=True), "promo_opt_out_source": pw.CharField(max_length=64, default=""),
    }
    operations = [migrator.add_column("chat", name, column) for name, column in wanted.items() if name not in columns]
    if operations:
        run(*operations)


def _v7_message_text_facts(db: pw.Database) -> None:
    """Message.text_facts: what reports need from a message's text, stored when it is written
    (issue 14: a month's report no longer reads half a million texts); existing rows are
    filled in batches of `text_facts.BATCH` (rows left out, e.g. by a later classifier
    version, are computed by the report loader on first use)."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    from .text_facts import backfill

    columns = {c.name for c in db.get_columns("message")}
    if "text_facts" not in columns:
        run(SchemaMigrator.from_database(db).add_column("message", "text_facts", pw.IntegerField(null=True)))
    filled = backfill()
    if filled:
        log.info("text facts stored for %d existing messages", filled)


def _v8_announcements(db: pw.Database) -> None:
    """Announcements of promotions and their recipients (issue 16: the paced send)."""
    db.create_tables([m.Announcement, m.AnnouncementRecipient])


def _v9_chat_links(db: pw.Database) -> None:
    """Chat.linked_chat_id: a Telegram chat and a WhatsApp chat of one customer, linked (issue 15)."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    columns = {c.name for c in db.get_columns("chat")}
    if "linked_chat_id" not in columns:
        run(SchemaMigrator.from_database(db).add_column(
            "chat", "linked_chat_id", pw.CharField(max_length=64, default="")))


def _v10_order_discount_ticket_partner(db: pw.Database) -> None:
    """Order.regular_price/discount_kind/discount_ref/discount_label (the promised promotion or
    partner price kept at confirmation) and Ticket.partner (a partner's ticket), issue 16."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    migrator = SchemaMigrator.from_database(db)
    wanted = {
        "order": {"regular_price": pw.DecimalField(max_digits=12, decimal_places=2, null=True),
                  "discount_kind": pw.CharField(max_length=16, default=""),
                  "discount_ref": pw.CharField(max_length=64, default=""),
                  "discount_label": pw.CharField(max_length=200, default="")},
        "ticket": {"partner": pw.BooleanField(default=False)},
    }
    operations = []
    for table, columns in wanted.items():
        present = {c.name for c in db.get_columns(table)}
        operations += [migrator.add_column(table, name, column) for name, column in columns.items()
                       if name not in present]
    if operations:
        run(*operations)


def _v11_linked_chats_partner_code_dismissals(db: pw.Database) -> None:
    """Chat.partner_code (the partner code a customer gave, carried to the linked chat) and the
    link offers a manager dismissed («Не связывать»), issues 15/16."""
    from playhouse.migrate import SchemaMigrator, migrate as run

    columns = {c.name for c in db.get_columns("chat")}
    if "partner_code" not in columns:
        run(SchemaMigrator.from_database(db).add_column(
            "chat", "partner_code", pw.CharField(max_length=32, default="")))
    db.create_tables([m.LinkOfferDismissal])


MIGRATIONS: list[tuple[int, str, Callable[[pw.Database], None]]] = [
    (1, "initial schema", _v1_initial),
    (2, "telegram inbox, channel cursor, ticket cards", _v2_telegram_inbox_cursor_cards),
    (3, "index messages by time (reports)", _v3_message_created_at_index),
    (4, "seats and the engine lease", _v4_seats_and_engine_lease),
    (5, "chat language", _v5_chat_language),
    (6, "chat promotions consent", _v6_chat_promotions_consent),
    (7, "message text facts (reports)", _v7_message_text_facts),
    (8, "announcements of promotions", _v8_announcements),
    (9, "linked chats (the same customer on two channels)", _v9_chat_links),
    (10, "order discount and partner tickets", _v10_order_discount_ticket_partner),
    (11, "linked chats: partner code, dismissed link offers", _v11_linked_chats_partner_code_dismissals),
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


MIGRATION_LOCK_KEY = 0x07707E0C  # pg_advisory_xact_lock key: "ottenok migrations"


def migrate(db: pw.Database, path: Path | None = None) -> list[int]:
    """Bring the schema up to LATEST_VERSION; returns the versions applied."""
    if isinstance(db, pw.PostgresqlDatabase):
        with db.atomic():
            db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            return _migrate(db, None)
    return _migrate(db, path)


def _migrate(db: pw.Database, path: Path | None) -> list[int]:
    db.create_tables([m.SchemaVersion])
    version = current_version(db)
    if version > LATEST_VERSION:
        raise RuntimeError(
            f"database schema v{version} is newer than this program understands (v{LATEST_VERSION})"
        )
    pending = [mig for mig in MIGRATIONS if mig[0] > version]
    if not pending:
        return []
    if isinstance(db, pw.SqliteDatabase):
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        backup_before_migration(path, version)
    applied: list[int] = []
    for number, name, apply in pending:
        with db.atomic():
            apply(db)
            m.SchemaVersion.create(version=number, name=name, applied_at=datetime.now(timezone.utc))
        log.info("database migrated to v%d (%s)", number, name)
        applied.append(number)
    return applied
