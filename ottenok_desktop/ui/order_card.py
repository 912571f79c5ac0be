"""The right column: the chat's order (editable through the engine), live stock for the
requested size and colour with in-stock alternatives, and the customer card."""

from __future__ import annotations

from typing import TYPE_CHECKING

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QFormLayout, QFrame, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
    QScrollArea, QVBoxLayout, QWidget,
)

from ..services.storage import queries as q
from . import strings as S
from .context import Context, maybe_await
from .formatting import money, shop_time
from .link_bar import ManualLinkRow

if TYPE_CHECKING:
    from ottenok_desktop.engine.commands import Commands

log = logging.getLogger(__name__)
EDITABLE = ("product", "size", "color", "city", "address", "customer_name", "quantity", "price")


@dataclass(frozen=True)
class StockLine:
    product: str
    color: str
    size: str
    quantity: int
    price: int
    photo: Path | None = None


def order_edits(order: q.OrderRow, values: dict[str, str]) -> dict[str, Any]:
    """Which fields the manager changed, converted to their types. Raises ValueError (Russian)."""
    changes: dict[str, Any] = {}
    for name in EDITABLE:
        raw = values.get(name, "").strip()
        current = getattr(order, name)
        if name == "quantity":
            if not raw.isdigit() or int(raw) < 1:
                raise ValueError(S.ORDER_BAD_QUANTITY)
            value: Any = int(raw)
        elif name == "price":
            cleaned = raw.replace(" ", "").replace("\u00a0", "").replace(",", ".").removesuffix("₸")
            if not cleaned:
                value = None
            else:
                try:
                    value = float(cleaned)
                except ValueError:
                    raise ValueError(S.ORDER_BAD_PRICE) from None
                if value < 0:
                    raise ValueError(S.ORDER_BAD_PRICE)
        else:
            value = raw
        if value != current:
            changes[name] = value
    return changes


