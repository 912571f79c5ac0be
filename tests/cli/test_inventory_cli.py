"""`inventory check` and `inventory find` through the real command line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ottenok_desktop.__main__ import main
from tests.services.inventory.xlsx import ROWS, RU_HEADERS, write_xlsx


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("INVENTORY_EXCEL_PATH", "OTTENOK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "inventory", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_check_good_file(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(tmp_path / "остатки.xlsx", ROWS, RU_HEADERS)
    code, out, err = run(capsys, data, "check", str(path))
    assert code == 0, err
    assert "OK" in out and f"{len(ROWS)} rows" in out and "4 products" in out
    code, out, _ = run(capsys, data, "check", str(path), "--json")
    payload = json.loads(out)
    assert code == 0 and payload["ok"] and payload["rows"] == len(ROWS) and payload["errors"] == []


def test_check_bad_file_lists_errors_without_traceback(data: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    rows = [list(r) for r in ROWS]
    rows[3][3] = "пять"
    path = write_xlsx(tmp_path / "stock.xlsx", rows)
    code, out, err = run(capsys, data, "check", str(path))
    assert code == 1 and out == ""
    assert "stock.xlsx, row 5, column 'quantity': 'пять' is not a number" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, data, "check", str(path), "--lang", "ru")
    assert "строка 5" in err
    code, out, _ = run(capsys, data, "check", str(path), "--json")
    assert code == 1 and json.loads(out)["errors"][0]["row"] == 5


@pytest.mark.parametrize("content", [b"", b"not an excel file at all"])
def test_check_corrupt_or_empty(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    code, _, err = run(capsys, data, "check", str(path))
    assert code == 1 and "bad.xlsx" in err and "Traceback" not in err


def test_check_missing_file(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, data, "check", "nope.xlsx")
    assert code == 1 and "not found" in err


def test_find_in_a_given_file(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", ROWS)
    code, out, err = run(capsys, data, "find", "лоферы шанель черные", "--size", "38", "--file", str(path), "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["status"] == "in_stock" and payload["product"] == "Лоферы Chanel"
    assert payload["available"] == 2 and payload["price"] == 285000
    code, out, _ = run(capsys, data, "find", "лоферы шанель 39 черные", "--file", str(path))
    assert code == 0 and out.startswith("out_of_stock: Лоферы Chanel") and "alternatives:" in out


def test_find_uses_the_configured_file_or_the_sample(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, data, "find", "баленсиага трипл с", "--color", "черные", "--size", "38", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["file"].endswith("data/inventory.xlsx")  # the bundled sample shop
    assert payload["product"] == "Кроссовки Balenciaga Triple S" and payload["status"] == "in_stock"
    own = write_xlsx(tmp_path / "mine.xlsx", ROWS[:2])
    monkeypatch.setenv("INVENTORY_EXCEL_PATH", str(own))
    code, out, _ = run(capsys, data, "find", "баленсиага", "--json")
    assert json.loads(out)["file"] == str(own) and json.loads(out)["status"] == "not_found"


def test_find_with_a_broken_file(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"garbage")
    code, out, err = run(capsys, data, "find", "шанель", "--file", str(path), "--json")
    assert code == 1 and out == "" and "cannot be used" in err and "Traceback" not in err


def test_check_a_cp1251_csv(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "остатки 1С.csv"
    path.write_bytes(
        "Наименование;Размер;Цвет;Остаток;Цена\r\nЛоферы Chanel;37;черный;1;285 000 тг\r\n"
        "Лоферы Chanel;38,5;черный;две;285000\r\n".encode("cp1251")
    )
    code, out, err = run(capsys, data, "check", str(path), "--lang", "ru")
    assert code == 1 and out == ""
    assert "Файл «остатки 1С.csv», строка 3, столбец «Остаток»: «две» — не число" in err
    path.write_bytes(path.read_bytes().replace("две".encode("cp1251"), b"2"))
    code, out, err = run(capsys, data, "check", str(path))
    assert code == 0, err
    assert "2 rows" in out
