"""WhatsApp export parser: every shared fixture with the facts from its SOURCES.md,
plus locale shapes none of the fixtures has (German, ISO dates, French, 12 h US Android)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from ottenok_desktop.services.knowledge.whatsapp_export import (
    ChatMessage,
    looks_like_whatsapp_export,
    parse_whatsapp_export,
)


def load(shared_fixtures: Path, name: str) -> list[ChatMessage]:
    raw = (shared_fixtures / "whatsapp_exports" / name).read_bytes().decode("utf-8")
    return parse_whatsapp_export(raw)


def facts(messages: list[ChatMessage]) -> dict[str, object]:
    return {
        "records": len(messages),
        "system": sum(m.is_system for m in messages),
        "authors": {m.author for m in messages if m.author and not m.is_system},
        "media": sum(m.is_media for m in messages),
        "attachments": sum(m.attachment is not None for m in messages),
        "multiline": sum("\n" in m.text for m in messages),
    }


def test_ru_android(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whats_json__ru_android.txt")
    assert facts(messages) == {
        "records": 60, "system": 1, "authors": {"Dmitry S", "Elon"}, "media": 27, "attachments": 2, "multiline": 1,
    }
    assert messages[0].timestamp == datetime(2022, 3, 23, 13, 31) and messages[0].is_system
    assert messages[0].author is None
    assert "не могут" in messages[0].text  # U+00A0 became a plain space
    assert messages[1].timestamp == datetime(2022, 3, 18, 14, 56)
    assert messages[-1].timestamp == datetime(2023, 1, 7, 23, 32)
    assert min(m.timestamp for m in messages) == datetime(2022, 3, 18, 14, 56)
    multi = [m for m in messages if "\n" in m.text][0]
    assert multi.text.split("\n") == ["Pimlico Gardens", "London, United Kingdom", "https://foursquare.com/v/4e89af95e5fa82ad4c0aa03b"]
    assert {m.attachment for m in messages if m.attachment} == {"Alex.vcf", "TR.vcf"}  # U+200E stripped
    assert all(m.text == "<Без медиафайлов>" for m in messages if m.is_media)


def test_ru_ios(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whats_json__ru_ios.txt")
    assert facts(messages) == {
        "records": 23, "system": 1, "authors": {"Dmitry S", "Elon Musk"}, "media": 14, "attachments": 0, "multiline": 0,
    }
    assert messages[0].is_system and messages[0].author is None  # iOS pseudo-author dropped
    assert messages[0].timestamp == datetime(2022, 3, 18, 14, 56, 0)
    assert messages[-1].timestamp == datetime(2022, 3, 27, 21, 56, 45)
    assert not any("\r" in m.text or "\u200e" in m.text for m in messages)
    deleted = [m for m in messages if m.text == "Вы удалили данное сообщение."]
    assert len(deleted) == 1 and not deleted[0].is_system and not deleted[0].is_media


def test_en_android(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whats_json__en_android.txt")
    assert facts(messages) == {
        "records": 60, "system": 1, "authors": {"Dmitry S", "Elon"}, "media": 27, "attachments": 2, "multiline": 1,
    }
    assert messages[0].timestamp == datetime(2022, 3, 23, 13, 31)
    assert messages[-1].timestamp == datetime(2023, 1, 7, 23, 32)


def test_en_android_media(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whats_json__en_android_media.txt")
    assert facts(messages) == {
        "records": 60, "system": 1, "authors": {"Dmitry S", "Elon"}, "media": 18, "attachments": 11, "multiline": 12,
    }
    assert messages[0].timestamp == datetime(2022, 3, 23, 13, 31)
    assert messages[-1].timestamp == datetime(2023, 1, 7, 23, 32)
    captioned = [i + 1 for i, m in enumerate(messages) if "\n" in m.text and (m.is_media or m.attachment)]
    assert captioned == [4, 5, 10, 16, 18, 27, 32, 46, 47, 48, 55]
    assert messages[4].text.split("\n")[1] == "карточка компании"


def test_en_ios(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whats_json__en_ios.txt")
    assert facts(messages) == {
        "records": 23, "system": 1, "authors": {"Dmitry S", "Elon Musk"}, "media": 14, "attachments": 0, "multiline": 0,
    }
    assert messages[0].timestamp == datetime(2022, 3, 18, 14, 56, 1)
    assert messages[-1].timestamp == datetime(2022, 3, 27, 21, 56, 45)


def test_en_ios_media(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whats_json__en_ios_media.txt")
    assert facts(messages) == {
        "records": 25, "system": 3, "authors": {"Dmitry S", "Elon Musk"}, "media": 1, "attachments": 13, "multiline": 0,
    }
    assert messages[0].timestamp == datetime(2022, 3, 18, 14, 56, 1)
    assert messages[-1].timestamp == datetime(2023, 1, 7, 23, 32, 30)
    assert "00000048-Template.docx" in {m.attachment for m in messages}
    assert [m.text.startswith("Your security code") for m in messages if m.is_system].count(True) == 2


def test_langchain_ios_ampm(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "langchain__ios_ampm.txt")
    assert facts(messages) == {
        "records": 12, "system": 1, "authors": {"Dr. Feather", "Jungle Jane"}, "media": 3, "attachments": 0, "multiline": 0,
    }
    assert messages[0].timestamp == datetime(2023, 8, 15, 9, 12, 33)
    assert messages[-1].timestamp == datetime(2023, 8, 15, 21, 25, 16)


def test_whatsr_ios_ampm(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "whatsr__en_ios_ampm.txt")
    assert facts(messages) == {
        "records": 50, "system": 8, "authors": {"Mallory", "Alice", "Bob", "Carol", "Dave"},
        "media": 1, "attachments": 1, "multiline": 0,
    }
    assert messages[0].timestamp == datetime(2018, 1, 29, 12, 24, 3)  # 12:xx PM is noon
    assert messages[-1].timestamp == datetime(2018, 1, 30, 0, 23, 3)  # "00:23:03 AM"
    assert datetime(2018, 1, 30, 0, 0, 3) in {m.timestamp for m in messages}  # "12:00:03 AM"
    assert messages[8].is_system and messages[8].text.startswith("You changed this group")  # BOM line
    assert messages[-1].text == "Maybe next time!"  # trailing blank line dropped
    carol = [m for m in messages if m.author == "Carol" and m.text == ""]
    assert len(carol) == 1  # "Carol:" with an empty body is still Carol's message
    assert [m.attachment for m in messages if m.attachment] == ["PTT-20180129-WA0025.opus"]


def test_chatminer_brackets_24h(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "chatminer__brackets_mmddyy_24hrs.txt")
    assert facts(messages) == {
        "records": 9, "system": 2, "authors": {"John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"},
        "media": 0, "attachments": 0, "multiline": 2,
    }
    assert messages[0].timestamp == datetime(2019, 1, 1, 11, 25)
    assert messages[-1].timestamp == datetime(2021, 12, 30, 22, 1)
    assert messages[3].author == "John-John Doe" and messages[3].text == "Lorem ipsum : dolor sit amet."


def test_chatminer_spaced_am(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "chatminer__mmddyyyy_12hrs_spaced_am.txt")
    assert facts(messages) == {
        "records": 9, "system": 2, "authors": {"John Doe", "Jahn Doe", "John-John Doe", "John Doe 🤓", "🤓"},
        "media": 0, "attachments": 0, "multiline": 2,
    }
    assert messages[0].timestamp == datetime(2019, 1, 1, 11, 25)
    assert messages[4].timestamp == datetime(2020, 6, 20, 0, 8)  # "00:08 a. m."
    assert messages[7].timestamp == datetime(2021, 12, 20, 12, 10)  # "12:10 p. m."
    assert messages[-1].timestamp == datetime(2021, 12, 30, 22, 1)


def test_chatminer_no_comma(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "chatminer__no_comma_p_m.txt")
    assert facts(messages) == {
        "records": 4, "system": 0, "authors": {"John Doe", "John-John Doe", "Jahn Doe"},
        "media": 0, "attachments": 0, "multiline": 1,
    }
    assert messages[0].timestamp == datetime(2019, 9, 24, 23, 30)
    assert messages[2].timestamp == datetime(2019, 11, 17, 21, 34)  # out of order in the file
    assert messages[-1].timestamp == datetime(2019, 12, 24, 11, 30)


def test_pustur_ambiguous_dates(shared_fixtures: Path) -> None:
    messages = load(shared_fixtures, "pustur__short_chat.txt")
    assert facts(messages) == {
        "records": 5, "system": 2, "authors": {"Sample User", "TestBot", "+410123456789"},
        "media": 0, "attachments": 0, "multiline": 1,
    }
    # Every value is ≤ 12; only month/day keeps the file in time order.
    assert [m.timestamp for m in messages][2:] == [
        datetime(2017, 6, 3, 0, 45), datetime(2017, 8, 5, 1, 48), datetime(2017, 9, 4, 1, 50),
    ]
    assert messages[-1].text == "How are you?\n\nIs everything alright?"


# ---- shapes nobody shipped ----------------------------------------------------------------
def test_german_android_two_digit_year() -> None:
    text = (
        "15.03.20, 14:30 - Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.\n"
        "15.03.20, 14:31 - Anna: Hallo, habt ihr die Loafer in 38?\n"
        "16.03.20, 09:05 - Shop: Ja! <Medien ausgeschlossen>\n"
        "16.03.20, 09:06 - Shop: <Medien ausgeschlossen>\n"
    )
    messages = parse_whatsapp_export(text)
    assert [m.timestamp for m in messages] == [
        datetime(2020, 3, 15, 14, 30), datetime(2020, 3, 15, 14, 31), datetime(2020, 3, 16, 9, 5), datetime(2020, 3, 16, 9, 6),
    ]
    assert messages[0].is_system and messages[3].is_media and not messages[2].is_media


def test_german_ios_brackets() -> None:
    text = "[03.04.21, 18:02:11] Anna: Guten Abend\n[03.04.21, 18:03:40] Shop: \u200eBild weggelassen\n"
    messages = parse_whatsapp_export(text)
    assert messages[0].timestamp == datetime(2021, 4, 3, 18, 2, 11)  # dots mean day first
    assert messages[1].is_media


def test_iso_dates() -> None:
    text = "2024-02-29, 23:59 - Aigerim: первое\nвторая строка\n2024-03-01, 00:01 - Shop: ответ\n"
    messages = parse_whatsapp_export(text)
    assert [m.timestamp for m in messages] == [datetime(2024, 2, 29, 23, 59), datetime(2024, 3, 1, 0, 1)]
    assert messages[0].text == "первое\nвторая строка"


def test_us_android_12h_with_narrow_nbsp() -> None:
    text = "3/15/24, 9:05\u202fPM - Kate: hi\n3/16/24, 12:30\u202fAM - Kate: late\n"
    messages = parse_whatsapp_export(text)
    assert [m.timestamp for m in messages] == [datetime(2024, 3, 15, 21, 5), datetime(2024, 3, 16, 0, 30)]


def test_french_a_separator_and_crlf_and_bom() -> None:
    text = "\ufeff15/03/2020 à 14:30 - Léa: Bonjour\r\n16/03/2020 à 08:00 - Léa: <Médias omis>\r\n"
    messages = parse_whatsapp_export(text)
    assert messages[0].timestamp == datetime(2020, 3, 15, 14, 30) and messages[0].author == "Léa"
    assert messages[1].is_media


def test_date_inside_a_message_is_not_a_header() -> None:
    text = "01.12.2025, 10:00 - Клиент: когда привезёте?\n02.12.2025 в 14:00 удобно\n01.12.2025, 10:05 - Алина: Завтра\n"
    messages = parse_whatsapp_export(text)
    assert len(messages) == 2 and messages[0].text.endswith("02.12.2025 в 14:00 удобно")


def test_not_an_export() -> None:
    with pytest.raises(ValueError):
        parse_whatsapp_export("Просто заметка про доставку.\nБез дат.")
    assert not looks_like_whatsapp_export("Просто заметка про доставку.")
    assert looks_like_whatsapp_export("12.11.2025, 10:02 - Айгерим: Здравствуйте\n")


# ---- time first and mixed layouts (our own samples in tests/services/knowledge/data) ------
OWN = Path(__file__).parent / "data" / "whatsapp_exports"


def load_own(name: str) -> list[ChatMessage]:
    return parse_whatsapp_export((OWN / name).read_bytes().decode("utf-8"))


def test_vietnamese_ios_time_first() -> None:
    messages = load_own("vi_ios_time_first.txt")
    assert facts(messages) == {
        "records": 9, "system": 1, "authors": {"Линь", "Ottenok Shop"}, "media": 1, "attachments": 1, "multiline": 1,
    }
    assert messages[0].is_system and messages[0].author is None  # iOS pseudo-author dropped
    assert messages[0].timestamp == datetime(2022, 3, 18, 14, 56, 1)
    assert messages[1].author == "Линь" and messages[1].text == "Здраствуйте, лоферы шанель есть 37 размер?"
    assert messages[2].text == "Добрый день! Да, есть черные и бежевые\nЦена 145 000 ₸"
    assert messages[5].timestamp == datetime(2022, 3, 19, 9, 5, 0)  # one-digit hour
    assert messages[-1].timestamp == datetime(2022, 3, 27, 21, 44, 16)
    assert messages[-1].attachment == "00000012-PHOTO-2022-03-27-21-44-16.jpg"
    assert [m.line for m in messages][:4] == [1, 2, 3, 5]


def test_vietnamese_android_time_first_day_first() -> None:
    messages = load_own("vi_android_time_first.txt")
    assert facts(messages) == {
        "records": 5, "system": 1, "authors": {"Thảo", "Менеджер Алина"}, "media": 1, "attachments": 0, "multiline": 0,
    }
    assert [m.timestamp for m in messages] == [
        datetime(2023, 4, 2, 8, 15), datetime(2023, 4, 2, 8, 16), datetime(2023, 4, 2, 8, 20),
        datetime(2023, 4, 2, 8, 21), datetime(2023, 4, 15, 13, 5),
    ]
    assert looks_like_whatsapp_export((OWN / "vi_android_time_first.txt").read_text(encoding="utf-8"))


def test_layouts_mixed_line_by_line() -> None:
    messages = load_own("mixed_layouts.txt")
    assert facts(messages) == {
        "records": 7, "system": 0, "authors": {"Айгерим", "Ottenok Shop"}, "media": 1, "attachments": 0, "multiline": 2,
    }
    assert [(m.timestamp, m.author) for m in messages] == [
        (datetime(2022, 3, 18, 14, 56, 1), "Айгерим"),  # iOS, month first
        (datetime(2022, 3, 18, 15, 1), "Ottenok Shop"),  # Android, day first
        (datetime(2022, 3, 18, 15, 2), "Ottenok Shop"),
        (datetime(2022, 3, 18, 15, 4, 30), "Айгерим"),
        (datetime(2022, 3, 18, 15, 20), "Ottenok Shop"),  # time first, seen once
        (datetime(2022, 3, 20, 10, 0), "Айгерим"),
        (datetime(2022, 3, 20, 10, 1, 15), "Айгерим"),
    ]
    assert messages[3].text == "а скидка будет?\nесли возьму две пары"
    assert messages[4].text == "На вторую пару -10%\n21.03.2022 - привезем в понедельник"
    assert messages[-1].is_media


def test_mixed_layouts_ambiguous_shape_follows_time_order() -> None:
    # The bracketed 12 h lines alone would read M/D (values ≤ 12); only D/M keeps the file in order.
    text = (
        "05/03/2024, 10:00 - Дана: салем, есть угги 36?\n"
        "[5/3/24, 10:02:00 AM] Ottenok Shop: Есть, черные\n"
        "25/03/2024, 11:00 - Дана: спасибо\n"
        "[6/4/24, 9:00:00 AM] Ottenok Shop: Пришли новые цвета\n"
        "07/04/2024, 12:00 - Дана: ура\n"
    )
    messages = parse_whatsapp_export(text)
    assert [m.timestamp for m in messages] == [
        datetime(2024, 3, 5, 10, 0), datetime(2024, 3, 5, 10, 2), datetime(2024, 3, 25, 11, 0),
        datetime(2024, 4, 6, 9, 0), datetime(2024, 4, 7, 12, 0),
    ]


def test_quoted_header_of_a_stranger_stays_in_the_message() -> None:
    text = (
        "01.12.2025, 10:00 - Клиент: вот что мне писали:\n"
        "[01.12.2025, 09:00:00] Курьер Ерлан: буду после обеда\n"
        "01.12.2025, 10:05 - Алина: Поняла, уточню\n"
    )
    messages = parse_whatsapp_export(text)
    assert len(messages) == 2
    assert messages[0].text == "вот что мне писали:\n[01.12.2025, 09:00:00] Курьер Ерлан: буду после обеда"
