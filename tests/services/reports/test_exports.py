"""Reports over WhatsApp chat exports (history from before the bot)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ottenok_desktop.engine.analytics.compute import build_report
from ottenok_desktop.engine.analytics.model import period_for
from ottenok_desktop.services.reports.exports import ExportError, load_exports
from ottenok_desktop.settings import WorkHours

from .shop_db import ALMATY

AIGERIM = """\
12.11.2025, 10:02 - Сообщения и звонки защищены сквозным шифрованием. Третьи лица, включая WhatsApp, не могут прочитать или прослушать их.
12.11.2025, 10:02 - Айгерим: Здравствуйте, лоферы шанель черные есть 37?
12.11.2025, 10:04 - Айгерим: и скока стоят
12.11.2025, 10:09 - Оттенок Асель: Здравствуйте! Есть, 285 000 ₸. Вы обычно какой размер носите?
12.11.2025, 10:15 - Айгерим: 37, иногда 37.5
12.11.2025, 18:55 - Оттенок Асель: Отложила вам пару, когда удобно примерить?
12.11.2025, 19:30 - Айгерим: <Без медиафайлов>
12.11.2025, 19:31 - Айгерим: завтра можно?
13.11.2025, 09:20 - Оттенок Дина: Доброе утро! Да, ждём вас с 10:00
"""

ZHANNA = """\
[13.11.25, 21:10:05] Жанна: есть сумка прада ре эдишн?
[13.11.25, 21:11:40] Жанна: цвет черный
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_exports_become_chats_with_named_managers(tmp_path: Path) -> None:
    files = [write(tmp_path, "WhatsApp Chat with Айгерим.txt", AIGERIM), write(tmp_path, "Жанна.txt", ZHANNA)]
    report_input = load_exports(files, [" оттенок асель", "Оттенок Дина"], ALMATY)
    assert report_input.period.start.date() == date(2025, 11, 12) and report_input.period.end.date() == date(2025, 11, 14)
    r = build_report(report_input, WorkHours(9, 19))
    asel, dina = r.responder("Оттенок Асель"), r.responder("Оттенок Дина")
    assert asel is not None and dina is not None and asel.kind == "manager"
    assert asel.first_response.median == 420.0  # 10:02 → 10:09
    # runs: 10:02 → 10:09 (7 min), 10:15 → 18:55 (8 h 40 min, all inside hours), 19:30 → 09:20 next day (20 min)
    assert asel.reply.count == 2
    assert asel.reply.median == (420 + 31200) / 2
    assert dina.reply.median == 1200.0
    aigerim = next(c for c in r.chats if c.key == "WhatsApp Chat with Айгерим.txt")
    assert aigerim.name == "Айгерим" and aigerim.inbound == 5 and aigerim.outbound == 3
    zhanna = next(c for c in r.chats if c.key == "Жанна.txt")
    assert zhanna.unanswered_inbound == 2 and zhanna.advice[0] == "no_reply"


def test_a_chosen_day_of_the_exports(tmp_path: Path) -> None:
    files = [write(tmp_path, "a.txt", AIGERIM)]
    report_input = load_exports(files, ["Оттенок Асель", "Оттенок Дина"], ALMATY, period_for("day", date(2025, 11, 13), ALMATY))
    r = build_report(report_input, WorkHours(9, 19))
    assert r.overall.chats == 1 and r.overall.first_response.count == 0  # the chat began the day before
    assert r.overall.inbound == 0 and r.overall.outbound == 1


def test_bad_exports_are_named(tmp_path: Path) -> None:
    good = write(tmp_path, "a.txt", AIGERIM)
    with pytest.raises(ExportError, match="--shop-author"):
        load_exports([good], [], ALMATY)
    with pytest.raises(ExportError, match="written by the --shop-author"):
        load_exports([good], ["Кто-то другой"], ALMATY)
    with pytest.raises(ExportError, match="notes.txt"):
        load_exports([write(tmp_path, "notes.txt", "просто заметки\nбез дат")], ["Оттенок Асель"], ALMATY)
