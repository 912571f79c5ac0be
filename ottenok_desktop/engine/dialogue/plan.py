"""`TurnPlan`: everything one turn will write and announce, gathered while it decides.

The responder decides and writes nothing: order changes, stock holds and releases, ticket
changes, audit rows and the saved dialogue state go into the plan as plain data, and the
plan travels with the `Reply`. The dispatcher commits plan, outbox rows and "messages
answered" in ONE transaction (`services/storage/turns.commit_turn`), and only while the
bot still owns the chat; events wait in the plan and are published after that commit. So
a crash mid-turn leaves nothing half-written (the restarted turn decides the same again),
a take-over racing the commit never confirms an order whose reply was dropped, and a
preview (the console's knowledge test box) runs the very same decisions and simply never
commits the plan: no rows, no events.

Ids of rows the turn creates are not known until the commit: ops, events and the state
refer to them as `NEW`, and the storage/publisher put the real ids in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Mapping

from ottenok_desktop.engine.events import Event

from .pricing import Hold

NEW = -1  # "the order / ticket this turn creates"

# op names the storage layer knows how to apply
CREATE_ORDER = "create_order"
UPDATE_ORDER = "update_order"
ORDER_STATE = "order_state"
CREATE_TICKET = "create_ticket"
ADD_TO_TICKET = "add_to_ticket"
RESERVE = "reserve"
RELEASE = "release"
PROMO_CONSENT = "promo_consent"  # issue 16: opt in/out of promotions, with time and source
PARTNER_CODE = "partner_code"  # a recognised partner code given: kept, and carried to the linked chat


@dataclass(frozen=True)
class CreatedIds:
    """Ids the commit gave to rows the plan created (None = nothing of that kind created)."""

    order_id: int | None = None
    ticket_id: int | None = None


@dataclass
class TurnPlan:
    chat_id: str
    now: datetime
    ops: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    state_json: str | None = None  # the dialogue state to save (may hold NEW ids)

    # ---- orders ----------------------------------------------------------------------
    def create_order(self, values: Mapping[str, Any], actor: str = "bot") -> int:
        self.ops.append((CREATE_ORDER, {"values": dict(values), "actor": actor}))
        return NEW

    def update_order(self, order_id: int, values: Mapping[str, Any], actor: str = "bot") -> None:
        self.ops.append((UPDATE_ORDER, {"order_id": order_id, "values": dict(values), "actor": actor}))

    def order_state(self, order_id: int, state: str, actor: str = "bot", **details: Any) -> None:
        self.ops.append((ORDER_STATE, {"order_id": order_id, "state": state, "actor": actor, "details": details}))

    def reserve(self, order_id: int, hold: "Hold") -> None:
        """Hold a stock line; the store refusing it (someone else took the last pair meanwhile)
        rolls the whole turn back (`ReservationRefused`)."""
        self.ops.append((RESERVE, {"order_id": order_id, "item_key": hold.item_key, "quantity": hold.quantity,
                                   "version": hold.version, "on_file": hold.on_file}))

    def release(self, order_id: int) -> None:
        self.ops.append((RELEASE, {"order_id": order_id}))

    # ---- tickets ---------------------------------------------------------------------
    def create_ticket(self, kind: str, summary: str, details: Mapping[str, Any], partner: bool = False) -> int:
        """`partner`: a recognised partner's ticket (marked, and first in the console's queue)."""
        self.ops.append((CREATE_TICKET, {"kind": kind, "summary": summary, "details": dict(details),
                                         "partner": partner}))
        return NEW

    def add_to_ticket(self, ticket_id: int, text: str, attachments: list[dict[str, Any]]) -> None:
        self.ops.append((ADD_TO_TICKET, {"ticket_id": ticket_id, "text": text, "attachments": attachments}))

    def promo_consent(self, opt_in: bool, source: str = "customer") -> None:
        self.ops.append((PROMO_CONSENT, {"opt_in": opt_in, "source": source}))

    def partner_code(self, code: str) -> None:
        """The customer gave a partner code that partners.xlsx knows: the chat keeps it, and so
        does the chat it is linked to (the same person on the other channel)."""
        self.ops.append((PARTNER_CODE, {"code": code}))

    # ---- state and events ------------------------------------------------------------
    def save_state(self, state_json: str) -> None:
        self.state_json = state_json

    def publish(self, event: Event) -> None:
        self.events.append(event)

    @property
    def writes(self) -> bool:
        return bool(self.ops) or self.state_json is not None

    def events_with(self, ids: CreatedIds) -> list[Event]:
        """The events with NEW ids replaced by the ids the commit gave."""
        done: list[Event] = []
        for event in self.events:
            names = {f.name for f in fields(event)}
            changes: dict[str, int] = {}
            if "order_id" in names and getattr(event, "order_id") == NEW and ids.order_id is not None:
                changes["order_id"] = ids.order_id
            if "ticket_id" in names and getattr(event, "ticket_id") == NEW and ids.ticket_id is not None:
                changes["ticket_id"] = ids.ticket_id
            done.append(replace(event, **changes) if changes else event)
        return done
