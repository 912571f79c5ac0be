"""The tickets tab marks a partner's ticket «партнёр» (issue 16); the queue order is the storage
query's (tests/engine/dialogue/test_partner_tickets.py)."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Qt

from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.services.storage.queries import TicketRow
from ottenok_desktop.ui import strings as S
from ottenok_desktop.ui.tickets_tab import TicketsModel

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)


def _row(ticket_id: int, customer: str, partner: bool) -> TicketRow:
    return TicketRow(id=ticket_id, chat_id=f"{ticket_id}@c.us", customer=customer, kind="other", status="WAITING",
                     summary="Клиент просит менеджера: соедините со специалистом", manager="", created_at=NOW,
                     assigned_at=None, partner=partner)


def test_partner_ticket_shows_the_badge(qapp: Any) -> None:
    model = TicketsModel(SimpleNamespace(engine=SimpleNamespace(clock=ManualClock(NOW))))  # type: ignore[arg-type]
    model.set_rows([_row(2, "Динара", True), _row(1, "Айгерим", False)])
    customers = [model.data(model.index(r, 1), Qt.ItemDataRole.DisplayRole) for r in range(2)]
    assert customers == [f"Динара · {S.BADGE_PARTNER}", "Айгерим"]
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ForegroundRole) is not None
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole) is None
