"""The Inventory tab: the stock as a sortable, filterable table (low stock and reserved
highlighted) and the drop target for a new `.xlsx` or `.csv`: accepted with a summary, or rejected
with the exact row/column errors while the old stock stays in use."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal,
)
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QPushButton, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..engine.lexicon.text import normalize
from . import strings as S
from . import theme
from .context import Context, call_service
from .dropzone import dropped_paths, kind_of
from .formatting import money

log = logging.getLogger(__name__)
LOW_STOCK = 2
COLUMNS = ("sku", "brand", "product", "product_type", "color", "size", "quantity", "reserved", "available", "price")
NUMERIC = {"quantity", "reserved", "available", "price"}
SORT_ROLE = Qt.ItemDataRole.UserRole + 20


def item_key(item: Any) -> str:
    from ..services.inventory.index import StockIndex  # the inventory's own key, so reservations match

    return StockIndex.item_key(str(item.product), str(item.size), str(item.color))


class StockModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items: list[Any] = []
        self.reserved: dict[str, int] = {}

    def set_items(self, items: list[Any], reserved: dict[str, int]) -> None:
        self.beginResetModel()
        self.items = items
        self.reserved = reserved
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return S.INVENTORY_COLUMN_NAMES[COLUMNS[section]]
        return None

    def _value(self, item: Any, column: str) -> Any:
        reserved = self.reserved.get(item_key(item), 0)
        if column == "reserved":
            return reserved
        if column == "available":
            return max(0, int(item.quantity) - reserved)
        return getattr(item, column, "")

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = COLUMNS[index.column()]
        value = self._value(item, column)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "price":
                return money(value)
            if column == "product_type":
                return {"shoes": "обувь", "bag": "сумка", "accessory": "аксессуар", "other": "другое"}.get(str(value), str(value))
            return str(value)
        if role == SORT_ROLE:
            return value if column in NUMERIC else str(value).lower()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            available = self._value(item, "available")
            if available <= 0:
                return QColor(theme.OUT_OF_STOCK_BG)
            if available <= LOW_STOCK:
                return QColor(theme.LOW_STOCK_BG)
            if self._value(item, "reserved"):
                return QColor(theme.RESERVED_BG)
        if role == Qt.ItemDataRole.ToolTipRole and self._value(item, "available") <= LOW_STOCK:
            return S.LOW_STOCK
        return None


class StockFilter(QSortFilterProxyModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.only_low = False
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = normalize(text)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_only_low(self, value: bool) -> None:
        self.beginFilterChange()
        self.only_low = value
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        model: StockModel = self.sourceModel()  # type: ignore[assignment]
        item = model.items[row]
        if self.only_low and model._value(item, "available") > LOW_STOCK:
            return False
        if not self.text:
            return True
        haystack = normalize(" ".join(str(getattr(item, c, "")) for c in ("sku", "brand", "product", "color", "size")))
        return all(word in haystack for word in self.text.split())


class StockErrorsDialog(QDialog):
    """The rejected file's errors, one per row: row, column, value, what is wrong."""

    def __init__(self, path: Path, errors: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(S.INVENTORY_REJECTED_TITLE)
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        intro = QLabel(S.INVENTORY_REJECTED.format(name=path.name), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(errors), len(S.INVENTORY_ERROR_COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(S.INVENTORY_ERROR_COLUMNS))
        for i, error in enumerate(errors):
            values = (
                str(getattr(error, "row", "") or ""), str(getattr(error, "column", "") or ""),
                str(getattr(error, "value", "") or ""), str(getattr(error, "message_ru", "") or error),
            )
            for j, value in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(value))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


class InventoryTab(QWidget):
    stock_accepted = Signal(str)  # the summary text
    stock_rejected = Signal(object)  # the error dialog

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        self.hint = QLabel(S.INVENTORY_DROP_HINT, self)
        self.hint.setObjectName("dropHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.hint)
        bar = QHBoxLayout()
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText(S.INVENTORY_FILTER)
        self.filter.setClearButtonEnabled(True)
        self.only_low = QCheckBox(S.INVENTORY_ONLY_LOW, self)
        self.load_button = QPushButton(S.INVENTORY_LOAD, self)
        self.load_button.clicked.connect(self._choose_file)
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.only_low)
        bar.addWidget(self.load_button)
        layout.addLayout(bar)
        self.message = QLabel("", self)  # the result of the last file dropped or chosen
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.summary = QLabel(S.INVENTORY_EMPTY, self)  # what is in stock now
        self.summary.setObjectName("formMessage")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = StockModel(self)
        self.proxy = StockFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.filter.textChanged.connect(self.proxy.set_text)
        self.only_low.toggled.connect(self.proxy.set_only_low)
        self.last_dialog: StockErrorsDialog | None = None
        self.loading = False

    @property
    def inventory(self) -> Any:
        return getattr(self.ctx.engine, "inventory", None)

    async def refresh(self) -> None:
        inventory = self.inventory
        index = getattr(inventory, "index", None) if inventory is not None else None
        items = list(getattr(index, "items", None) or [])
        reserved = await inventory.reserved() if inventory is not None and hasattr(inventory, "reserved") else {}
        self.model.set_items(items, reserved)
        self.table.resizeColumnsToContents()
        if items:
            products = len({normalize(str(i.product)) for i in items})
            path = getattr(inventory, "path", None) or self.ctx.engine.settings.inventory_path
            self.summary.setText(S.INVENTORY_SUMMARY.format(rows=len(items), products=products, path=path))
        else:
            self.summary.setText(S.INVENTORY_EMPTY)

    # ---- drag and drop -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(kind_of(p) == "stock" for p in dropped_paths(event.mimeData())):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [p for p in dropped_paths(event.mimeData()) if kind_of(p) == "stock"]
        if paths:
            event.acceptProposedAction()
            self.load_file(paths[0])
        else:
            event.ignore()

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, S.INVENTORY_LOAD, "", "Excel, CSV (*.xlsx *.csv)")
        if name:
            self.load_file(Path(name))

    def load_file(self, path: Path) -> None:
        if kind_of(path) != "stock":
            self.message.setText(S.INVENTORY_WRONG_TYPE)
            return
        self.message.setText(S.INVENTORY_LOADING.format(name=path.name))
        self.loading = True
        self.ctx.run(self._load(path), name="stock-load")

    async def _load(self, path: Path) -> None:
        try:
            if self.inventory is None:
                raise RuntimeError(S.INVENTORY_EMPTY)
            result = await call_service(self.ctx, self.inventory.load_file, path)
        finally:
            self.loading = False
        if getattr(result, "ok", False):
            await self.refresh()
            items = self.model.items
            products = len({normalize(str(i.product)) for i in items})
            seconds = float(getattr(result, "seconds", 0.0) or 0.0)
            rows = getattr(result, "rows", None)
            text = S.INVENTORY_ACCEPTED.format(rows=rows if isinstance(rows, int) else len(items), products=products, seconds=seconds)
            self.message.setText(text)
            self.stock_accepted.emit(text)
        else:
            errors = list(getattr(result, "errors", []) or [])
            self.message.setText(S.INVENTORY_REJECTED.format(name=path.name))
            self.last_dialog = StockErrorsDialog(path, errors, self)
            self.stock_rejected.emit(self.last_dialog)
            self.last_dialog.open()

    def on_stock_loaded(self, _event: Any) -> None:
        self.ctx.run(self.refresh(), name="stock-refresh")
