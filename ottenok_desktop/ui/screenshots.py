"""`python -m ottenok_desktop.ui.screenshots DIR`: render the console's main views in demo
state to PNG files (offscreen), for the README.

A fresh temporary data dir with the sample shop; a few customers write through the
GREEN-API sandbox, the bot answers, one chat is taken over by a manager; then every view
is grabbed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CUSTOMERS = (
    ("77011112233@c.us", "Айгерим", ("Здравствуйте! есть шанель лоферы 37 бежевые?", "а доставка в астану сколько дней?")),
    ("77024445566@c.us", "Дана", ("сколько стоит баленсиага кроссовки белые 39",)),
    ("77035556677@c.us", "Мадина", ("хочу вернуть туфли, натирают. позовите менеджера пожалуйста",)),
    ("77047778899@c.us", "Alina K", ("Добрый вечер, есть сумки черные?",)),
)
SIZE = (1440, 900)


async def _wait(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def render(out_dir: Path) -> list[Path]:
    from ..bootstrap import build_engine
    from ..settings import WorkHours, load_settings
    from .app import build_console, start_console

    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ottenok-shots-") as tmp:
        settings = load_settings(data_dir=tmp, environ={}, env_file=Path(tmp) / ".none", demo=True)
        # the announcement in the «Акции» shot moves at once, whatever the time of day
        settings = settings.with_changes(announce_min_seconds=0.5, announce_max_seconds=1.0,
                                         work_hours=WorkHours(0, 24))
        engine = build_engine(settings)
        console = build_console(engine)
        window = console.window
        window.resize(*SIZE)
        window.show()
        try:
            await start_console(console)
            for chat_id, name, texts in CUSTOMERS:
                for text in texts:
                    engine.sandbox.inject_text(chat_id, text, name)
                    await asyncio.sleep(0.3)
            await _wait(lambda: all(engine.sandbox.sent_to(c) for c, _n, _t in CUSTOMERS), 30)
            # the first customer is taken over by the manager, who writes once
            first = CUSTOMERS[0][0]
            await engine.take_over(first, console.ctx.manager)
            await engine.send_as_manager(first, "Айгерим, здравствуйте! Я Асель, менеджер. Бежевые 37 есть, отложить для вас?", console.ctx.manager)
            await asyncio.sleep(1.5)
            window.open_chat(CUSTOMERS[1][0])
            await asyncio.sleep(1.0)

            def shot(widget: Any, name: str) -> None:
                path = out_dir / name
                widget.grab().save(str(path))
                saved.append(path)

            shot(window, "console.png")
            window.open_chat(first)
            await asyncio.sleep(1.0)
            shot(window, "takeover.png")
            for tab, name in ((window.tickets_tab, "tickets.png"), (window.inventory_tab, "inventory.png"),
                              (window.knowledge_tab, "knowledge.png"), (window.followups_tab, "followups.png"),
                              (window.reports_tab, "reports.png")):
                window.tabs.setCurrentWidget(tab)
                await tab.refresh()
                if tab is window.knowledge_tab:  # show the test box in use, as a manager would
                    tab.question.setText("до скольки вы работаете? и можно оплатить каспи?")
                    tab.run_test()
                    await _wait(lambda: bool(tab.results.toPlainText()), 15)
                await asyncio.sleep(0.3)
                shot(window, name)
            await show_promotions(window, engine, [c for c, _n, _t in CUSTOMERS])
            shot(window, "promotions.png")
            window.tabs.setCurrentIndex(0)
            dialog = window.open_settings()
            dialog.resize(640, 760)
            await asyncio.sleep(0.3)
            shot(dialog, "settings.png")
            dialog.close()
            # the demo customer window, used the way a new user would: type, press Enter
            client = window.open_demo_client()
            await asyncio.sleep(0.5)
            for text in ("Здравствуйте! есть мюли диор 37?", "а в черном?"):
                before = len(engine.sandbox.sent_to(client.chat_id))
                client.input.setText(text)
                client.send()
                await _wait(lambda: len(engine.sandbox.sent_to(client.chat_id)) > before, 30)
                await asyncio.sleep(2.0)
            shot(client, "demo_client.png")
        finally:
            await console.ctx.tasks.shutdown()
            await engine.stop()
            console.bridge.detach()
            console.window.alerts.stop()
    return saved


async def show_promotions(window: Any, engine: Any, customers: list[str]) -> None:
    """The «Акции» tab with three promotions and an announcement to consenting customers."""
    from datetime import datetime, timedelta, timezone

    from ..services.promotions.writer import PromotionRow, save_promotions
    from ..services.storage.chats import get_or_create_chat
    from ..services.storage.consent import record_promo_consent

    today = engine.clock.local().date()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).strftime("%d.%m.%Y")

    save_promotions(engine.settings.promotions_path, [
        PromotionRow("Неделя Miu Miu", "−15 % на все модели Miu Miu", day(-2), day(4), "Miu Miu", "15%"),
        PromotionRow("Лоферы Chanel по спеццене", "", day(-1), day(10), "Лоферы Chanel", "256 500"),
        PromotionRow("Сумки к Новому году", "", day(12), day(31), "сумки", "10%"),
        PromotionRow("Чёрная пятница", "", day(-12), day(-5), "всё", "30%"),
    ])
    now = datetime.now(timezone.utc)

    def consent() -> None:
        for n, chat_id in enumerate(customers):
            get_or_create_chat(chat_id, now)
            record_promo_consent(chat_id, now + timedelta(seconds=n), True, "customer")

    await engine.db.atomic(consent)
    tab = window.promotions_tab
    window.tabs.setCurrentWidget(tab)
    await tab.refresh()
    text = "Неделя Miu Miu! −15 % на все модели до воскресенья 🌸"
    await engine.commands.start_announcement(tab.promotions[0].id, tab.promotions[0].title, text, [], "Асель")
    await _wait(lambda: sum(m.text == text for m in engine.sandbox.sent) >= 2, 30)
    await asyncio.sleep(1.0)  # the delivery ticks
    await tab.refresh()
    tab.table.selectRow(0)
    tab.runs.selectRow(0)
    await asyncio.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0] if args else os.environ.get("SCREENSHOT_DIR", "docs/screenshots"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from .app import make_application

    app = make_application()
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        saved = runner.run(render(out_dir))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
