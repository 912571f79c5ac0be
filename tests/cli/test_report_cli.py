"""`report` and `spin classify` through the real command line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from ottenok_desktop.__main__ import main
from ottenok_desktop.services.storage import Database
from tests.services.reports.shop_db import fill
from tests.services.reports.test_exports import AIGERIM


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OTTENOK_DATA_DIR", "OTTENOK_WORK_HOURS", "OTTENOK_TIMEZONE", "OTTENOK_SLOW_FIRST_REPLY_MIN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's folder
    path = tmp_path / "data"
    db = Database(path / "ottenok.sqlite3").open_sync()  # Settings.database_path
    try:
        fill(db)
    finally:
        db.close_sync()
    return path


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_day_report_as_json(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, data, "report", "--period", "day", "--date", "2026-11-24")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["period"]["label"] == "2026-11-24" and doc["period"]["work_hours"] == "9-19"
    assert [(r["name"], r["kind"]) for r in doc["responders"]] == [("Бот", "bot"), ("Асель", "manager"), ("Менеджер", "manager")]
    assert doc["responders"][0]["first_response_sec"] == {"count": 1, "median": 120.0, "p90": 120.0, "mean": 120.0}
    assert doc["overall"]["response_rate"] == round(2 / 3, 4) and doc["overall"]["unanswered_inbound"] == 1
    assert set(doc["channels"]) == {"whatsapp"}
    silent = next(c for c in doc["chats"] if c["chat"] == "77011110003@c.us")
    assert silent["advice"] == ["no_reply", "no_next_step"] and silent["unanswered_inbound"] == 1


def test_week_report_as_xlsx_and_settings(data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTTENOK_SLOW_FIRST_REPLY_MIN", "1")
    out_file = tmp_path / "week.xlsx"
    code, _out, err = run(capsys, data, "report", "--period", "week", "--date", "2026-11-24", "--format", "xlsx",
                          "-o", str(out_file))
    assert code == 0, err
    wb = openpyxl.load_workbook(out_file)
    advice = {wb["Советы по чатам"].cell(row=r, column=3).value for r in range(2, wb["Советы по чатам"].max_row + 1)}
    assert "slow_first_reply" in advice  # the bot's 2 minutes are slow against a 1-minute threshold


def test_report_from_whatsapp_exports(data: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    export = tmp_path / "Айгерим.txt"
    export.write_text(AIGERIM, encoding="utf-8")
    code, out, err = run(capsys, data, "report", "--from-export", str(export), "--shop-author", "Оттенок Асель",
                         "Оттенок Дина")
    assert code == 0, err
    doc = json.loads(out)
    assert [r["name"] for r in doc["responders"]] == ["Оттенок Асель", "Оттенок Дина"]
    assert doc["overall"]["first_response_sec"]["median"] == 420.0


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--date", "24.11.2026"], "--date must be YYYY-MM-DD"),
    (["report", "--format", "xlsx"], "needs -o FILE"),
    (["report", "--from-export", "nope.txt", "--shop-author", "X"], "no such file"),
    (["report", "--shop-author", "X"], "only applies with --from-export"),
])
def test_usage_errors(data: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _out, err = run(capsys, data, *args)
    assert code == 2 and message in err


def test_spin_classify(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, data, "spin", "classify", "Какой размер вы носите?", "Жмут ли ваши лоферы?",
                         "Из-за этого приходится брать сменку?", "Было бы удобно с мягкой стелькой?", "Оформляем?",
                         "--json")
    assert code == 0, err
    assert [r["stage"] for r in json.loads(out)["results"]] == [
        "situation", "problem", "implication", "need_payoff", "none"]
