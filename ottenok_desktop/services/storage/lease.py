"""Seats and the engine lease in the database (see engine/lease.py for the rules).

Times come from the database server's clock on PostgreSQL (seats' clocks may differ),
from this PC's on SQLite (one PC). `acquire_or_renew` is one conditional UPDATE: it
renews the caller's own lease, or takes an expired one and adds one to the epoch.
`assert_epoch` is the fencing check for leader writes: call it inside the write
transaction; on PostgreSQL it reads the lease row `FOR SHARE`, so a take-over waits
for the transaction to end and every committed leader write happened under a lease
that was valid when it committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import peewee as pw

from ottenok_desktop.engine.lease import LeaseLost, LeaseView

from .models import BaseModel, EngineLease, Seat

LEASE_ID = 1


@dataclass(frozen=True)
class SeatInfo:
    seat_id: str
    manager: str
    role: str  # leader-capable | console-only
    host: str
    instance: str


def _db() -> pw.Database:
    return BaseModel._meta.database


def db_now() -> datetime:
    """Now, aware UTC, by the database's clock."""
    db = _db()
    if isinstance(db, pw.PostgresqlDatabase):
        (value,) = db.execute_sql("SELECT clock_timestamp() AT TIME ZONE 'UTC'").fetchone()
        return value.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def heartbeat(seat: SeatInfo, started_at: datetime | None = None) -> datetime:
    """Create or refresh this seat's row; returns the database time used."""
    now = db_now()
    update: dict[Any, Any] = {Seat.manager: seat.manager, Seat.role: seat.role, Seat.host: seat.host,
                              Seat.instance: seat.instance, Seat.last_seen: now}
    if started_at is not None:
        update[Seat.started_at] = started_at
    (Seat.insert(seat_id=seat.seat_id, manager=seat.manager, role=seat.role, host=seat.host, instance=seat.instance,
                 started_at=started_at or now, last_seen=now)
     .on_conflict(conflict_target=[Seat.seat_id], update=update).execute())
    return now


def read_lease() -> LeaseView:
    row = EngineLease.get_or_none(EngineLease.id == LEASE_ID)
    if row is None:
        return LeaseView("", "", 0, None)
    return LeaseView(row.holder_seat, row.holder_instance, int(row.epoch), row.expires_at)


def acquire_or_renew(seat_id: str, instance: str, lease_seconds: float) -> LeaseView:
    """Renew this instance's lease, or take it if it is free or expired (epoch + 1).
    Run in autocommit (`db.call`), not inside a long transaction."""
    now = db_now()
    expires = now + timedelta(seconds=lease_seconds)
    mine = EngineLease.holder_instance == instance
    (EngineLease.update(
        holder_seat=seat_id,
        holder_instance=instance,
        epoch=pw.Case(None, [(mine, EngineLease.epoch)], EngineLease.epoch + 1),
        acquired_at=pw.Case(None, [(mine, EngineLease.acquired_at)], now),
        expires_at=expires,
    ).where((EngineLease.id == LEASE_ID) & (mine | EngineLease.expires_at.is_null() | (EngineLease.expires_at < now)))
     .execute())
    return read_lease()


def release(instance: str) -> bool:
    """A clean stop: let another seat take over at once (the epoch stays; the next holder adds one)."""
    return bool(EngineLease.update(expires_at=db_now() - timedelta(seconds=1))
                .where((EngineLease.id == LEASE_ID) & (EngineLease.holder_instance == instance)).execute())


def assert_epoch(epoch: int) -> None:
    """Fencing check: raise LeaseLost unless `epoch` holds the unexpired lease. Call it
    first inside a leader's write transaction (`db.atomic`)."""
    db = _db()
    if isinstance(db, pw.PostgresqlDatabase):
        row = db.execute_sql(
            "SELECT epoch, expires_at IS NULL OR expires_at < clock_timestamp() AT TIME ZONE 'UTC' "
            "FROM engine_lease WHERE id = %s FOR SHARE", (LEASE_ID,),
        ).fetchone()
        current, expired = (int(row[0]), bool(row[1])) if row else (0, True)
    else:
        view = read_lease()
        current = view.epoch
        expired = view.expires_at is None or view.expires_at < datetime.now(timezone.utc)
    if current != epoch or expired:
        raise LeaseLost(epoch, current, expired)


def lease_left(epoch: int) -> float:
    """Seconds the lease held under `epoch` has left, by the database's clock; 0.0 if it
    expired or another epoch holds it. One indexed read, no lock: the last check before a
    leader's outbound HTTP send (services/send_fence.py)."""
    db = _db()
    if isinstance(db, pw.PostgresqlDatabase):
        row = db.execute_sql(
            "SELECT epoch, EXTRACT(EPOCH FROM expires_at - clock_timestamp() AT TIME ZONE 'UTC') "
            "FROM engine_lease WHERE id = %s", (LEASE_ID,),
        ).fetchone()
        current, left = (int(row[0]), float(row[1]) if row[1] is not None else 0.0) if row else (0, 0.0)
    else:
        view = read_lease()
        current = view.epoch
        left = (view.expires_at - datetime.now(timezone.utc)).total_seconds() if view.expires_at else 0.0
    return max(0.0, left) if current == epoch else 0.0


def list_seats(online_within: float) -> list[dict[str, Any]]:
    """Every seat with its last sign of life; `online` if seen within `online_within` seconds."""
    now = db_now()
    lease = read_lease()
    leader_live = lease.expires_at is not None and lease.expires_at > now
    rows = []
    for seat in Seat.select().order_by(Seat.seat_id):
        rows.append({
            "seat_id": seat.seat_id, "manager": seat.manager, "role": seat.role, "host": seat.host,
            "started_at": seat.started_at.isoformat(), "last_seen": seat.last_seen.isoformat(),
            "online": (now - seat.last_seen).total_seconds() <= online_within,
            "leader": leader_live and seat.instance == lease.holder_instance,
        })
    return rows


def status(online_within: float) -> dict[str, Any]:
    """What `seats --json` prints: the seats, the leader and the epoch."""
    now = db_now()
    lease = read_lease()
    live = lease.expires_at is not None and lease.expires_at > now
    return {
        "seats": list_seats(online_within),
        "leader": lease.holder_seat if live else None,
        "epoch": lease.epoch,
        "lease_expires_at": lease.expires_at.isoformat() if lease.expires_at else None,
        "lease_live": live,
        "database_time": now.isoformat(),
    }
