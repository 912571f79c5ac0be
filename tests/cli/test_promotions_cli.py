"""`promotions list` through the real command line entry point."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.__main__ import main
from tests.services.promotions.xlsx import HEADERS, write_promotions


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("PROMOTIONS_PATH", "OTTENOK_DATA_DIR", "OTTENOK_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def shop_day(offset: int) -> str:
    return (datetime.now(ZoneInfo("Asia/Almaty")).date() + timedelta(days=offset)).strftime("%d.%m.%Y")


def test_list_json_statuses_from_today(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_promotions(data / "promotions.xlsx", [
        ["Miu Miu −15%", "", shop_day(-1), shop_day(1), "Miu Miu", "15%"],
        ["Новый год", "", shop_day(5), shop_day(10), "всё", "10%"],
        ["Прошлая", "", shop_day(-10), shop_day(-1), "сумки", "88 200"],
    ], HEADERS)
    assert main(["--data-dir", str(data), "promotions", "list", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    statuses = {p["title"]: p["status"] for p in payload["promotions"]}
    assert statuses == {"Miu Miu −15%": "active", "Новый год": "waiting", "Прошлая": "finished"}
    first = payload["promotions"][0]
    assert first["status_ru"] == "Активна" and len(first["id"]) == 10 and first["discount"] == "15%"


def test_list_bad_file_exits_1_with_row_and_column(data: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = write_promotions(tmp_path / "акции.xlsx", [["Акция", "", "вчера", shop_day(1), "всё", "10%"]], HEADERS)
    assert main(["--data-dir", str(data), "promotions", "list", "--file", str(path)]) == 1
    err = capsys.readouterr().err
    assert "акции.xlsx, row 2, column 'start': 'вчера' is not a date" in err and "Traceback" not in err


def test_list_without_file_is_empty(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(data), "promotions", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["promotions"] == []


def test_announce_dry_run_lists_only_consenting_reachable_chats(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.chats import get_or_create_chat
    from ottenok_desktop.services.storage.consent import record_promo_consent
    from ottenok_desktop.services.storage.models import Chat
    from ottenok_desktop.services.storage.nudges import set_opted_out
    from ottenok_desktop.services.storage.tickets import create_ticket

    write_promotions(data / "promotions.xlsx", [["Miu Miu −15%", "", shop_day(0), shop_day(3), "Miu Miu", "15%"]],
                     HEADERS)
    now = datetime.now(ZoneInfo("UTC"))
    db = Database(data / "ottenok.sqlite3").open_sync()
    try:
        def seed() -> None:
            for n in range(1, 7):
                get_or_create_chat(f"7701555000{n}@c.us", now, f"Клиент {n}")
            for n in (1, 2, 3, 4, 5):
                record_promo_consent(f"7701555000{n}@c.us", now + timedelta(seconds=n), True, "customer")
            record_promo_consent("77015550003@c.us", now, False, "customer")  # then «не присылайте акции»
            set_opted_out("77015550004@c.us", now)  # «стоп» to the follow-ups
            create_ticket("77015550005@c.us", "other", "вопрос", {}, now)  # in an open ticket
            Chat.update(channel="telegram").where(Chat.chat_id == "77015550002@c.us").execute()

        db.call_sync(seed)
    finally:
        db.close_sync()
    assert main(["--data-dir", str(data), "promotions", "list", "--json"]) == 0
    promo_id = json.loads(capsys.readouterr().out)["promotions"][0]["id"]
    assert main(["--data-dir", str(data), "promotions", "announce", promo_id, "--dry-run", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["recipients"] == [{"chat": "77015550001@c.us", "phone": "77015550001"}]
    assert main(["--data-dir", str(data), "promotions", "announce", "nope", "--dry-run", "--json"]) == 1
    assert main(["--data-dir", str(data), "promotions", "announce", promo_id, "--photo", "нет.jpg", "--json"]) == 2


def test_announce_starts_a_paced_announcement_and_results_pause_resume_cancel(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.chats import get_or_create_chat
    from ottenok_desktop.services.storage.consent import record_promo_consent

    write_promotions(data / "promotions.xlsx", [["Miu Miu −15%", "до воскресенья", shop_day(0), shop_day(3),
                                                  "Miu Miu", "15%"]], HEADERS)
    now = datetime.now(ZoneInfo("UTC"))
    db = Database(data / "ottenok.sqlite3").open_sync()
    try:
        def seed() -> None:
            for n in (1, 2, 3):
                get_or_create_chat(f"7701555000{n}@c.us", now, f"Клиент {n}")
                record_promo_consent(f"7701555000{n}@c.us", now + timedelta(seconds=n), True, "customer")

        db.call_sync(seed)
    finally:
        db.close_sync()
    assert main(["--data-dir", str(data), "promotions", "list", "--json"]) == 0
    promo_id = json.loads(capsys.readouterr().out)["promotions"][0]["id"]
    assert main(["--data-dir", str(data), "promotions", "announce", promo_id, "--manager", "Айгуль", "--json"]) == 0
    started = json.loads(capsys.readouterr().out)["announcement"]
    assert (started["state"], started["recipients"], started["created_by"]) == ("sending", 3, "Айгуль")
    assert [r["chat"] for r in started["recipients_list"]] == [f"7701555000{n}@c.us" for n in (1, 2, 3)]
    assert started["text"].startswith("Miu Miu −15%! до воскресенья") and "Скидка 15%" in started["text"]
    ann = str(started["id"])

    assert main(["--data-dir", str(data), "promotions", "pause", ann, "--manager", "Айгуль", "--json"]) == 0
    paused = json.loads(capsys.readouterr().out)["announcement"]
    assert (paused["state"], paused["pause_reason"]) == ("paused", "manager")
    assert main(["--data-dir", str(data), "promotions", "pause", ann]) == 1  # already paused
    assert "cannot pause" in capsys.readouterr().err
    assert main(["--data-dir", str(data), "promotions", "resume", ann, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["announcement"]["state"] == "sending"
    assert main(["--data-dir", str(data), "promotions", "results", ann, "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["announcement"]["results"]
    assert results == {"announcement": int(ann), "recipients": 3, "queued": 0, "sent": 0, "delivered": 0, "read": 0,
                       "replied_24h": 0, "orders_7d": 0, "failed": 0, "skipped": 0}
    assert main(["--data-dir", str(data), "promotions", "cancel", ann, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["announcement"]["state"] == "cancelled"
    assert main(["--data-dir", str(data), "promotions", "announcements", "--json"]) == 0
    assert [a["state"] for a in json.loads(capsys.readouterr().out)["announcements"]] == ["cancelled"]
    assert main(["--data-dir", str(data), "promotions", "results", "999"]) == 1
