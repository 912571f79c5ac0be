"""A small shop database for report tests: real SQLite rows written with the models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import models as m

ALMATY = ZoneInfo("Asia/Almaty")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=ALMATY).astimezone(timezone.utc)


# (chat, shop-time moment (day of November, hour, minute), direction, sender_kind, sender_name, text)
SCRIPT = [
    # Айгерим: new on the 24th, the bot answers in 2 min, Асель takes over and answers in 20 min.
    ("77011110001@c.us", (24, 10, 0), "in", "customer", "", "здравствуйте, лоферы шанель 37 есть?"),
    ("77011110001@c.us", (24, 10, 2), "out", "bot", "Алина", "Здравствуйте! Есть, 285 000 ₸. Какой цвет смотрите?"),
    ("77011110001@c.us", (24, 10, 3), "out", "system", "", "Чат передан менеджеру"),
    ("77011110001@c.us", (24, 10, 30), "in", "customer", "", "черные, а можно примерить?"),
    ("77011110001@c.us", (24, 10, 50), "out", "manager_app", "Асель", "Конечно! Забронировать на завтра?"),
    # Дана: wrote on the 20th (before the period), writes again on the 24th at 18:50, answered
    # next morning 09:05 from the shop phone by a manager with no name.
    ("77011110002@c.us", (20, 12, 0), "in", "customer", "", "есть сумка прада?"),
    ("77011110002@c.us", (20, 12, 1), "out", "bot", "", "Есть! Какой цвет?"),
    ("77011110002@c.us", (24, 18, 50), "in", "customer", "", "а черная осталась?"),
    ("77011110002@c.us", (25, 9, 5), "out", "manager_phone", "", "Доброе утро, да, черная есть"),
    # Мадина: asks at 23:00, nobody answers.
    ("77011110003@c.us", (24, 23, 0), "in", "customer", "", "сколько стоят кроссовки баленсиага?"),
    # Another day entirely (not in the 24th's report).
    ("77011110004@c.us", (26, 11, 0), "in", "customer", "", "ау"),
]


def fill(db: Database) -> None:
    def write() -> None:
        chats: dict[str, m.Chat] = {}
        names = {"77011110001@c.us": "Айгерим", "77011110002@c.us": "Дана", "77011110003@c.us": "Мадина",
                 "77011110004@c.us": "Жанна"}
        for i, (chat_id, when, direction, kind, name, text) in enumerate(SCRIPT):
            if chat_id not in chats:
                chats[chat_id] = m.Chat.create(chat_id=chat_id, phone=chat_id.split("@")[0], name=names[chat_id],
                                               created_at=local(*when), updated_at=local(*when))
            m.Message.create(chat=chats[chat_id], direction=direction, sender_kind=kind, sender_name=name, text=text,
                             external_id=f"m{i}", created_at=local(*when))
        first = chats["77011110001@c.us"]
        m.Order.create(chat=first, state="confirmed", product="Лоферы Chanel", created_at=local(24, 10, 51),
                       updated_at=local(24, 11, 0), confirmed_at=local(24, 11, 0))
        m.Ticket.create(chat=chats["77011110002@c.us"], kind="return", created_at=local(24, 19, 0))
        m.AuditLog.create(at=local(24, 10, 3), actor="bot", action="handoff", entity="chat", entity_id=first.chat_id)
        m.AuditLog.create(at=local(23, 10, 3), actor="bot", action="handoff", entity="chat", entity_id=first.chat_id)

    db.atomic_sync(write)


def shift(moment: datetime, **kw: float) -> datetime:
    return moment + timedelta(**kw)