class OrderCard(QGroupBox):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(S.ORDER_TITLE, parent)
        self.setObjectName("orderCard")
        self.ctx = ctx
        self.order: q.OrderRow | None = None
        layout = QVBoxLayout(self)
        self.state_label = QLabel(S.ORDER_NONE, self)
        self.state_label.setObjectName("orderState")
        layout.addWidget(self.state_label)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLineEdit] = {}
        for name in EDITABLE:
            edit = QLineEdit(self)
            edit.setObjectName(f"order_{name}")
            edit.textEdited.connect(self._mark_dirty)
            self.fields[name] = edit
            form.addRow(S.ORDER_FIELDS[name], edit)
        layout.addLayout(form)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setObjectName("formMessage")
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.save_button = QPushButton(S.ORDER_SAVE, self)
        self.save_button.clicked.connect(self.save)
        self.confirm_button = QPushButton(S.ORDER_CONFIRM, self)
        self.confirm_button.setObjectName("primary")
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button = QPushButton(S.ORDER_CANCEL, self)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        row2 = QHBoxLayout()
        row2.addWidget(self.confirm_button)
        row2.addWidget(self.cancel_button)
        layout.addLayout(row2)
        self.show_order(None)

    @property
    def desk(self) -> "Commands | None":
        return self.ctx.engine.commands if self.ctx.engine is not None else None

    def show_order(self, order: q.OrderRow | None) -> None:
        same = order is not None and self.order is not None and order.id == self.order.id
        self.order = order
        has = order is not None
        for name, edit in self.fields.items():
            edit.setEnabled(has and self.desk is not None and order.state != "confirmed")
            value = getattr(order, name) if has else ""
            if name == "price" and has:
                value = money(value) if value is not None else ""
            edit.setText(str(value) if value is not None else "")
        if has:
            title = f"№{order.id} · {S.ORDER_STATES.get(order.state, order.state)}"
            if order.discount_kind in S.ORDER_DISCOUNT and order.regular_price is not None:
                # which promised discount priced the order (kept at confirmation)
                title += " · " + S.ORDER_DISCOUNT[order.discount_kind].format(
                    label=order.discount_label, regular=money(order.regular_price))
            self.state_label.setText(title)
        else:
            self.state_label.setText(S.ORDER_NONE)
        self.save_button.setEnabled(False)
        self.confirm_button.setEnabled(has and self.desk is not None and order.state in ("draft", "ready"))
        self.cancel_button.setEnabled(has and self.desk is not None and order.state != "cancelled")
        if not same:  # a refresh of the same order keeps «Сохранено» / an error visible
            self.message.setText("")

    def _mark_dirty(self, _text: str = "") -> None:
        self.save_button.setEnabled(self.order is not None)

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.fields.items()}

    def save(self) -> None:
        if self.order is None or self.desk is None:
            return
        try:
            changes = order_edits(self.order, self.values())
        except ValueError as exc:
            self.message.setText(str(exc))
            self.message.setProperty("error", True)
            return
        self.ctx.run(self._save(self.order.id, changes), name="order-save")

    async def _save(self, order_id: int, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            await self.desk.update_order_field(order_id, name, value, self.ctx.manager)
        self.save_button.setEnabled(False)
        self.message.setText(S.ORDER_SAVED)

    def confirm(self) -> None:
        if self.order is not None and self.desk is not None:
            self.ctx.run(self._command(self.desk.confirm_order, self.order.id), name="order-confirm")

    def cancel(self) -> None:
        if self.order is None or self.desk is None:
            return
        answer = QMessageBox.question(self, S.ORDER_CANCEL, S.ORDER_CANCEL_ASK.format(id=self.order.id))
        if answer == QMessageBox.StandardButton.Yes:
            self.ctx.run(self._command(self.desk.cancel_order, self.order.id), name="order-cancel")

    async def _command(self, command: Callable[..., Awaitable[Any] | Any], order_id: int) -> None:
        await maybe_await(command(order_id, self.ctx.manager))


class StockPanel(QGroupBox):
    """Stock for what the customer asked for, and in-stock alternatives with one-click send."""

    send_alternative = Signal(object)  # StockLine

    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(S.STOCK_TITLE, parent)
        self.ctx = ctx
        self._layout = QVBoxLayout(self)
        self.asked = QLabel(S.STOCK_NONE, self)
        self.asked.setWordWrap(True)
        self._layout.addWidget(self.asked)
        self.alternatives = QVBoxLayout()
        self._layout.addLayout(self.alternatives)
        self.lines: list[StockLine] = []

    def show_stock(self, asked: str, requested: StockLine | None, alternatives: list[StockLine], known: bool) -> None:
        while self.alternatives.count():
            item = self.alternatives.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.lines = alternatives
        if not known:
            self.asked.setText(S.STOCK_NONE)
            return
        status = S.STOCK_IN.format(qty=requested.quantity) if requested and requested.quantity > 0 else S.STOCK_OUT
        self.asked.setText(f"{S.STOCK_ASKED.format(what=asked)}\n<b>{status}</b>".replace("\n", "<br>"))
        if alternatives:
            self.alternatives.addWidget(QLabel(S.STOCK_ALTERNATIVES, self))
        for line in alternatives[:6]:
            row = QWidget(self)
            rl = QHBoxLayout(row)
            rl.setContentsMargins(0, 0, 0, 0)
            label = QLabel(f"{line.product}, {line.color}, {line.size} — {money(line.price)} ₸ ({line.quantity})", row)
            label.setWordWrap(True)
            rl.addWidget(label, 1)
            button = QPushButton(S.STOCK_SEND_ALT, row)
            button.setToolTip(S.STOCK_SEND_ALT_TIP)
            button.clicked.connect(lambda _=False, l=line: self.send_alternative.emit(l))
            rl.addWidget(button)
            self.alternatives.addWidget(row)


class CustomerCardBox(QGroupBox):
    def __init__(self, ctx: Context, parent: QWidget | None = None) -> None:
        super().__init__(S.CUSTOMER_TITLE, parent)
        self.ctx = ctx
        self.card: q.CustomerCard | None = None
        layout = QVBoxLayout(self)
        self.label = QLabel("—", self)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label)
        # «Согласие на рассылку» (issue 16): a manager's tick is an application command
        self.consent = QCheckBox(S.PROMO_CONSENT_BOX, self)
        self.consent.setToolTip(S.PROMO_CONSENT_TIP)
        self.consent.clicked.connect(self.on_consent_clicked)
        self.consent.setEnabled(False)
        layout.addWidget(self.consent)
        self.consent_note = QLabel("", self)
        self.consent_note.setObjectName("fieldError")
        self.consent_note.setWordWrap(True)
        self.consent_note.hide()
        layout.addWidget(self.consent_note)
        # the same phone on the other channel after «Не связывать»: linking by hand (ui/link_bar.py)
        self.link_row = ManualLinkRow(ctx, self)
        layout.addWidget(self.link_row)

    def _show_consent(self, card: q.CustomerCard | None) -> None:
        self.consent.blockSignals(True)
        self.consent.setChecked(card is not None and card.promo_consent == "subscribed")
        self.consent.blockSignals(False)
        locked = card is not None and card.promo_locked
        self.consent.setEnabled(card is not None and not locked)
        self.consent_note.setText(S.PROMO_CONSENT_LOCKED if locked else "")
        self.consent_note.setVisible(locked)

    def on_consent_clicked(self, checked: bool) -> None:
        if self.card is not None:
            self.ctx.run(self.set_consent(self.card.chat_id, checked), name="promo-consent")

    async def set_consent(self, chat_id: str, consent: bool) -> None:
        """The manager's tick or untick, with their name; the card shows what was recorded."""
        from ottenok_desktop.engine.commands import ConsentRefused

        try:
            await self.ctx.engine.commands.set_promo_consent(chat_id, consent, self.ctx.manager)
        except ConsentRefused:
            self.ctx.error.emit(S.PROMO_CONSENT_REFUSED)
        card = await self.ctx.db(q.customer_card, chat_id)
        if self.card is not None and self.card.chat_id == chat_id:
            self.show_card(card)

    def show_card(self, card: q.CustomerCard | None) -> None:
        self.card = card
        self._show_consent(card)
        if card is None:
            self.label.setText("—")
            return
        clock = self.ctx.engine.clock
        self.label.setText(
            f"<b>{card.name or '—'}</b><br>"
            + S.CUSTOMER_LINES.format(
                phone=card.phone, first=shop_time(card.first_contact, clock.now(), clock.zone), messages=card.messages,
                orders=card.orders, confirmed=card.confirmed_orders, tickets=card.tickets,
            ).replace("\n", "<br>")
            + self._promo_line(card)
        )

    def _promo_line(self, card: q.CustomerCard) -> str:
        """«Акции: подписан(а) …» / «Акции: отказ …» (issue 16); nothing before any answer."""
        if card.promo_consent not in S.CUSTOMER_PROMO:
            return ""
        clock = self.ctx.engine.clock
        at = shop_time(card.promo_consent_at, clock.now(), clock.zone) if card.promo_consent_at else ""
        source = S.CUSTOMER_PROMO_SOURCES.get(card.promo_consent_source, card.promo_consent_source)
        if card.promo_consent_source.startswith("manager:"):
            source = S.PROMO_SOURCE_MANAGER.format(name=card.promo_consent_source.split(":", 1)[1])
        line = S.CUSTOMER_PROMO[card.promo_consent].format(at=at).strip()
        return f"<br><small>{line}{f' ({source})' if source else ''}</small>"


