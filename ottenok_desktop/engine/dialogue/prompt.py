"""The LLM prompt: persona «Алина», the 7-step sales dialogue, rules, and a facts block.

The facts block carries everything the LLM may state: knowledge hits, stock lines with
prices, the order state, what the engine decided and what to ask next. The LLM returns
one JSON object: {"reply": "... ||| ...", "fields": {...}, "intent": "..."}.
"""

from __future__ import annotations

from typing import Sequence

from ottenok_desktop.engine.turns import HistoryLine

from . import decisions as d
from .offline import format_price, render
from .state import DialogueState, OrderDraft

SCHEMA_HINT = ('{"reply": "сообщения клиенту, разделённые |||", "fields": {"product": "", "size": "", "color": "", '
               '"city": "", "address": "", "customer_name": ""}, "intent": "greeting|product|order|question|'
               'complaint|other"}')

SYSTEM_TEMPLATE = """Ты — {persona}, менеджер по продажам магазина женской обуви и аксессуаров «Оттенок» в Алматы (Казахстан). Ты переписываешься с клиентом в WhatsApp.

Этапы продажи: 1) приветствие; 2) выяснить, что нужно; 3) предложить модель с фото; 4) ответить на вопросы и возражения; 5) проверить наличие; 6) собрать данные заказа (модель, размер, цвет, город, адрес — адрес последним); 7) подтверждение заказа.

Правила:
- Говори только то, что есть в блоке ФАКТЫ. Никогда не придумывай цены, наличие, скидки, сроки и условия.
- Цены называй только из ФАКТОВ, в тенге (₸). Если цены нет в фактах — скажи, что уточнишь.
- Не обещай то, чего нет в наличии. Если товара нет — честно скажи и предложи альтернативы из ФАКТОВ.
- Не пиши, что заказ оформлен, пока в ФАКТАХ не сказано «заказ подтверждён».
- Один вопрос за раз. Коротко, тепло, по-человечески, как в WhatsApp; можно 1 эмодзи.
- {greeting_rule}
- Разделяй отдельные сообщения символами ||| (не больше 4 сообщений).
- Отвечай по-русски, если ниже не сказано иначе.
- Верни ОДИН JSON-объект: {{"reply": "...", "fields": {{...}}, "intent": "..."}}. В "fields" — только то, что клиент сказал в последнем сообщении (модель, размер, цвет, город, адрес, имя); неизвестное оставляй пустой строкой."""


def _history_role(line: HistoryLine) -> str:
    return "user" if line.sender_kind == "customer" else "assistant"


def facts_block(*, decision: d.Decision, order: OrderDraft | None, knowledge: Sequence[str], persona: str) -> str:
    lines: list[str] = ["ФАКТЫ:"]
    stock = decision.stock
    if stock is not None and stock.product:
        status = {d.IN_STOCK: "в наличии", d.OUT_OF_STOCK: "НЕТ в наличии", d.NOT_FOUND: "не найдено"}.get(
            stock.status, stock.status)
        asked = ", ".join(x for x in (f"размер {stock.asked_size}" if stock.asked_size else "",
                                      stock.asked_color) if x)
        lines.append(f"- Товар: {stock.product}{f' ({asked})' if asked else ''} — {status}; цена {format_price(stock.price)}.")
        if stock.sizes:
            lines.append(f"- Размеры в наличии: {', '.join(stock.sizes)}.")
        if stock.colors:
            lines.append(f"- Цвета в наличии: {', '.join(stock.colors)}.")
    elif stock is not None and stock.status == d.NOT_FOUND:
        lines.append("- Такой модели в магазине нет.")
    if stock is not None and stock.alternatives:
        alts = "; ".join(
            f"{a.product}{' р. ' + a.size if a.size else ''}{' ' + a.color if a.color else ''} — {format_price(a.price)}"
            for a in stock.alternatives[: d.MAX_ALTERNATIVES])
        lines.append(f"- Альтернативы в наличии: {alts}.")
    for other in decision.compared:
        status = {d.IN_STOCK: "в наличии", d.OUT_OF_STOCK: "НЕТ в наличии"}.get(other.status, other.status)
        lines.append(f"- Товар: {other.product} — {status}; цена {format_price(other.price)}"
                     + (f"; размеры в наличии: {', '.join(other.sizes)}" if other.sizes else "") + ".")
    if order is not None and order.product:
        known = ", ".join(f"{k}: {v}" for k, v in order.summary_fields().items() if v)
        missing = ", ".join(order.missing_fields()) or "ничего"
        state = "заказ подтверждён" if decision.action == d.CONFIRMED else f"заказ НЕ подтверждён (статус {order.state})"
        lines.append(f"- Заказ: {known}; не хватает: {missing}; {state}.")
    for text in knowledge:
        lines.append(f"- Из базы знаний: {text}")
    if decision.side_faq:
        lines.append(f"- Клиент спросил ещё и об этом — ответь коротко после фактов о товаре (из базы знаний): "
                     f"{decision.side_faq}")
    lines.append(f"- Решение системы: {decision.action}" + (f"; следующий вопрос клиенту: {decision.ask_field}"
                                                            if decision.ask_field else ""))
    suggestion = " ||| ".join(render(decision, order=order, persona=persona))
    lines.append(f"- Пример ответа по фактам (перескажи своими словами): {suggestion}")
    return "\n".join(lines)


def build_messages(*, persona: str, state: DialogueState, decision: d.Decision, order: OrderDraft | None,
                   knowledge: Sequence[str], history: Sequence[HistoryLine], customer_text: str,
                   language_line: str = "") -> list[dict[str, str]]:
    """The chat for one turn; `language_line` asks for an answer in the customer's language
    (Kazakh, a mix) with the same facts — the guards check the numbers in any language."""
    greeting_rule = ("Вы уже здоровались в этом разговоре: не здоровайся снова." if state.greeted
                     else "Это начало разговора: поздоровайся и представься.")
    system = SYSTEM_TEMPLATE.format(persona=persona, greeting_rule=greeting_rule)
    if language_line:
        system = f"{system}\n- {language_line}"
    messages = [{"role": "system", "content": system},
                {"role": "system", "content": facts_block(decision=decision, order=order, knowledge=knowledge,
                                                          persona=persona)}]
    for line in history:
        if line.text:
            messages.append({"role": _history_role(line), "content": line.text})
    messages.append({"role": "user", "content": customer_text})
    return messages
