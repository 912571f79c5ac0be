"""The «Акции» tab in the real console over the loopback sandbox (issue 16): the promotions with
their status today, a bad edit refused with the Russian row/column message, a good one written
back to promotions.xlsx; composing an announcement (text from the promotion, photos, the exact
recipients), its progress, pause / resume and results; the manager ticking consent in the
customer card, and a customer's own opt-out locking the box."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QImage

from ottenok_desktop.engine.states import AnnouncementState
from ottenok_desktop.services.promotions.loader import load_promotions
from ottenok_desktop.services.storage import announcements as store
from ottenok_desktop.services.storage import queries as q
from ottenok_desktop.services.storage.chats import get_or_create_chat
from ottenok_desktop.services.storage.consent import record_promo_consent
from ottenok_desktop.settings import WorkHours
from tests.services.promotions.xlsx import RU_HEADERS, write_promotions

from .conftest import open_console, wait_until

CUSTOMERS = (("77011112233@c.us", "Айгерим"), ("77024445566@c.us", "Дана"), ("77035556677@c.us", "Мадина"))


def shop_day(offset: int) -> str:
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo("Asia/Almaty")).date() + timedelta(days=offset)).strftime("%d.%m.%Y")


def settings_with_promotions(demo_settings: Any) -> Any:
    settings = demo_settings.with_changes(announce_min_seconds=0.5, announce_max_seconds=0.6,
                                          work_hours=WorkHours(0, 24))
    write_promotions(settings.promotions_path, [
        ["Неделя Miu Miu", "только в бутике и в WhatsApp", shop_day(-1), shop_day(5), "Miu Miu", "15%"],
        ["Сумки к Новому году", "", shop_day(10), shop_day(20), "сумки", "10%"],
        ["Чёрная пятница", "", shop_day(-10), shop_day(-3), "всё", "30%"],
        ["Лоферы Chanel по спеццене", "", shop_day(-1), shop_day(9), "Лоферы Chanel", "256 500"],
    ], RU_HEADERS)
    return settings


def table_texts(table: Any, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


async def seed_customers(engine: Any) -> None:
    now = datetime.now(timezone.utc)

    def work() -> None:
        for n, (chat_id, name) in enumerate(CUSTOMERS):
            get_or_create_chat(chat_id, now, name)
            if n < 2:
                record_promo_consent(chat_id, now + timedelta(seconds=n), True, "customer")

    await engine.db.atomic(work)


async def test_promotions_edit_and_announce_with_progress_pause_and_results(demo_settings, responder,
                                                                           tmp_path: Path) -> None:
    settings = settings_with_promotions(demo_settings)
    async with open_console(settings, responder) as console:
        window = console.window
        tab = window.promotions_tab
        engine = console.ctx.engine
        window.tabs.setCurrentWidget(tab)
        await tab.refresh()
        shown = {title: (discount, status) for title, discount, status
                 in zip(table_texts(tab.table, 0), table_texts(tab.table, 3), table_texts(tab.table, 4))}
        assert shown == {"Неделя Miu Miu": ("15%", "Активна"), "Сумки к Новому году": ("10%", "Ожидает"),
                         "Чёрная пятница": ("30%", "Закончена"), "Лоферы Chanel по спеццене": ("256 500 ₸", "Активна")}
        miu = table_texts(tab.table, 0).index("Неделя Miu Miu")
        assert tab.table.item(miu, 1).text() == f"{shop_day(-1)} – {shop_day(5)}"

        # a bad edit: refused with the row and column, the file untouched
        before = settings.promotions_path.read_bytes()
        dialog = tab.add_promotion()
        for field, value in zip(dialog.fields, ("Вторая пара −30%", "", shop_day(0), "завтра", "обувь", "30%")):
            field.setPlainText(value) if hasattr(field, "setPlainText") else field.setText(value)
        dialog.submit()
        await wait_until(lambda: bool(dialog.error.text()), what="the refusal")
        assert "строка 6" in dialog.error.text() and "Конец" in dialog.error.text() and "завтра" in dialog.error.text()
        assert dialog.isVisible() and settings.promotions_path.read_bytes() == before
        dialog.fields[3].setText(shop_day(7))
        dialog.submit()
        await wait_until(lambda: not dialog.isVisible(), what="the dialog to close after saving")
        saved = load_promotions(settings.promotions_path)
        assert not saved.errors and "Вторая пара −30%" in [p.title for p in saved.promotions]
        assert "Вторая пара −30%" in table_texts(tab.table, 0)

        # compose an announcement of the active promotion: exactly the consenting customers
        await seed_customers(engine)
        tab.table.selectRow(table_texts(tab.table, 0).index("Неделя Miu Miu"))
        composer = await tab.compose(tab.selected_promotion())
        assert composer.text.toPlainText().startswith("Неделя Miu Miu! только в бутике и в WhatsApp")
        assert composer.count_label.text() == "<b>Получат: 2</b>"
        assert [composer.recipients.item(i).text() for i in range(composer.recipients.count())] == [
            "+77011112233 — Айгерим", "+77024445566 — Дана"]
        photos = []
        for n in range(4):
            image = QImage(40, 40, QImage.Format.Format_RGB32)
            image.fill(QColor("#e8c4b8"))
            photos.append(tmp_path / f"miu-{n}.png")
            image.save(str(photos[-1]))
        composer.add_photos(photos)
        assert composer.photos == photos[:3] and not composer.add_photo_button.isEnabled()
        composer.photo_list.setCurrentRow(2)
        composer.remove_photo()
        assert composer.photos == photos[:2]
        composer.submit()
        await wait_until(lambda: not composer.isVisible(), what="the announcement to start")
        assert tab.runs.rowCount() == 1 and tab.runs.item(0, 1).text() == "Неделя Miu Miu"

        # the leader's pacer sends it: progress and results in the table
        def sent_to_all() -> bool:
            return all(len(engine.sandbox.sent_to(c)) == 2 for c, _ in CUSTOMERS[:2])

        await wait_until(sent_to_all, timeout=20, what="both customers to get text + 2 photos")
        assert engine.sandbox.sent_to(CUSTOMERS[2][0]) == []
        await tab.refresh()
        bar = tab.runs.cellWidget(0, 3)
        assert (bar.value(), bar.maximum(), bar.text()) == (2, 2, "2 / 2")
        assert tab.runs.item(0, 2).text() == "Завершена" and tab.runs.item(0, 4).text() == "2"

        # a second announcement, paused and resumed by the manager
        ann_id, _ = await engine.commands.start_announcement("x", "Вторая пара", "Вторая пара −30 %!", [], "Ержан")
        await engine.commands.pause_announcement(ann_id, "Ержан")
        await tab.refresh()
        tab.runs.selectRow(0)
        assert tab.runs.item(0, 2).text() == "На паузе"
        assert tab.announcement_message.text() == f"Рассылка №{ann_id} на паузе: её остановил(а) Ержан."
        assert tab.resume_button.isEnabled() and not tab.pause_button.isEnabled()
        assert await tab.act(ann_id, "resume")
        row = await engine.db.call(store.announcement, ann_id)
        assert row is not None and row.state in (AnnouncementState.SENDING, AnnouncementState.DONE)

        # paused by failing sends (as the pacer does it): the manager reads why, in Russian
        third, _ = await engine.commands.start_announcement("x", "Третья", "Третья акция", [], "Ержан")
        await engine.commands.pause_announcement(third, "Ержан")
        await engine.db.atomic(store.set_state, third, AnnouncementState.SENDING, "Ержан", engine.clock.now())
        await engine.db.atomic(store.set_state, third, AnnouncementState.PAUSED, "engine", engine.clock.now(),
                               reason="failures", detail="GREEN-API sendMessage: server error (HTTP 500)")
        await tab.refresh()
        tab.runs.selectRow(0)
        assert tab.announcement_message.text().startswith(f"Рассылка №{third} на паузе: подряд не проходят отправки")
        assert "HTTP 500" in tab.announcement_message.text()
        assert await tab.act(third, "cancel") and tab.runs.item(0, 2).text() == "Отменена"
        assert not await tab.act(third, "pause")
        assert tab.announcement_message.text() == f"Не получилось: рассылка №{third} уже отменена."


async def test_the_manager_ticks_consent_and_a_customer_opt_out_locks_it(demo_settings, responder) -> None:
    async with open_console(demo_settings, responder) as console:
        engine = console.ctx.engine
        card_box = console.window.right_panel.customer
        now = datetime.now(timezone.utc)
        await engine.db.atomic(get_or_create_chat, CUSTOMERS[0][0], now, "Айгерим")
        card_box.show_card(await engine.db.call(q.customer_card, CUSTOMERS[0][0]))
        assert card_box.consent.isEnabled() and not card_box.consent.isChecked()

        card_box.consent.click()  # the manager ticks «Согласие на рассылку»
        await wait_until(lambda: "менеджер" in card_box.label.text(), what="the consent in the card")
        card = await engine.db.call(q.customer_card, CUSTOMERS[0][0])
        assert (card.promo_consent, card.promo_consent_source) == ("subscribed", f"manager:{console.ctx.manager}")
        assert card_box.consent.isChecked() and "Акции: подписан(а)" in card_box.label.text()

        card_box.consent.click()  # unticked: the manager's opt-out
        await wait_until(lambda: "Акции: отказ" in card_box.label.text(), what="the opt-out in the card")
        assert card_box.consent.isEnabled() and not card_box.consent.isChecked()

        await engine.db.atomic(record_promo_consent, CUSTOMERS[1][0], now, True, "customer")
        await engine.db.atomic(get_or_create_chat, CUSTOMERS[1][0], now, "Дана")
        from ottenok_desktop.services.storage.nudges import set_opted_out

        await engine.db.atomic(set_opted_out, CUSTOMERS[1][0], now)  # «стоп» from the customer
        card_box.show_card(await engine.db.call(q.customer_card, CUSTOMERS[1][0]))
        assert not card_box.consent.isEnabled() and not card_box.consent.isChecked()
        assert card_box.consent_note.text() == "Клиент сам отказался от рассылки — отметить нельзя"
