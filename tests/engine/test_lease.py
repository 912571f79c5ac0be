"""The engine lease state machine: a seat leads only while its renewals come back in time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ottenok_desktop.engine.lease import LeaseLost, LeaseMachine, LeaseState, LeaseView

AT = datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)


def view(instance: str, epoch: int, seat: str = "kassa") -> LeaseView:
    return LeaseView(seat, instance, epoch, AT)


def test_a_seat_leads_from_the_renewal_that_gave_it_the_lease_and_steps_down_on_its_own_clock() -> None:
    machine = LeaseMachine("me", leader_capable=True, lease_seconds=10, margin=1)
    assert machine.state is LeaseState.FOLLOWER
    assert machine.observed(view("other", 3), started=100.0) is None  # someone else leads
    change = machine.observed(view("me", 4), started=112.0)
    assert change is not None and change.state is LeaseState.LEADER and change.epoch == 4
    assert machine.deadline == 121.0  # started + lease - margin: before the database's expiry
    assert machine.observed(view("me", 4), started=115.0) is None and machine.deadline == 124.0  # renewed
    assert machine.failed(120.0) is None  # one failed renewal: still within the lease
    change = machine.expire(124.0)
    assert change is not None and change.state is LeaseState.FOLLOWER and not machine.leading


def test_a_leader_that_finds_another_holder_steps_down_at_once() -> None:
    machine = LeaseMachine("me", leader_capable=True, lease_seconds=10)
    machine.observed(view("me", 1), started=0.0)
    change = machine.observed(view("laptop", 2, seat="laptop-aigerim"), started=3.0)
    assert change is not None and change.state is LeaseState.FOLLOWER and "laptop-aigerim" in change.reason


def test_a_console_only_seat_never_leads() -> None:
    machine = LeaseMachine("me", leader_capable=False, lease_seconds=10)
    assert machine.observed(view("me", 9), started=0.0) is None
    assert machine.state is LeaseState.CONSOLE_ONLY and machine.released() is None


def test_release_and_the_typed_error() -> None:
    machine = LeaseMachine("me", leader_capable=True, lease_seconds=10)
    machine.observed(view("me", 5), started=0.0)
    assert machine.released().state is LeaseState.FOLLOWER
    error = LeaseLost(5, 6)
    assert error.held == 5 and error.current == 6 and "epoch 6" in str(error)
    assert "expired" in str(LeaseLost(5, 5, expired=True))
    with pytest.raises(ValueError):
        LeaseMachine("me", leader_capable=True, lease_seconds=0.5, margin=1)
