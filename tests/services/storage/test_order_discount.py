"""Migration 10 on SQLite and PostgreSQL: an older database gets the order's discount columns
and the ticket's partner flag; the promised price round-trips through the order rows."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from ottenok_desktop.services.storage import orders
from ottenok_desktop.services.storage.migrations import migrate
from ottenok_desktop.services.storage.models import SchemaVersion
from tests.fakes.postgres import BACKENDS

NOW = datetime(2026, 11, 30, 18, 40, tzinfo=timezone.utc)
CHAT = "77011234567@c.us"
NEW_COLUMNS = {"order": ("regular_price", "discount_kind", "discount_ref", "discount_label"), "ticket": ("partner",)}


@pytest.mark.parametrize("db_backend", BACKENDS)
def test_v10_adds_the_columns_to_an_older_database_and_keeps_rows(database: Any) -> None:
    def back_to_v6() -> None:
        order = orders.create_order(CHAT, NOW, "bot", {"product": "Лоферы Chanel", "price": 285000})
        for table, columns in NEW_COLUMNS.items():
            for column in columns:
                database.peewee.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
        SchemaVersion.delete().where(SchemaVersion.version >= 10).execute()
        assert order.id

    database.call_sync(back_to_v6)
    applied = database.call_sync(lambda: migrate(database.peewee))
    assert applied[0] == 10  # and any later ones

    def columns() -> dict[str, set[str]]:
        conn = database.peewee
        return {table: {c.name for c in conn.get_columns(table)} for table in NEW_COLUMNS}

    present = database.call_sync(columns)
    for table, wanted in NEW_COLUMNS.items():
        assert set(wanted) <= present[table]

    def keep_promise() -> dict[str, Any]:
        (row,) = orders.list_orders()
        orders.update_fields(row["id"], {"price": 256500, "regular_price": 285000, "discount_kind": "promotion",
                                         "discount_ref": "a1b2c3d4e5", "discount_label": "Chanel −10%"}, "bot", NOW)
        return orders.order_dict(orders.get_order(row["id"]))  # type: ignore[arg-type]

    row = database.call_sync(keep_promise)
    assert (row["product"], row["price"], row["regular_price"]) == ("Лоферы Chanel", "256500", "285000")
    assert (row["discount_kind"], row["discount_ref"], row["discount_label"]) == (
        "promotion", "a1b2c3d4e5", "Chanel −10%")


@pytest.mark.parametrize("db_backend", BACKENDS)
def test_partner_tickets_first_among_the_waiting(database: Any) -> None:
    from datetime import timedelta

    from ottenok_desktop.services.storage import queries as q
    from ottenok_desktop.services.storage import tickets
    from ottenok_desktop.services.telegram.cards import waiting_without_card

    def seed() -> list[int]:
        early = tickets.create_ticket("77011110000@c.us", "other", "позовите менеджера", {}, NOW)
        served = tickets.create_ticket("77015550102@c.us", "other", "соедините со специалистом", {},
                                       NOW + timedelta(minutes=1), partner=True)
        tickets.take(served.id, "Айгуль", NOW + timedelta(minutes=2))
        late = tickets.create_ticket("77019990011@c.us", "other", "нужен менеджер по опту", {},
                                     NOW + timedelta(minutes=3), partner=True)
        return [early.id, served.id, late.id]

    early, served, late = database.call_sync(seed)
    queue = database.call_sync(q.tickets)
    assert [(t.id, t.partner) for t in queue] == [(late, True), (early, False), (served, True)]
    assert database.call_sync(waiting_without_card) == [late, early]
