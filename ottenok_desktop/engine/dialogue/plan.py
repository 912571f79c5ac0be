"""`TurnPlan`: everything one turn will write and announce, gathered while it decides.

The responder decides first and writes last: order changes, ticket changes, audit rows
and the saved dialogue state go into the plan as plain data, and the storage layer
applies them in ONE transaction (`services/storage/dialogue_state.apply_turn`). Events
wait in the plan too and are published only after that commit succeeds. So a turn costs
one write round trip instead of several, a crash mid-turn leaves nothing half-written,
and a preview (the console's knowledge test box) runs the very same decisions and simply
never applies the plan: no rows, no events.

Ids of rows the turn creates are not known until the commit: ops, events and the state
refer to them as `NEW`, and the storage/publisher put the real ids in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Mapping

from ottenok_desktop.engine.events import Event

NEW = -1  # "the order / ticket this turn creates"

# op names the storage layer knows how to apply
CREATE_ORDER = "create_order"
UPDATE_ORDER = "update_order"
ORDER_STATE = "order_state"
CREATE_TICKET = "create_ticket"
ADD_TO_TICKET = "add_to_ticket"


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
    reserve_item: tuple[int, str, str, str] | None = None  # (order id, product, size, colour) to hold after the commit
    release_order: int | None = None  # release this order's reservations after the commit

    # ---- orders ----------------------------------------------------------------------
    def create_order(self, values: Mapping[str, Any], actor: str = "bot") -> int:
        self.ops.append((CREATE_ORDER, {"values": dict(values), "actor": actor}))
        return NEW

    def update_order(self, order_id: int, values: Mapping[str, Any], actor: str = "bot") -> None:
        self.ops.append((UPDATE_ORDER, {"order_id": order_id, "values": dict(values), "actor": actor}))

    def order_state(self, order_id: int, state: str, actor: str = "bot", **details: Any) -> None:
        self.ops.append((ORDER_STATE, {"order_id": order_id, "state": state, "actor": actor, "details": details}))

    # ---- tickets ---------------------------------------------------------------------
    def create_ticket(self, kind: str, summary: str, details: Mapping[str, Any]) -> int:
        self.ops.append((CREATE_TICKET, {"kind": kind, "summary": summary, "details": dict(details)}))
        return NEW

    def add_to_ticket(self, ticket_id: int, text: str, attachments: list[dict[str, Any]]) -> None:
        self.ops.append((ADD_TO_TICKET, {"ticket_id": ticket_id, "text": text, "attachments": attachments}))

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
