"""The manager's name: asked on a seat's first start (the OS user offered), kept per seat, and
recorded on what the manager does in the console."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from ottenok_desktop.engine import events as ev
from ottenok_desktop.services.followups import NextNudge

from ottenok_desktop.ui.prefs import ConsolePrefs

from .conftest import wait_until

CHAT = "77017776655@c.us"


def test_a_new_seat_has_no_confirmed_name_and_offers_the_os_user(tmp_path: Path, monkeypatch) -> None:
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "aigerim")
    prefs = ConsolePrefs.load(tmp_path)
    assert prefs.manager_name == "Aigerim" and not prefs.name_confirmed
    prefs.save()  # saving quick replies does not confirm a name nobody gave
    assert not ConsolePrefs.load(tmp_path).name_confirmed


async def test_first_start_asks_the_name_and_every_action_records_it(console_of) -> None:
    from ottenok_desktop.services.storage import models as m
    from ottenok_desktop.ui.manager_name import ask_name_if_unknown

    async with console_of() as con:
        con.ctx.prefs.name_confirmed = False
        dialog = ask_name_if_unknown(con.ctx, con.window)
        assert dialog is not None and dialog.isVisible()
        dialog.setTextValue("  Динара   Серикова ")
        dialog.accept()
        assert con.ctx.manager == "Динара Серикова"
        assert ConsolePrefs.load(con.ctx.engine.settings.data_dir).manager_name == "Динара Серикова"
        assert ask_name_if_unknown(con.ctx, con.window) is None  # asked once per seat

        engine = con.ctx.engine
        engine.sandbox.inject_text(CHAT, "здравствуйте, лоферы есть?", "Мадина")
        await wait_until(lambda: engine.sandbox.sent_to(CHAT), timeout=10, what="the bot reply")
        await engine.send_as_manager(CHAT, "Добрый день! Сейчас уточню", con.ctx.manager)
        await engine.return_to_bot(CHAT, con.ctx.manager)
        rows = await engine.db.call(lambda: list(m.AuditLog.select().where(m.AuditLog.entity_id == CHAT).dicts()))
        assert {r["actor"] for r in rows if r["action"] == "owner_changed"} == {"Динара Серикова"}
        sent = await engine.db.call(lambda: list(m.Message.select().where(m.Message.sender_kind == "manager_app")
                                                 .dicts()))
        assert [r["sender_name"] for r in sent] == ["Динара Серикова"]


class ScheduledNudges:
    """The follow-up service's console queries, with one nudge scheduled for one chat."""

    def __init__(self, chat_id: str, due_at: datetime) -> None:
        self.next: dict[str, NextNudge] = {chat_id: NextNudge(chat_id, 1, due_at, "Здравствуйте! …")}

    async def next_nudge(self, chat_id: str) -> NextNudge | None:
        return self.next.get(chat_id)

    async def on_customer_message(self, chat_id: str, text: str, at: datetime) -> str:
        return "real"

    async def on_bot_message(self, chat_id: str, at: datetime) -> None:
        return None


async def test_the_chat_header_shows_its_next_follow_up(console_of) -> None:
    async with console_of() as con:
        engine = con.ctx.engine
        chat = "77017776600@c.us"
        nudges = ScheduledNudges(chat, engine.clock.now() + timedelta(hours=3))
        engine.followups = nudges
        engine.sandbox.inject_text(chat, "лоферы шанель 38 есть?", "Мадина")
        await wait_until(lambda: engine.sandbox.sent_to(chat), timeout=10, what="the bot reply")
        con.window.chat_panel.open_chat(chat)
        await wait_until(lambda: "Дожим №1: сегодня" in con.window.chat_panel.nudge_label.text()
                         or "Дожим №1: завтра" in con.window.chat_panel.nudge_label.text(),
                         what="the next nudge in the header")
        nudges.next.clear()  # cancelled (a manager took the chat): the header follows the event
        engine.bus.publish(ev.NudgeCancelled(chat, "manager_owns"))
        await wait_until(lambda: con.window.chat_panel.nudge_label.text() == "", what="the nudge gone")


async def test_a_second_program_on_the_number_is_shown_loudly(console_of) -> None:
    async with console_of() as con:
        con.ctx.engine.bus.publish(ev.SharedInstanceSuspected("foreign_send", 2, "an API send we did not make"))
        await wait_until(lambda: "ещё одна программа" in con.window.status.error.text(), what="the warning")
