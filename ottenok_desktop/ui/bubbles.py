"""Paints chat messages as bubbles: customer on the left, the shop on the right, system
notes centred; a header per sender kind, photo thumbnails, shop-time times and ticks.

Sizes are cached per (message, width) so a 2,000-message chat lays out once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QTextLayout, QTextOption
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ..services.storage.queries import MessageRow
from . import strings as S
from . import theme
from .chat_model import MESSAGE_ROLE
from .formatting import shop_time
from .thumbnails import ThumbnailCache

ModelIndex = QModelIndex | QPersistentModelIndex
PAD = 9
MARGIN = 10
GAP = 4
THUMB_W, THUMB_H = 220, 165
TICKS = {"queued": "🕓", "sending": "🕓", "sent": "✓", "delivered": "✓✓", "read": "✓✓", "failed": "!", "noAccount": "!"}
MEDIA_TYPES = {"image", "video", "document", "audio", "sticker", "location", "contact", "poll"}


def voice_url(row: MessageRow) -> str:
    """The voice note to play (opened with the system's player: QtMultimedia is not in PySide6-Essentials)."""
    return row.media_url if row.content_type == "audio" and not row.deleted and row.media_url.startswith(("http", "file")) else ""


def message_body(row: MessageRow) -> str:
    if row.deleted:
        return S.MESSAGE_DELETED
    text = row.text
    if row.content_type == "audio":
        label = S.MEDIA_LABELS.get("audio", "audio")
        transcript = "" if text.strip() == label else text  # the placeholder until transcribed
        play = f"   {S.VOICE_PLAY}" if voice_url(row) else ""
        return f"{label}{play}\n{transcript}".strip()
    if row.content_type in MEDIA_TYPES and row.content_type != "image":
        label = S.MEDIA_LABELS.get(row.content_type, row.content_type)
        name = f" {row.media_name}" if row.media_name else ""
        text = f"{label}{name}\n{text}".strip()
    return text


def has_photo(row: MessageRow) -> bool:
    return row.content_type == "image" and not row.deleted


def photo_source(row: MessageRow) -> str:
    return row.media_url or row.media_name


# Words wrap at spaces; a word longer than the bubble (a link, a long number) breaks anywhere.
_WRAP = QTextOption()
_WRAP.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)