class RightPanel(QScrollArea):
    """Order card, stock and customer card for the open chat."""

    def __init__(self, ctx: Context, send_photo: Callable[[str, Path | None, str], Awaitable[None]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rightPanel")
        self.ctx = ctx
        self._send_photo = send_photo
        self.chat_id = ""
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget(self)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(0, 0, 4, 0)
        self.order_card = OrderCard(ctx, inner)
        self.stock = StockPanel(ctx, inner)
        self.stock.send_alternative.connect(self.on_send_alternative)
        self.customer = CustomerCardBox(ctx, inner)
        layout.addWidget(self.order_card)
        layout.addWidget(self.stock)
        layout.addWidget(self.customer)
        layout.addStretch(1)
        self.setWidget(inner)
        # Horizontal scrolling is off, so never be narrower than the cards need (the
        # splitter would otherwise cut off their right edge).
        self.setMinimumWidth(inner.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 4)

    def open_chat(self, chat_id: str) -> None:
        self.chat_id = chat_id
        self.ctx.run(self.refresh(), name="right-panel")

    async def refresh(self) -> None:
        chat_id = self.chat_id
        if not chat_id:
            return
        order = await self.ctx.db(q.current_order, chat_id)
        card = await self.ctx.db(q.customer_card, chat_id)
        if chat_id != self.chat_id:
            return
        dirty = self.order_card.save_button.isEnabled() and self.order_card.order is not None and order is not None and order.id == self.order_card.order.id
        if not dirty:  # never overwrite what the manager is typing
            self.order_card.show_order(order)
        self.customer.show_card(card)
        await self._refresh_stock(order)

    async def _refresh_stock(self, order: q.OrderRow | None) -> None:
        from .stock_lookup import lookup

        inventory = getattr(self.ctx.engine, "inventory", None)
        if order is None or inventory is None or not order.product:
            self.stock.show_stock("", None, [], False)
            return
        result = await lookup(self.ctx, inventory, order)
        if result is None:
            self.stock.show_stock("", None, [], False)
            return
        asked, requested, alternatives = result
        self.stock.show_stock(asked, requested, alternatives, True)

    def on_send_alternative(self, line: StockLine) -> None:
        caption = S.STOCK_ALT_CAPTION.format(product=line.product, color=line.color, size=line.size, price=money(line.price))
        if self.chat_id:
            self.ctx.run(self._send_photo(self.chat_id, line.photo, caption), name="send-alternative")

    def on_order_changed(self, event: Any) -> None:
        if event.chat_id == self.chat_id:
            self.ctx.run(self.refresh(), name="right-panel")
