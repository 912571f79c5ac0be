"""Chat bubbles are tall enough for their text in the view's own font (a style sheet
font larger than the application default once clipped the last line)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFont, QPainter, QPixmap
from PySide6.QtWidgets import QStyleOptionViewItem

from ottenok_desktop.services.storage.queries import MessageRow
from ottenok_desktop.ui.bubbles import _WRAP, BubbleDelegate

TEXTS = [
    "Мюли Dior Dway, размер 37 — есть в наличии ✨ Цена — 295 000 ₸. Цвета: бежевый, черный.",
    "Проверьте, пожалуйста, заказ:\n• Лоферы Chanel\n• Размер: 38\n• Цвет: черный\n• Город: Алматы\n• Адрес: ул. Абая 10, кв 5",
    "В какой город доставить?",
    "Оченьдлинноесловобезпробеловкотороенепомещаетсявстроку" * 3,
]


@pytest.mark.parametrize("point_size", [9.0, 10.0, 12.5])
@pytest.mark.parametrize("width", [380, 640, 1000])
def test_bubble_height_fits_the_painted_text(qtbot, point_size: float, width: int) -> None:
    delegate = BubbleDelegate(lambda: datetime.now(timezone.utc), ZoneInfo("Asia/Almaty"), None)
    view_font = QFont()
    view_font.setPointSizeF(point_size)  # as a style sheet would set it on the view
    option = QStyleOptionViewItem()
    option.font = view_font
    option.rect = QRect(0, 0, width, 100)
    pixmap = QPixmap(width, 2000)
    for i, text in enumerate(TEXTS):
        row = MessageRow(i, "out", "bot", "", text, "text", "", "", "read", False, False, datetime.now(timezone.utc))
        hint = delegate.sizeHint(option, _Index(row))  # adopts the view's font
        size, text_rect, _ = delegate._layout(row, width)
        assert hint.height() >= size.height()
        painter = QPainter(pixmap)
        painter.setFont(delegate._font)
        needed = painter.boundingRect(QRectF(0, 0, text_rect.width(), 100_000), text, _WRAP).toAlignedRect()
        painter.end()
        assert needed.height() <= text_rect.height(), (text[:30], needed, text_rect)
        assert needed.width() <= size.width(), (text[:30], needed, size)


class _Index:
    """The one thing the delegate asks of a model index."""

    def __init__(self, row: MessageRow) -> None:
        self._row = row

    def data(self, role: int) -> MessageRow:
        return self._row
