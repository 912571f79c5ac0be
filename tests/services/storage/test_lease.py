"""Seats and the engine lease on SQLite and PostgreSQL: one holder at a time, the epoch
grows at each change of holder, and a fenced write under an old epoch writes nothing."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from ottenok_desktop.engine.lease import LeaseLost
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import lease as repo
from ottenok_desktop.services.storage import outbox as ob
from ottenok_desktop.services.storage.models import EngineLease, OutboxItem
from tests.fakes.postgres import BACKENDS

pytestmark = pytest.mark.parametrize("db_backend", BACKENDS)
NOW = datetime(2026, 11, 30, 5, 0, tzinfo=timezone.utc)
CHAT = "77017778899@c.us"
KASSA = repo.SeatInfo("kassa", "Айгерим", "leader-capable", "KASSA-PC", "kassa-1")
LAPTOP = repo.SeatInfo("laptop", "Дана", "leader-capable", "DANA-LAPTOP", "laptop-1")


def expire_lease(database: Database) -> None:
    database.call_sync(lambda: EngineLease.update(expires_at=repo.db_now() - timedelta(seconds=1)).execute())


def test_one_holder_at_a_time_and_the_epoch_grows_at_each_change(database: Database) -> None:
    first = database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10)
    assert (first.holder_instance, first.epoch) == ("kassa-1", 1)
    assert database.call_sync(repo.acquire_or_renew, "laptop", "laptop-1", 10).holder_instance == "kassa-1"
    renewed = database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10)
    assert renewed.epoch == 1 and renewed.expires_at >= first.expires_at
    expire_lease(database)
    taken = database.call_sync(repo.acquire_or_renew, "laptop", "laptop-1", 10)
    assert (taken.holder_seat, taken.epoch) == ("laptop", 2)
    # the kassa PC comes back from sleep: its renewal does not take the lease back
    assert database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10).holder_instance == "laptop-1"
    # a restart of the same PC is a new instance: it waits like anyone else, then gets a new epoch
    assert database.call_sync(repo.release, "laptop-1")
    assert database.call_sync(repo.acquire_or_renew, "kassa", "kassa-2", 10).epoch == 3


def test_fencing_check_passes_for_the_holder_and_raises_for_an_old_epoch(database: Database) -> None:
    database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10)
    database.atomic_sync(repo.assert_epoch, 1)
    with pytest.raises(LeaseLost) as lost:
        database.atomic_sync(repo.assert_epoch, 0)
    assert (lost.value.held, lost.value.current) == (0, 1)
    expire_lease(database)
    with pytest.raises(LeaseLost) as lost:  # nobody took over, but the lease ran out: no more writes
        database.atomic_sync(repo.assert_epoch, 1)
    assert lost.value.expired


def test_a_stale_leader_claims_nothing_from_the_outbox(database: Database) -> None:
    queued = database.atomic_sync(ob.queue_text, CHAT, "Здравствуйте! Да, кроссовки NB 530 есть в 38", "bot", NOW)
    database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10)
    expire_lease(database)
    database.call_sync(repo.acquire_or_renew, "laptop", "laptop-1", 10)  # epoch 2
    with pytest.raises(LeaseLost):
        database.atomic_sync(ob.claim_next, CHAT, NOW, 1)
    assert database.call_sync(lambda: OutboxItem.get_by_id(queued.id).state) == "pending"
    job, _ = database.atomic_sync(ob.claim_next, CHAT, NOW, 2)
    assert job is not None and job.outbox_id == queued.id


def test_a_fenced_database_checks_every_transaction(database: Database) -> None:
    database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10)
    database.set_fence(1)
    database.atomic_sync(ob.queue_text, CHAT, "Какой размер нужен?", "bot", NOW)
    expire_lease(database)
    with pytest.raises(LeaseLost):
        database.atomic_sync(ob.queue_text, CHAT, "Это сообщение не должно уйти", "bot", NOW)
    database.set_fence(None)
    texts = database.call_sync(lambda: [i.text for i in OutboxItem.select()])
    assert texts == ["Какой размер нужен?"]


def test_seats_and_status(database: Database) -> None:
    database.call_sync(repo.heartbeat, KASSA, None)
    database.call_sync(repo.heartbeat, LAPTOP, None)
    database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 10)
    status = database.call_sync(repo.status, 30)
    assert status["leader"] == "kassa" and status["epoch"] == 1 and status["lease_live"]
    seats = {s["seat_id"]: s for s in status["seats"]}
    assert seats["kassa"]["leader"] and not seats["laptop"]["leader"]
    assert seats["laptop"]["manager"] == "Дана" and seats["laptop"]["online"]
    database.call_sync(repo.heartbeat, repo.SeatInfo("laptop", "Дана", "console-only", "DANA-LAPTOP", "laptop-2"), None)
    assert {s["seat_id"]: s["role"] for s in database.call_sync(repo.list_seats, 30)}["laptop"] == "console-only"


def test_a_take_over_waits_for_a_fenced_write_in_progress(database: Database, db_backend: str) -> None:
    if db_backend != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    database.call_sync(repo.acquire_or_renew, "kassa", "kassa-1", 2)
    other = Database(database.url).open_sync()
    inside = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def long_write() -> None:
        repo.assert_epoch(1)
        inside.set()
        release.wait(10)
        order.append("write committed")

    writer = threading.Thread(target=database.atomic_sync, args=(long_write,))
    writer.start()
    inside.wait(10)
    time.sleep(2.1)  # the lease has now expired while the write holds its check

    def take_over() -> None:
        other.call_sync(repo.acquire_or_renew, "laptop", "laptop-1", 10)
        order.append("taken over")

    taker = threading.Thread(target=take_over)
    taker.start()
    taker.join(0.5)
    assert taker.is_alive()  # the take-over waits for the fenced transaction
    release.set()
    writer.join(10)
    taker.join(10)
    other.close_sync()
    assert order == ["write committed", "taken over"]
