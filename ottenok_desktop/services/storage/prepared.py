"""Prepared queries: peewee builds the SQL once (in the dialect of the database in use);
later calls only bind new parameters.

Peewee compiles a query to SQL on every execution, which costs far more than SQLite
takes to run a small indexed statement. The channel's hot path (storing notifications,
applying statuses, the outbox) runs a few statements per message, so those statements
are written as ordinary peewee queries over named markers and executed through
`Prepared`, which caches the compiled text per database and binds values by name.
Values must already be database values (`db_time` for datetimes); boolean columns
cannot be markers (peewee coerces them), so hot-path statements avoid them. Values
peewee binds on its own (column defaults, constants like the 1 in `unanswered + 1`)
are kept as they were compiled.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timezone
from typing import Any, Callable

import peewee as pw

from .models import BaseModel

_MARK = "\x00prepared:"


class _Markers:
    def __getattr__(self, name: str) -> str:
        return _MARK + name


def db_time(value: datetime | None) -> str | None:
    """An aware datetime as UtcDateTimeField stores it (naive UTC text)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return str(value)


class _Compiled:
    """A statement's SQL, its parameter slots (marker name or a value kept as compiled)
    and the marker names it takes."""

    __slots__ = ("sql", "slots", "names")

    def __init__(self, sql: str, slots: tuple[tuple[bool, Any], ...], names: frozenset[str]) -> None:
        self.sql = sql
        self.slots = slots
        self.names = names


class Prepared:
    def __init__(self, build: Callable[[Any], pw.Query]) -> None:
        self._build = build
        # keyed by the database object itself (weakly): an id() could be reused by a later
        # database of another dialect (SQLite "?" vs PostgreSQL "%s")
        self._compiled: weakref.WeakKeyDictionary[pw.Database, _Compiled] = weakref.WeakKeyDictionary()
        # The database of the last call and its statement: the usual case, looked up
        # without making a weak reference on every call.
        self._last: tuple[weakref.ref[pw.Database], _Compiled] | None = None

    def _compile(self, database: pw.Database) -> "_Compiled":
        last = self._last
        if last is not None and last[0]() is database:
            return last[1]
        compiled = self._compiled.get(database)
        if compiled is None:
            sql, params = self._build(_Markers()).sql()
            slots = tuple(
                (True, value[len(_MARK):]) if isinstance(value, str) and value.startswith(_MARK) else (False, value)
                for value in params
            )
            compiled = _Compiled(sql, slots, frozenset(name for is_marker, name in slots if is_marker))
            self._compiled[database] = compiled
        self._last = (weakref.ref(database), compiled)
        return compiled

    def execute(self, **values: Any) -> Any:
        database = BaseModel._meta.database
        compiled = self._compile(database)
        if values.keys() != compiled.names:
            raise ValueError(f"prepared query takes {sorted(compiled.names)}, got {sorted(values)}")
        return database.execute_sql(compiled.sql, tuple(values[v] if is_marker else v for is_marker, v in compiled.slots))

    def first(self, **values: Any) -> tuple[Any, ...] | None:
        return self.execute(**values).fetchone()

    def all(self, **values: Any) -> list[tuple[Any, ...]]:
        return list(self.execute(**values).fetchall())

    def count(self, **values: Any) -> int:
        return int(self.execute(**values).rowcount)

    def insert(self, **values: Any) -> int:
        cursor = self.execute(**values)
        if BaseModel._meta.database.returning_clause:  # PostgreSQL: INSERT … RETURNING id
            return int(cursor.fetchone()[0])
        return int(cursor.lastrowid)
