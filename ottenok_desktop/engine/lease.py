"""The engine lease, seen from one seat: a pure state machine.

Several seats share one database; exactly one program instance may run the bot engine
(poll GREEN-API, send, follow up, reload stock). It holds the *engine lease*: a database
row with an expiry and an epoch that grows by one whenever the holder changes. The
holder renews it every few seconds; any leader-capable seat takes it over once it has
expired. Every leader write checks its epoch inside its transaction (fencing), so a
leader that lost the lease — laptop asleep, network cut, process frozen — can never
send or commit again, even before it notices.

This module decides, from what the seat observed and its own monotonic clock, whether
it leads. A leader steps down on its own once its *local* deadline passes without a
successful renewal (a renewal that began at monotonic time `t` keeps it leading until
`t + lease - margin`: the database set the expiry at or after `t`, so the seat always
steps down before any other seat may take over). The storage side lives in
services/storage/lease.py; the loop that ticks it in services/seats.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class LeaseState(StrEnum):
    CONSOLE_ONLY = "console-only"  # this seat never leads
    FOLLOWER = "follower"  # another instance leads, or nobody yet
    LEADER = "leader"  # this instance runs the engine, under `epoch`


class LeaseLost(RuntimeError):
    """A leader write found the lease held by another epoch, or expired: nothing was written."""

    def __init__(self, held: int, current: int, expired: bool = False) -> None:
        self.held = held
        self.current = current
        self.expired = expired
        why = "expired" if expired and held == current else f"now epoch {current}"
        super().__init__(f"engine lease lost: this seat holds epoch {held}, the lease is {why}")


@dataclass(frozen=True)
class LeaseView:
    """The lease row as read from the database."""

    holder_seat: str
    holder_instance: str
    epoch: int
    expires_at: datetime | None


@dataclass(frozen=True)
class LeaseChange:
    state: LeaseState
    epoch: int
    reason: str


class LeaseMachine:
    def __init__(self, instance: str, *, leader_capable: bool, lease_seconds: float, margin: float = 1.0) -> None:
        if lease_seconds <= margin:
            raise ValueError("lease_seconds must exceed the safety margin")
        self.instance = instance
        self.lease_seconds = lease_seconds
        self.margin = margin
        self.state = LeaseState.FOLLOWER if leader_capable else LeaseState.CONSOLE_ONLY
        self.epoch = 0
        self.deadline = 0.0  # monotonic time the leader steps down at, unless renewed
        self.view: LeaseView | None = None

    @property
    def leading(self) -> bool:
        return self.state is LeaseState.LEADER

    def observed(self, view: LeaseView, started: float) -> LeaseChange | None:
        """A tick that began at monotonic `started` read `view` (after trying to acquire or renew)."""
        self.view = view
        if self.state is LeaseState.CONSOLE_ONLY:
            return None
        mine = view.holder_instance == self.instance
        if mine and self.state is LeaseState.LEADER and view.epoch == self.epoch:
            self.deadline = started + self.lease_seconds - self.margin
            return None
        if mine:
            self.state, self.epoch = LeaseState.LEADER, view.epoch
            self.deadline = started + self.lease_seconds - self.margin
            return LeaseChange(LeaseState.LEADER, view.epoch, "acquired the engine lease")
        if self.state is LeaseState.LEADER:
            return self._step_down(f"the lease passed to {view.holder_seat or 'nobody'} (epoch {view.epoch})")
        return None

    def failed(self, now: float) -> LeaseChange | None:
        """A tick could not reach the database; a leader keeps leading only until its deadline."""
        return self.expire(now)

    def expire(self, now: float) -> LeaseChange | None:
        if self.state is LeaseState.LEADER and now >= self.deadline:
            return self._step_down("the lease could not be renewed in time")
        return None

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.deadline - now) if self.leading else 0.0

    def released(self) -> LeaseChange | None:
        """This instance gave the lease up (a clean stop)."""
        if self.state is LeaseState.LEADER:
            return self._step_down("released at stop")
        return None

    def _step_down(self, reason: str) -> LeaseChange:
        self.state = LeaseState.FOLLOWER
        return LeaseChange(LeaseState.FOLLOWER, self.epoch, reason)
