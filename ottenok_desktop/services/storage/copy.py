"""Copy one database into another: a shop moving from one PC (SQLite) to several seats
(PostgreSQL). `python -m ottenok_desktop db copy --to postgresql://…` runs it.

Every shop table is copied row for row with its ids (so references stay right), in
dependency order, in one target transaction; the target must hold no shop data yet.
PostgreSQL's id sequences are then moved past the copied ids, and the row counts of
both sides are compared table by table. Per-seat tables (seats, the engine lease)
are not copied: they describe running programs, not the shop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from . import models as m
from .database import Database

BATCH = 500
NOT_COPIED = frozenset({"schema_version", "seat", "engine_lease"})


class CopyError(RuntimeError):
    """The copy cannot start or did not verify; the message says why (never a password)."""


@dataclass
class CopyReport:
    tables: dict[str, int] = field(default_factory=dict)  # table → rows copied (== rows in the target)

    @property
    def total(self) -> int:
        return sum(self.tables.values())


def copied_models() -> list[type[m.BaseModel]]:
    return [model for model in m.ALL_MODELS if model._meta.table_name not in NOT_COPIED]


def _counts() -> dict[str, int]:
    return {model._meta.table_name: model.select().count() for model in copied_models()}


def _batch(model: type[m.BaseModel], after: Any) -> list[dict[str, Any]]:
    pk = model._meta.primary_key
    query = model.select().order_by(pk).limit(BATCH)
    if after is not None:
        query = query.where(pk > after)
    return list(query.dicts())


def _reset_sequences(db: pw.Database) -> None:
    for model in copied_models():
        pk = model._meta.primary_key
        if not isinstance(pk, pw.AutoField):
            continue
        table, column = model._meta.table_name, pk.column_name
        db.execute_sql(
            f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) '
            f'FROM "{table}"',
            (f'"{table}"', column),
        )


def _copy_into_target(source: Database) -> dict[str, int]:
    """Runs on the target's DB thread, inside its transaction; reads from the source's."""
    nonempty = {table: n for table, n in _counts().items() if n}
    if nonempty:
        raise CopyError(f"the target database already holds shop data ({', '.join(sorted(nonempty))}); "
                        "copy only into an empty database")
    copied: dict[str, int] = {}
    for model in copied_models():
        pk_name = model._meta.primary_key.name
        after: Any = None
        total = 0
        while True:
            rows = source.call_sync(_batch, model, after)
            if not rows:
                break
            model.insert_many(rows).execute()
            total += len(rows)
            after = rows[-1][pk_name]
        copied[model._meta.table_name] = total
    database = m.BaseModel._meta.database
    if isinstance(database, pw.PostgresqlDatabase):
        _reset_sequences(database)
    return copied


def copy_database(source: Database, target: Database) -> CopyReport:
    """Copy every shop table of `source` into the empty `target` (both open)."""
    source_version = source.call_sync(_schema_version)
    target_version = target.call_sync(_schema_version)
    if source_version != target_version:
        raise CopyError(f"schema versions differ: source v{source_version}, target v{target_version}")
    copied = target.atomic_sync(_copy_into_target, source)
    expected, found = source.call_sync(_counts), target.call_sync(_counts)
    if not (expected == found == copied):
        diff = {t: (expected.get(t), found.get(t)) for t in expected if expected.get(t) != found.get(t)}
        raise CopyError(f"row counts differ after the copy (source, target): {diff}")
    return CopyReport(tables=found)


def _schema_version() -> int:
    from .migrations import current_version

    return current_version(m.BaseModel._meta.database)