class BubbleDelegate(QStyledItemDelegate):
    def __init__(self, now: Callable[[], datetime], zone: Any, thumbnails: ThumbnailCache, *, mirrored: bool = False, persona: str = "", parent: Any = None) -> None:
        super().__init__(parent)
        self._now = now
        self._zone = zone
        self._thumbs = thumbnails
        self.mirrored = mirrored  # the demo customer's phone: the customer on the right
        self.persona = persona
        self._sizes: dict[tuple[int, int, int], tuple[QSize, QRect, int]] = {}
        self._use_font(QFont())

    def _use_font(self, font: QFont) -> None:
        """Measure and paint with the view's own font (the style sheet sets its size).
        Every attribute is made explicit, so QPainter.setFont cannot re-resolve it against
        the widget's font and paint text larger than it was measured."""
        source = getattr(self, "_source_font", None)
        if source is not None and source == font and source.resolveMask() == font.resolveMask():
            return
        self._source_font = QFont(font)
        self._font = QFont(font)
        self._font.setPointSizeF(font.pointSizeF())
        self._font.setFamilies(font.families() or [font.family()])
        self._small = QFont(self._font)
        self._small.setPointSizeF(max(7.0, self._font.pointSizeF() - 1.5))
        self._sfm = QFontMetrics(self._small)
        self._header = QFont(self._small)
        self._header.setBold(True)
        self._sizes.clear()

    # ---- layout -----------------------------------------------------------------------------
    def _max_width(self, option_width: int) -> int:
        return max(160, min(540, int(option_width * 0.72)))

    def _header_text(self, row: MessageRow) -> str:
        if self.mirrored:
            return "" if row.sender_kind == "customer" else S.DEMO_CLIENT_HEADER
        if row.sender_kind == "customer":
            return ""
        label = S.SENDER_LABELS.get(row.sender_kind, row.sender_kind)
        if row.sender_kind == "bot" and self.persona:
            label = S.SENDER_BOT_PERSONA.format(name=self.persona)
        if row.sender_kind in ("manager_app", "manager_tg") and row.sender_name:
            label = f"{label}: {row.sender_name}"
        return label

    def _layout(self, row: MessageRow, width: int) -> tuple[QSize, QRect, int]:
        """(bubble size, text rect relative to the bubble, photo top relative to the bubble)."""
        key = (row.id, width, hash((row.text, row.deleted, row.edited, row.content_type)))
        cached = self._sizes.get(key)
        if cached is not None:
            return cached
        inner = self._max_width(width) - 2 * PAD
        header = self._header_text(row)
        y = PAD + (self._sfm.height() + 2 if header else 0)
        w = self._sfm.horizontalAdvance(header) if header else 0
        photo_y = y
        if has_photo(row):
            y += THUMB_H + GAP
            w = max(w, THUMB_W)
        body = message_body(row)
        text_rect = QRect(PAD, y, 0, 0)
        if body:
            text_w, text_h = self._measure(body, inner)
            # Keep the wrap width the text was measured with: re-wrapping at the tight
            # width of the longest line can push a word onto a line nobody made room for.
            text_rect = QRect(PAD, y, inner, text_h)
            y += text_h
            w = max(w, text_w)
        footer_w = self._sfm.horizontalAdvance("вчера 00:00 ✓✓ " + (S.MESSAGE_EDITED if row.edited else ""))
        w = max(w, footer_w)
        y += self._sfm.height() + PAD
        size = QSize(min(w, inner) + 2 * PAD, y)
        if len(self._sizes) > 20_000:
            self._sizes.clear()
        self._sizes[key] = (size, text_rect, photo_y)
        return size, text_rect, photo_y

    def _measure(self, text: str, width: int) -> tuple[int, int]:
        """(widest line, height) of `text` wrapped at `width`, laid out the way painting
        lays it out: QTextLayout, so fallback fonts (emoji, ₸) count at their real height."""
        option = _WRAP
        widest = 0.0
        height = 0.0
        for paragraph in text.split("\n"):
            layout = QTextLayout(paragraph, self._font)
            layout.setTextOption(option)
            layout.beginLayout()
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                line.setPosition(QPointF(0, height))
                height += line.height()
                widest = max(widest, line.naturalTextWidth())
            layout.endLayout()
        return int(widest) + 2, int(height + 0.999) + 1

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        row: MessageRow | None = index.data(MESSAGE_ROLE)
        if row is None:
            return QSize(0, 0)
        self._use_font(option.font)
        width = option.rect.width() or 600
        if row.sender_kind == "system":
            text = message_body(row)
            bounds = self._sfm.boundingRect(QRect(0, 0, self._max_width(width), 10_000), int(Qt.TextFlag.TextWordWrap), text)
            return QSize(width, bounds.height() + 2 * PAD + GAP)
        size, _, _ = self._layout(row, width)
        return QSize(width, size.height() + GAP * 2)

    # ---- painting ---------------------------------------------------------------------------
    def _on_right(self, row: MessageRow) -> bool:
        outgoing = row.sender_kind != "customer"
        return not outgoing if self.mirrored else outgoing

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        row: MessageRow | None = index.data(MESSAGE_ROLE)
        if row is None:
            return
        self._use_font(option.font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect
        if row.sender_kind == "system":
            self._paint_system(painter, rect, row)
            painter.restore()
            return
        size, text_rect, photo_y = self._layout(row, rect.width())
        x = rect.right() - MARGIN - size.width() if self._on_right(row) else rect.left() + MARGIN
        bubble = QRect(x, rect.top() + GAP, size.width(), size.height())
        kind = "customer" if (self.mirrored and row.sender_kind != "customer") else row.sender_kind
        if self.mirrored and row.sender_kind == "customer":
            kind = "bot"  # the customer's own messages look like "mine" (green)
        background, header_color = theme.BUBBLES.get(kind, theme.BUBBLES["system"])
        path = QPainterPath()
        path.addRoundedRect(bubble, 10, 10)
        painter.fillPath(path, QColor(background))
        painter.setPen(QColor("#d0d7de"))
        painter.drawPath(path)

        y = bubble.top() + PAD
        header = self._header_text(row)
        if header:
            painter.setFont(self._header)
            painter.setPen(QColor(header_color))
            painter.drawText(QRect(bubble.left() + PAD, y, bubble.width() - 2 * PAD, self._sfm.height()), Qt.AlignmentFlag.AlignLeft, header)
        if has_photo(row):
            box = QRect(bubble.left() + PAD, bubble.top() + photo_y, THUMB_W, THUMB_H)
            self._paint_photo(painter, box, row)
        body = message_body(row)
        if body:
            painter.setFont(self._font)
            painter.setPen(QColor(theme.MUTED if row.deleted else theme.TEXT))
            target = QRect(bubble.left() + text_rect.left(), bubble.top() + text_rect.top(), text_rect.width(), text_rect.height())
            painter.drawText(QRectF(target), body, _WRAP)
        # footer: edited mark, time, ticks
        painter.setFont(self._small)
        footer_rect = QRect(bubble.left() + PAD, bubble.bottom() - PAD - self._sfm.height() + 2, bubble.width() - 2 * PAD, self._sfm.height())
        stamp = shop_time(row.created_at, self._now(), self._zone)
        if row.edited:
            stamp = f"{S.MESSAGE_EDITED} {stamp}"
        tick = TICKS.get(row.status, "") if row.direction == "out" else ""
        tick_w = self._sfm.horizontalAdvance(tick + " ") if tick else 0
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(footer_rect.adjusted(0, 0, -tick_w, 0), Qt.AlignmentFlag.AlignRight, stamp)
        if tick:
            color = theme.TICK_READ if row.status == "read" else theme.FAILED if tick == "!" else theme.TICK
            painter.setPen(QColor(color))
            painter.drawText(footer_rect, Qt.AlignmentFlag.AlignRight, tick)
        painter.restore()

    def _paint_photo(self, painter: QPainter, box: QRect, row: MessageRow) -> None:
        source = photo_source(row)
        pixmap = self._thumbs.get(source) if source else None
        if pixmap is not None:
            scaled = pixmap.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
            target = QRect(box.left(), box.top() + (box.height() - scaled.height()) // 2, scaled.width(), scaled.height())
            clip = QPainterPath()
            clip.addRoundedRect(target, 6, 6)
            painter.save()
            painter.setClipPath(clip)
            painter.drawPixmap(target, scaled)
            painter.restore()
            return
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e3e7eb"))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(QColor(theme.MUTED))
        painter.setFont(self._small)
        label = S.MEDIA_LABELS["image"] + (f"\n{row.media_name}" if row.media_name else "")
        painter.drawText(box, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), label)

    def _paint_system(self, painter: QPainter, rect: QRect, row: MessageRow) -> None:
        text = message_body(row)
        width = self._max_width(rect.width())
        bounds = self._sfm.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignHCenter), text)
        pill = QRect(rect.center().x() - bounds.width() // 2 - PAD, rect.top() + GAP, bounds.width() + 2 * PAD, bounds.height() + PAD)
        background, color = theme.BUBBLES["system"]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(pill, 8, 8)
        painter.setPen(QColor(color))
        painter.setFont(self._small)
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)
