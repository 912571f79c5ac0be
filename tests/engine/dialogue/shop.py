"""The sample shop with real services, for whole-dialogue tests and the benchmark.

Real `InventoryService` on `data/inventory.xlsx`, real `KnowledgeBase` built offline from
`data/knowledge_base/`, real `LocalPhotoSource` on `data/photos/`, a real SQLite
database, and a `SalesResponder` wired the way bootstrap wires it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ottenok_desktop.engine.clock import ManualClock
from ottenok_desktop.engine.commands import Commands
from ottenok_desktop.engine.dialogue.responder import SalesResponder
from ottenok_desktop.engine.events import EventBus, EventRecorder
from ottenok_desktop.engine.turns import HistoryLine, Reply

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "data"


@dataclass
class Shop:
    db: Any
    bus: EventBus
    events: EventRecorder
    clock: ManualClock
    inventory: Any
    knowledge: Any
    photos: Any
    responder: SalesResponder
    commands: Commands
    executor: ThreadPoolExecutor
    history: dict[str, list[HistoryLine]] = field(default_factory=dict)
    next_message_id: int = 1

    async def say(self, phone: str, text: str, *, content_type: str = "text", media_url: str = "",
                  name: str = "Айгерим", chat_id: str = "") -> Reply:
        """One customer turn through the responder, with the conversation history kept.
        `chat_id`: another chat than the WhatsApp one of `phone` (e.g. an existing Telegram chat)."""
        from ottenok_desktop.services.storage.models import Chat, Message

        chat_id = chat_id or f"{phone}@c.us"
        now = self.clock.now()

        def store() -> int:
            from ottenok_desktop.services.storage.chats import get_or_create_chat

            chat = get_or_create_chat(chat_id, now, name)
            row = Message.create(chat=chat, direction="in", sender_kind="customer", text=text,
                                 content_type=content_type, media_url=media_url, created_at=now,
                                 turn_state="pending")
            return int(row.id)

        await self.db.call(store)
        # The dispatcher's own path: load the turn from storage, answer, commit atomically
        # (the commit records photos as sent and queues the parts in the outbox).
        from ottenok_desktop.services.storage.turns import commit_turn, load_turn

        turn = await self.db.atomic(load_turn, chat_id, now)
        assert turn is not None
        reply = await self.responder.respond(turn)
        result = await self.db.atomic(commit_turn, chat_id, tuple(m.message_id for m in turn.messages), reply, now)
        if result.committed and reply.plan is not None:  # events after the commit, as the dispatcher does
            for event in reply.plan.events_with(result.created):
                self.bus.publish(event)
        lines = self.history.setdefault(chat_id, [])
        lines.append(HistoryLine("customer", text, now))
        for part in reply.parts:
            if part.text:
                lines.append(HistoryLine("bot", part.text, now))
        self.clock.advance(30)
        del Chat
        return reply


async def open_shop(tmp: Path, *, llm: Any = None, manager_numbers: tuple[str, ...] = (),
                    knowledge_dir: Path | None = None, promotions: Any = None,
                    partners: Any = None) -> Shop:
    """`knowledge_dir`: another knowledge folder (indexed into `tmp`) instead of the sample one."""
    from ottenok_desktop.services.inventory.service import InventoryService
    from ottenok_desktop.services.knowledge.service import KnowledgeBase
    from ottenok_desktop.services.photos.local import LocalPhotoSource
    from ottenok_desktop.services.photos.selection import select_photos
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.store import DbUnitOfWork
    from ottenok_desktop.settings import load_settings

    data_dir = tmp / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "no.env").with_changes(
        manager_numbers=manager_numbers)
    bus = EventBus()
    events = EventRecorder(bus)
    clock = ManualClock(datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc))
    executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="test-shop")
    db = await Database(data_dir / "shop.sqlite3").open()
    inventory = InventoryService(SAMPLE / "inventory.xlsx", data_dir, bus, executor, db=db, poll_interval=60)
    await inventory.start()
    if knowledge_dir is None:
        knowledge = KnowledgeBase(SAMPLE / "knowledge_base", shared_index_dir(), bus, executor)
    else:
        knowledge = KnowledgeBase(knowledge_dir, tmp / "kb-index", bus, executor)
    await knowledge.start()
    if not knowledge.chunk_count:
        await knowledge.rebuild()
    photos = LocalPhotoSource(SAMPLE / "photos", executor)
    uow = DbUnitOfWork(db)
    commands = Commands(uow, bus, clock, inventory)
    responder = SalesResponder(uow=uow, commands=commands, inventory=inventory, knowledge=knowledge, photos=photos,
                               photo_selector=select_photos, llm=llm, bus=bus, clock=clock,
                               persona=settings.persona_name, manager_numbers=tuple(settings.manager_numbers),
                               promotions=promotions, partners=partners)
    return Shop(db=db, bus=bus, events=events, clock=clock, inventory=inventory, knowledge=knowledge, photos=photos,
                responder=responder, commands=commands, executor=executor)


async def open_partner_shop(tmp: Path) -> Shop:
    """The sample shop with the partners file of tests/services/partners (Динара the stylist…)."""
    from ottenok_desktop.services.partners.loader import PartnersFile
    from ottenok_desktop.services.promotions.loader import WatchedFile
    from tests.services.partners.test_loader import ROWS, write_partners

    path = write_partners(tmp / "partners.xlsx", ROWS)
    return await open_shop(tmp, partners=WatchedFile(PartnersFile(path), ThreadPoolExecutor(max_workers=1)))


def shared_index_dir() -> Path:
    """One offline knowledge index per test session (building it is the slow part)."""
    import os
    import tempfile

    path = Path(tempfile.gettempdir()) / f"ottenok-dialogue-kb-{os.getpid()}"
    path.mkdir(exist_ok=True)
    return path


async def close_shop(shop: Shop) -> None:
    await shop.inventory.stop()
    await shop.knowledge.stop()
    if shop.responder.llm is not None:
        await shop.responder.llm.close()
    await shop.db.close()
    shop.executor.shutdown(wait=False, cancel_futures=True)


def texts_of(reply: Reply) -> str:
    return "\n".join(p.text for p in reply.parts if p.text)


def photos_of(reply: Reply) -> list[str]:
    return [p.photo_key for p in reply.parts if p.photo_key]
