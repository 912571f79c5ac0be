"""The offline responder's words: a `Decision` rendered with the Russian templates.

Used with no LLM key, when the LLM fails or times out, and whenever a guard throws the
LLM's text away. Every number and fact comes from the decision's stock facts and order,
so what it says is exactly what the engine decided.
"""

from __future__ import annotations

from typing import Sequence

from ottenok_desktop.engine import texts

from . import decisions as d
from .guards import MAX_PARTS
from .state import OrderDraft


def format_price(value: int | float | None) -> str:
    if value is None:
        return "уточню у менеджера"
    amount = int(round(float(value)))
    return f"{amount:,}".replace(",", " ") + " ₸"


def _join_ru(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " или " + items[-1]


def _alternative_line(alt: d.Alternative) -> str:
    details = []
    if alt.size:
        details.append(f"размер {alt.size}")
    if alt.color:
        details.append(alt.color)
    detail_text = f" ({', '.join(details)})" if details else ""
    return texts.ALTERNATIVE_ITEM.format(product=alt.product, details=detail_text, price=format_price(alt.price))


def _what(stock: d.StockFacts) -> str:
    parts = [stock.product or "эта модель"]
    if stock.asked_size:
        parts.append(f"в {stock.asked_size} размере")
    if stock.asked_color:
        parts.append(f"в цвете «{stock.asked_color}»")
    return " ".join(parts)


def ask_field_text(name: str, order: OrderDraft | None, stock: d.StockFacts | None) -> str:
    template = texts.ASK_FIELD.get(name, "")
    if name == "color":
        colors = (stock.colors if stock and stock.colors else None) or (order.colors_available if order else ())
        if not colors:
            return texts.ASK_FIELD["color"].split(":")[0] + "?"
        return template.format(colors=_join_ru(list(colors)))
    return template


def order_price_text(order: OrderDraft) -> str:
    """The order's price, with the promised discount named when one priced it."""
    price = format_price(int(order.price) if order.price is not None else None)
    if not order.discount_kind or order.regular_price is None or order.price is None:
        return price
    template = texts.PRICE_FOR_PARTNER if order.discount_kind == "partner" else texts.PRICE_BY_PROMOTION
    return template.format(price=price, label=order.discount_label, regular=format_price(int(order.regular_price)))


def summary_text(order: OrderDraft) -> str:
    return texts.ORDER_SUMMARY.format(
        product=order.product,
        size_line=texts.SUMMARY_SIZE_LINE.format(size=order.size) if order.size else "",
        color_line=texts.SUMMARY_COLOR_LINE.format(color=order.color) if order.color else "",
        city=order.city, address=order.address, price=order_price_text(order),
    )


def offer_text(stock: d.StockFacts, order: OrderDraft | None) -> list[str]:
    size = (order.size if order else "") or stock.asked_size
    color = (order.color if order else "") or stock.asked_color
    lines: list[str] = []
    if size:
        color_part = texts.COLOR_PART.format(color=color) if color else ""
        lines.append(texts.PRODUCT_IN_STOCK_SIZE.format(product=stock.product, size=size, color_part=color_part,
                                                        price=format_price(stock.price)))
    else:
        lines.append(texts.PRODUCT_IN_STOCK.format(product=stock.product, price=format_price(stock.price)))
        if stock.sizes:
            lines.append(texts.PRODUCT_SIZES.format(sizes=", ".join(stock.sizes)))
    if not color and len(stock.colors) > 1:
        lines.append(texts.PRODUCT_COLORS.format(colors=", ".join(stock.colors)))
    return [" ".join(lines)]


def compare_text(compared: Sequence[d.StockFacts]) -> str:
    """One line per product the customer asked about together: its own price and stock."""
    lines: list[str] = []
    for facts in compared:
        if facts.status == d.IN_STOCK:
            lines += offer_text(facts, None)
        elif facts.status == d.OUT_OF_STOCK:
            lines.append(texts.OUT_OF_STOCK.format(what=_what(facts)) + (
                " " + texts.COMPARE_PRICE.format(price=format_price(facts.price)) if facts.price else ""))
    return "\n".join(lines)


def render(decision: d.Decision, *, order: OrderDraft | None, persona: str) -> list[str]:
    """The messages (before photos) that say what the decision decided."""
    parts = _render(decision, order=order, persona=persona)
    return with_side_answer(parts, decision, order) if decision.side_faq else parts


def with_side_answer(parts: list[str], decision: d.Decision, order: OrderDraft | None) -> list[str]:
    """The answers to the turn's policy questions after the stock facts and before the closing
    question (the next field, or the summary's «confirm?»), so the customer's questions are
    answered first and the reply still leads on; never a fifth message."""
    closing = decision.action == d.SUMMARY or (
        bool(decision.ask_field) and bool(parts) and parts[-1] == ask_field_text(decision.ask_field, order,
                                                                                    decision.stock))
    return with_note(parts, decision.side_faq, before_last=closing)


def with_note(parts: list[str], note: str, *, before_last: bool | None = None) -> list[str]:
    """One more short message before the reply's closing question (by default: a last message
    that asks something), within 4 messages (it joins the message before it instead)."""
    parts = [p for p in parts if p]
    if before_last is None:
        before_last = bool(parts) and parts[-1].rstrip().endswith("?")
    at = len(parts) - 1 if before_last and parts else len(parts)
    if len(parts) < MAX_PARTS or at == 0:
        parts.insert(at, note)
    else:
        parts[at - 1] = parts[at - 1] + " " + note
    return parts


def _render(decision: d.Decision, *, order: OrderDraft | None, persona: str) -> list[str]:
    parts: list[str] = []
    if decision.greet:
        parts.append(texts.GREETING.format(persona=persona))
    for field_name, value in decision.corrected:
        parts.append(texts.ORDER_CORRECTED.format(field=texts.FIELD_NAMES_RU.get(field_name, field_name), value=value))
    stock = decision.stock
    action = decision.action
    if action == d.GREET:
        parts.append(texts.GREETING_ASK_NEED)
        return parts
    if action == d.THANKS:
        return parts + [texts.THANKS_REPLY]
    if action == d.THINK:
        return parts + [texts.THINK_REPLY]
    if action == d.COMPARE:
        return parts + [compare_text(decision.compared), texts.WHICH_MODEL]
    if action == d.CANCELLED:
        return parts + [texts.ORDER_CANCELLED]
    if action == d.CONFIRMED and order is not None:
        details = ", ".join(x for x in (f"размер {order.size}" if order.size else "", order.color) if x)
        parts.append(texts.ORDER_CONFIRMED.format(product=order.product, details=f" ({details})" if details else "",
                                                  city=order.city, price=order_price_text(order)))
        return parts
    if decision.faq:
        parts.append(texts.FAQ_INTRO + "\n" + "\n".join(decision.faq))
    if action == d.GONE and stock is not None:
        text = texts.ORDER_GONE_AT_CONFIRMATION.format(what=_what(stock))
        if stock.alternatives:
            text += " " + texts.OUT_OF_STOCK_ALTERNATIVES.format(
                alternatives="; ".join(_alternative_line(a) for a in stock.alternatives[: d.MAX_ALTERNATIVES]))
        parts.append(text)
        return parts
    if action == d.OUT and stock is not None:
        text = texts.OUT_OF_STOCK.format(what=_what(stock))
        if stock.alternatives:
            text += " " + texts.OUT_OF_STOCK_ALTERNATIVES.format(
                alternatives="; ".join(_alternative_line(a) for a in stock.alternatives[: d.MAX_ALTERNATIVES]))
        parts.append(text)
        return parts
    if action == d.NOT_FOUND_ACTION:
        text = texts.NOT_FOUND
        if stock is not None and stock.alternatives:
            text += " " + texts.NOT_FOUND_SIMILAR.format(
                similar="; ".join(_alternative_line(a) for a in stock.alternatives[: d.MAX_ALTERNATIVES]))
            parts.append(text)
        else:
            parts += [text, texts.NOT_FOUND_NO_SIMILAR]
        return parts
    if action == d.OFFER and stock is not None:
        parts += offer_text(stock, order)
    if action == d.SUMMARY and order is not None:
        parts.append(summary_text(order))
        return parts
    if action == d.CLARIFY:
        parts.append(texts.GREETING_ASK_NEED if decision.greet else texts.DIDNT_UNDERSTAND)
        return parts
    if decision.ask_field:
        question = ask_field_text(decision.ask_field, order, stock)
        if question and not (action == d.FAQ and decision.ask_field == "product"):
            parts.append(question)
    return parts or [texts.ASK_NEED]
