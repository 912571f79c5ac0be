"""The stored text facts of messages (`message.text_facts`, migration v7): computed when a
message is written or its text changes, and for rows without them (written before v7, by
another tool, or by an older classifier: `engine.analytics.facts.FACTS_VERSION`) filled in
by the migration's backfill and by the report loader, which stores what it had to compute.

System rows never get facts (reports leave them out). Writes group rows by value, one
`UPDATE … WHERE id IN (…)` per value and batch (a message has one of a few dozen values),
which both SQLite and PostgreSQL run quickly; recomputing is deterministic, so two seats
storing the same row's facts at once store the same value.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Iterable

import peewee as pw

from ottenok_desktop.engine.analytics.facts import HIGH, LOW, stored_facts

from .models import Message

log = logging.getLogger(__name__)

SYSTEM = "system"
BATCH = 2000  # rows per backfill step
ID_CHUNK = 500  # ids per IN list


def facts_for(direction: str, sender_kind: str, text: str | None) -> int | None:
    """What to store in `text_facts` for a message being written (None for system rows)."""
    if sender_kind == SYSTEM:
        return None
    return stored_facts(text or "", direction == "in")


def needs_facts() -> pw.Expression:
    """Rows whose facts are missing or from another classifier version."""
    return ((Message.sender_kind != SYSTEM)
            & (Message.text_facts.is_null() | (Message.text_facts < LOW) | (Message.text_facts >= HIGH)))


def store(values: dict[int, int]) -> None:
    """Store message id → facts, one statement per distinct value and id chunk."""
    by_value: dict[int, list[int]] = defaultdict(list)
    for message_id, value in values.items():
        by_value[value].append(message_id)
    with Message._meta.database.atomic():
        for value, ids in by_value.items():
            for i in range(0, len(ids), ID_CHUNK):
                Message.update(text_facts=value).where(Message.id.in_(ids[i:i + ID_CHUNK])).execute()


def compute_for_ids(ids: Iterable[int]) -> dict[int, int]:
    """Read these messages' texts, compute their facts and store them; id → facts."""
    ids = list(ids)
    values: dict[int, int] = {}
    for i in range(0, len(ids), ID_CHUNK):
        rows = (Message.select(Message.id, Message.direction, Message.sender_kind, Message.text)
                .where(Message.id.in_(ids[i:i + ID_CHUNK])).tuples())
        for message_id, direction, kind, text in rows:
            value = facts_for(direction, kind, text)
            if value is not None:
                values[message_id] = value
    if values:
        store(values)
    return values


def backfill(batch: int = BATCH) -> int:
    """Compute the facts of every row that lacks them (or has stale ones), `batch` rows at a
    time in id order; returns how many rows were filled."""
    done, last = 0, 0
    while True:
        rows = list(Message.select(Message.id, Message.direction, Message.sender_kind, Message.text)
                    .where(needs_facts() & (Message.id > last)).order_by(Message.id).limit(batch).tuples())
        if not rows:
            break
        values = {r[0]: v for r in rows if (v := facts_for(r[1], r[2], r[3])) is not None}
        store(values)
        done += len(values)
        last = rows[-1][0]
        if done and done % (batch * 50) < batch:
            log.info("text facts: %d messages done", done)
    return done
