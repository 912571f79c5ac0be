"""`orders export` and `tickets export --json` on a real database with a real order and ticket."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

from ottenok_desktop.__main__ import main
from ottenok_desktop.services.storage import Database, orders, tickets

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)


def _seed(data_dir: Path) -> None:
    db = Database(data_dir / "ottenok.sqlite3").open_sync()
    order = db.atomic_sync(orders.create_order, "77011234567@c.us", NOW, "bot",
                           {"product": "Лоферы Chanel", "size": "38", "color": "черный", "city": "Астана",
                            "address": "ул. Кенесары 5", "price": 285000})
    db.atomic_sync(orders.set_state, order.id, "confirmed", "bot", NOW)
    db.atomic_sync(tickets.create_ticket, "77011234567@c.us", "warranty", "Гарантия: отклеилась подошва",
                   {"attachments": [{"content_type": "image"}]}, NOW)
    db.close_sync()


def test_orders_export_json_csv_xlsx(tmp_path: Path, capsys) -> None:
    _seed(tmp_path)
    assert main(["--data-dir", str(tmp_path), "orders", "export"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["count"] == 1 and payload["orders"][0]["state"] == "confirmed"
    assert payload["orders"][0]["price"] == "285000"
    target = tmp_path / "orders.csv"
    assert main(["--data-dir", str(tmp_path), "orders", "export", "--format", "csv", "-o", str(target)]) == 0
    rows = list(csv.DictReader(target.open(encoding="utf-8-sig")))
    assert rows[0]["product"] == "Лоферы Chanel" and rows[0]["city"] == "Астана"
    book = tmp_path / "orders.xlsx"
    assert main(["--data-dir", str(tmp_path), "orders", "export", "--format", "xlsx", "-o", str(book)]) == 0
    from openpyxl import load_workbook

    sheet = load_workbook(book).active
    assert sheet.cell(2, 6).value == "Лоферы Chanel" and sheet.cell(2, 13).value == 285000


def test_orders_export_errors_are_clear(tmp_path: Path, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "orders", "export", "--format", "xlsx"]) == 2
    assert "needs -o" in capsys.readouterr().err
    assert main(["--data-dir", str(tmp_path), "orders", "export", "-o", str(tmp_path / "no" / "x.json")]) == 2


def test_tickets_export_json(tmp_path: Path, capsys) -> None:
    _seed(tmp_path)
    assert main(["--data-dir", str(tmp_path), "tickets", "export", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    (ticket,) = payload["tickets"]
    assert ticket["kind"] == "warranty" and ticket["status"] == "WAITING" and ticket["phone"] == "77011234567"
    assert ticket["details"]["attachments"][0]["content_type"] == "image"
