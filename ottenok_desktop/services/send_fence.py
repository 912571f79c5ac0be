"""The last check before a leading seat's outbound HTTP send (GREEN-API, Telegram).

Every leader transaction is fenced with the lease's epoch (storage/lease.py:
`assert_epoch`), but GREEN-API and Telegram take no fencing token: a leader frozen
(SIGSTOP, a laptop lid, a debugger) between its fenced claim of an outbox item and the
HTTP request would send that message when it wakes, after the new leader reconciled
the item as not sent and sent it itself. So, right before each request:

1. `window()` asks the database — its clock, not ours, which a frozen process cannot
   trust — how long the lease held under this engine's epoch has left, and refuses
   (`SendRefused`) unless at least `margin` seconds remain. If the answer says `left`
   seconds, the request must *start* before `issued + left - margin` on this PC's clock
   (`issued` = when the question was asked, so the answer's travel time only shrinks
   the window).
2. `confirm(deadline)`, with no await between it and the HTTP call, refuses if that
   local deadline has passed (the process froze or slept after the answer came back);
   `start_within(deadline)` bounds the HTTP client's wait for a connection by it, so a
   request cannot sit in a pool or a TCP connect past the window and go out later.

So a leader's request starts at least `margin` before its lease expires; the new
leader takes over only after the expiry and resends a claimed-but-unconfirmed item only
after looking for it in `lastOutgoingMessages` for `GREEN_API_RECONCILE_GRACE` more
seconds (docs/SEATS.md: "The last check before a send" gives the whole argument).

The local clock counts time spent suspended (Linux `CLOCK_BOOTTIME`): a laptop that
slept after the check must not believe no time passed. Without a fence (SQLite, one PC;
a console that does not lead) `window()` returns None at once: nothing is asked.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Callable

from .storage import Database
from .storage import lease as repo
from .storage.database import URGENT

log = logging.getLogger(__name__)


def lease_clock() -> float:
    """Seconds on a clock that keeps counting while the machine is suspended."""
    if sys.platform.startswith("linux"):
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    # elsewhere whether it counts sleep depends on the OS; the database check does not
    return time.monotonic()


def send_margin(lease_seconds: float) -> float:
    """How much lease must remain for a send to start: a fifth of the lease, at least 1 s
    (2 s of the default 10 s; the holder renews every lease/5, so a healthy leader has
    between 4/5 and all of its lease left)."""
    return max(1.0, lease_seconds / 5)


class SendRefused(RuntimeError):
    """The send was not made: the lease is gone (`lost`) or too close to its end."""

    def __init__(self, reason: str, *, lost: bool) -> None:
        super().__init__(reason)
        self.lost = lost


class SendFence:
    def __init__(self, db: Database, *, margin: float, clock: Callable[[], float] = lease_clock) -> None:
        self._db = db
        self.margin = margin
        self._clock = clock
        self.checks = 0  # database checks made (0 on SQLite: nothing to pay there)
        self.refused = 0

    async def window(self) -> float | None:
        """The local-clock deadline by which the request must start, or None when this
        engine is not fenced. Raises SendRefused (and tells the seat, if lost)."""
        epoch = self._db.fence
        if epoch is None:
            return None
        issued = self._clock()
        self.checks += 1
        try:
            left = await self._db.call(repo.lease_left, epoch, priority=URGENT)
        except Exception as exc:  # the database is out of reach: not sure we lead, so no send
            raise self._refuse(f"lease check failed ({type(exc).__name__})", lost=False) from None
        if left <= 0.0:
            raise self._refuse(f"the engine lease of epoch {epoch} expired or passed to another seat", lost=True)
        if left < self.margin:
            raise self._refuse(f"only {left:.1f}s of the engine lease left (need {self.margin:.1f}s)", lost=False)
        deadline = issued + left - self.margin
        self.confirm(deadline)
        return deadline

    def confirm(self, deadline: float | None) -> None:
        """Call with no await between it and the HTTP request."""
        if deadline is not None and self._clock() >= deadline:
            raise self._refuse("the send window closed before the request (this process was paused)", lost=True)

    def start_within(self, deadline: float | None) -> float | None:
        """Seconds the HTTP client may wait for a connection before the window closes."""
        if deadline is None:
            return None
        return max(0.001, deadline - self._clock())

    def _refuse(self, reason: str, *, lost: bool) -> SendRefused:
        self.refused += 1
        if lost:
            self._db.lease_lost()
        return SendRefused(reason, lost=lost)
