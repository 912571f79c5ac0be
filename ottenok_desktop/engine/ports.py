"""The interfaces the engine needs from the outside world (ports), as Protocols.

The engine never imports `services`: it names what it needs here, `services` implement
it, and the composition root (`bootstrap.py`) wires one to the other. Tests pass fakes
that satisfy the same Protocols.

- `UnitOfWork` runs one piece of engine work in ONE transaction on the database thread,
  handing it a `Store` (sync repository methods valid inside that transaction).
- `Inventory` / `StockIndex`: the stock file, in memory, with reservations.
- `Knowledge`: the shop's documents, searched.
- `PhotoSource` and `PhotoSelector`: product photos and which of them to send.
- `Llm`: one JSON chat completion; failures raise `LlmFailure`.
- `FollowUps`: the follow-up scheduler's commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, Sequence, TypeVar

from .states import AnnouncementState, Owner, SenderKind

T = TypeVar("T")


# ---- storage ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChatInfo:
    chat_id: str
    phone: str
    name: str
    owner: Owner
    owner_name: str
    needs_human: bool
    channel: str = "whatsapp"


@dataclass(frozen=True)
class TicketInfo:
    id: int
    chat_id: str
    kind: str
    status: str
    manager: str


@dataclass(frozen=True)
class QueuedPart:
    """An outbox row a command or a turn queued: its id and what the console shows for it."""

    outbox_id: int
    label: str


@dataclass(frozen=True)
class DialogueContext:
    """Everything a sales turn reads about its chat, in one read."""

    state_json: str
    order: dict[str, Any] | None
    ticket: dict[str, Any] | None
    photos_sent: frozenset[str]
    owner: str
    needs_human: bool
    reserved: Mapping[str, int] | None = field(default=None)  # stock holds, when a reader was given
    opted_out: bool = False  # the customer asked us to stop writing (consent to promotions is refused)
    partner_code: str = ""  # the partner code this person gave, here or in the linked chat (Chat.partner_code)
    linked_chat_id: str = ""  # the same customer's chat on the other channel, when linked


def empty_context() -> DialogueContext:
    """A chat that has never written: what a preview starts from."""
    return DialogueContext(state_json="{}", order=None, ticket=None, photos_sent=frozenset(), owner=Owner.BOT,
                           needs_human=False)


class ReservationRefused(Exception):
    """The stock line was held by someone else in the meantime: the transaction is rolled back
    and the turn (or the console's confirmation) is decided again on the fresh stock."""


class Store(Protocol):
    """Repository methods, valid inside one `UnitOfWork.run` (sync: they run on the DB thread)."""

    def chat(self, chat_id: str) -> ChatInfo | None: ...
    def set_owner(self, chat_id: str, owner: Owner, by: str, now: datetime, reason: str = "") -> bool: ...
    def mark_needs_human(self, chat_id: str, reason: str, now: datetime) -> bool: ...
    def clear_needs_human(self, chat_id: str, now: datetime) -> None: ...
    def load_state(self, chat_id: str) -> str: ...
    def save_state(self, chat_id: str, state_json: str, now: datetime) -> None: ...
    def open_tickets(self, chat_id: str) -> list[TicketInfo]: ...
    def ticket(self, ticket_id: int) -> TicketInfo | None: ...
    def create_ticket(self, chat_id: str, kind: str, summary: str, now: datetime, actor: str) -> int: ...
    def link_chats(self, chat_id: str, other_chat_id: str, by: str, now: datetime) -> bool: ...
    def unlink_chat(self, chat_id: str, by: str, now: datetime) -> str: ...
    def dismiss_link_offer(self, chat_id: str, other_chat_id: str, by: str, now: datetime) -> bool: ...
    def take_ticket(self, ticket_id: int, manager: str, now: datetime) -> bool: ...
    def close_ticket(self, ticket_id: int, manager: str, now: datetime) -> bool: ...
    def order(self, order_id: int) -> dict[str, Any] | None: ...
    def update_order(self, order_id: int, values: Mapping[str, Any], actor: str, now: datetime) -> None: ...
    def set_order_state(self, order_id: int, state: str, actor: str, now: datetime, **details: Any) -> None: ...
    def reserve(self, order_id: int, item_key: str, quantity: int, version: str, on_file: int) -> bool: ...
    def release_reservations(self, order_id: int) -> int: ...
    def reserved(self, version: str) -> dict[str, int]: ...
    def queue_message(self, chat_id: str, now: datetime, *, text: str, sender_kind: SenderKind, sender_name: str,
                      file_path: Path | None = None, file_name: str = "") -> QueuedPart: ...
    def audit(self, now: datetime, actor: str, action: str, entity: str, entity_id: Any, **details: Any) -> None: ...
    # announcements and consent (issue 16)
    def create_announcement(self, promotion_id: str, title: str, text: str, photos: Sequence[Path], manager: str,
                            now: datetime) -> tuple[int, int]: ...
    def set_announcement_state(self, announcement_id: int, state: AnnouncementState, by: str, now: datetime,
                               reason: str = "", detail: str = "") -> bool: ...
    def set_promo_consent_by_manager(self, chat_id: str, opt_in: bool, manager: str, now: datetime) -> str: ...
    def status_text(self, chat_id: str) -> str: ...
    def dialogue_context(self, chat_id: str, now: datetime, name: str,
                         reserved_reader: Callable[[], Mapping[str, int]] | None) -> DialogueContext: ...


class UnitOfWork(Protocol):
    async def run(self, work: Callable[[Store], T]) -> T:
        """`work(store)` in one transaction; its writes all commit or none do."""
        ...

    async def read(self, work: Callable[[Store], T]) -> T:
        """`work(store)` for reading only."""
        ...


# ---- stock ---------------------------------------------------------------------------------
class StockItem(Protocol):
    @property
    def product(self) -> str: ...
    @property
    def size(self) -> str: ...
    @property
    def color(self) -> str: ...
    @property
    def quantity(self) -> int: ...
    @property
    def price(self) -> int: ...


class StockAnswer(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def items(self) -> tuple[Any, ...]: ...
    @property
    def alternatives(self) -> tuple[Any, ...]: ...
    @property
    def product(self) -> str | None: ...
    @property
    def available(self) -> int: ...
    @property
    def size(self) -> str | None: ...
    @property
    def color(self) -> str | None: ...
    @property
    def candidates(self) -> tuple[str, ...]: ...


class StockIndex(Protocol):
    @property
    def version(self) -> str: ...
    @property
    def items(self) -> tuple[Any, ...]: ...
    def match_products(self, text: str, limit: int = 5) -> list[tuple[str, float]]: ...
    def query(self, text: str, size: str | None = None, color: str | None = None,
              reserved: Mapping[str, int] | None = None) -> Any: ...
    def colors_of(self, product: str) -> list[str]: ...
    def sizes_of(self, product: str, color: str | None = None, in_stock_only: bool = True) -> list[str]: ...
    def price_of(self, product: str, color: str | None = None, size: str | None = None) -> int | None: ...
    def find_item(self, product: str, size: str | None, color: str | None) -> Any: ...
    def product_info(self, product: str) -> dict[str, str]: ...
    def item_key(self, product: str, size: str | None, color: str | None) -> str: ...


class Inventory(Protocol):
    @property
    def index(self) -> StockIndex: ...
    def reserved_reader(self, version: str) -> Callable[[], dict[str, int]] | None: ...
    async def query(self, text: str, size: str | None = None, color: str | None = None) -> Any: ...
    async def reserved(self) -> dict[str, int]: ...


# ---- knowledge, photos, LLM, follow-ups ----------------------------------------------------------
class KnowledgeHit(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def score(self) -> float: ...


class Knowledge(Protocol):
    async def search(self, query: str, k: int = 5) -> Sequence[Any]: ...


class Photo(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def path(self) -> Path | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def file_name(self) -> str: ...


class PhotoSource(Protocol):
    async def photos_for(self, product: str, color: str | None = None) -> Sequence[Any]: ...


class PhotoSelector(Protocol):
    def __call__(self, photos: Sequence[Any], color: str | None, already: set[str], *,
                 per_message: int = 3) -> Sequence[Any]: ...


class LlmFailure(Exception):
    """The LLM gave no usable answer; `kind` says why (timeout | http | connection | format | auth)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Llm(Protocol):
    async def complete_json(self, messages: Sequence[Mapping[str, str]], schema_hint: str = "") -> dict[str, Any]: ...


class FollowUps(Protocol):
    async def cancel(self, chat_id: str, actor: str) -> int: ...
    async def pause_all(self, paused: bool, actor: str = "") -> None: ...



class Promotions(Protocol):
    """The shop's promotions (promotions.xlsx): the current book, re-read when the file changed."""

    async def book(self) -> "PromotionBook": ...


class Partners(Protocol):
    """The shop's partners (partners.xlsx): the current book, re-read when the file changed."""

    async def book(self) -> "PartnerBook": ...


from .partners import PartnerBook  # noqa: E402  (engine-internal; after the Protocols that name it)
from .promotions import PromotionBook  # noqa: E402  (engine-internal; after the Protocols that name it)
