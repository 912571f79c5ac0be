"""Dropping a stock file on the window: a good `.xlsx` is validated, swapped in and shown
with a summary; a bad one opens a dialog with the exact row/column errors while the old
stock stays in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from .conftest import wait_until

HEADERS = ["Наименование", "Бренд", "Размер", "Цвет", "Количество", "Цена"]


def write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GOOD = [
    ["Лоферы Chanel", "Chanel", 37, "бежевый", 3, 45900],
    ["Лоферы Chanel", "Chanel", 38, "черный", 1, 45900],
    ["Кроссовки Balenciaga Triple S", "Balenciaga", 39, "белый", 0, 89000],
    ["Туфли лодочки", "Ottenok", 36, "красный", 5, 32000],
]


def drop(widget: Any, path: Path) -> QDropEvent:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted(), "the window must accept a stock file"
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event


async def test_good_file_dropped_on_the_window_replaces_the_stock(console_of, tmp_path) -> None:
    async with console_of(attach_inventory) as stock_console:
        window = stock_console.window
        tab = window.inventory_tab
        drop(window, write_xlsx(tmp_path / "остатки ноябрь.xlsx", GOOD))
        assert window.tabs.currentWidget() is tab
        await wait_until(lambda: tab.model.rowCount() == 4, timeout=15, what="the new stock in the table")
        assert "Файл принят" in tab.message.text()
        assert "Позиций: 4" in tab.summary.text()
        # highlighted rows: the Balenciaga line has none left
        from ottenok_desktop.ui.inventory_tab import COLUMNS

        names = [tab.model.data(tab.model.index(r, COLUMNS.index("product"))) for r in range(4)]
        row = names.index("Кроссовки Balenciaga Triple S")
        assert tab.model.data(tab.model.index(row, 0), Qt.ItemDataRole.BackgroundRole) is not None
        tab.filter.setText("chanel 37")
        assert tab.proxy.rowCount() == 1


async def test_csv_from_accounting_dropped_on_the_window_is_accepted(console_of, tmp_path) -> None:
    async with console_of(attach_inventory) as stock_console:
        window = stock_console.window
        tab = window.inventory_tab
        path = tmp_path / "выгрузка 1С.csv"
        lines = [";".join(HEADERS)] + [";".join(str(cell) for cell in row) for row in GOOD]
        path.write_bytes("\r\n".join(lines).encode("cp1251"))
        drop(window, path)
        assert window.tabs.currentWidget() is tab
        await wait_until(lambda: tab.model.rowCount() == 4, timeout=15, what="the csv stock in the table")
        assert "Файл принят" in tab.message.text()


async def test_bad_file_shows_exact_errors_and_keeps_the_old_stock(console_of, tmp_path) -> None:
    async with console_of(attach_inventory) as stock_console:
        window = stock_console.window
        tab = window.inventory_tab
        tab.load_file(write_xlsx(tmp_path / "good.xlsx", GOOD))
        await wait_until(lambda: tab.model.rowCount() == 4, timeout=15, what="the first stock")
        bad = write_xlsx(tmp_path / "остатки с ошибками.xlsx", [
            ["Лоферы Chanel", "Chanel", 37, "бежевый", "много", 45900],
            ["Туфли лодочки", "Ottenok", 36, "красный", 2, -100],
        ])
        drop(tab, bad)
        await wait_until(lambda: tab.last_dialog is not None, timeout=15, what="the error dialog")
        dialog = tab.last_dialog
        assert dialog.isVisible()
        assert dialog.table.rowCount() >= 2
        cells = [[dialog.table.item(r, c).text() for c in range(4)] for r in range(dialog.table.rowCount())]
        assert any(row[0] == "2" and "много" in row[2] for row in cells), cells
        assert any(row[0] == "3" for row in cells), cells
        assert all(row[3] for row in cells)  # every error has a Russian explanation
        assert tab.model.rowCount() == 4  # the old stock stays
        assert len(stock_console.ctx.engine.inventory.index.items) == 4
        dialog.close()


async def test_other_files_are_refused_with_a_message(console_of, tmp_path) -> None:
    async with console_of(attach_inventory) as stock_console:
        window = stock_console.window
        path = tmp_path / "фото.jpg"
        path.write_bytes(b"\xff\xd8\xff")
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window, enter)
        assert not enter.isAccepted()


def attach_inventory(engine: Any) -> None:
    from ottenok_desktop.services.inventory.service import InventoryService

    settings = engine.settings
    engine.inventory = InventoryService(settings.inventory_path, settings.data_dir, engine.bus, engine.executor, db=engine.db)
