"""The scripted conversations of bench/dialogues.py are written from the sample shop's data:
every price they demand is a stock price, every order they expect is for a pair in stock;
and the runner's per-turn checks catch what they claim to catch."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((REPO / "bench" / "data" / "dialogues").glob("*.json"))


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_dialogues", REPO / "bench" / "dialogues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _dialogues() -> list[dict[str, Any]]:
    return [d for path in SCRIPTS for d in json.loads(path.read_text(encoding="utf-8"))["dialogues"]]


@pytest.fixture(scope="module")
def index() -> Any:
    from ottenok_desktop.services.inventory.loader import load_stock

    return load_stock(REPO / "data" / "inventory.xlsx").index


def test_enough_conversations_with_unique_names() -> None:
    names = [d["name"] for d in _dialogues()]
    assert len(names) >= 45 and len(names) == len(set(names))


def test_every_pattern_compiles_and_every_price_is_a_stock_price(index: Any) -> None:
    runner = _runner()
    prices = {int(i.price) for i in index.items}
    for dialogue in _dialogues():
        for turn in dialogue["turns"]:
            for pattern in turn.get("must", []):
                re.compile(runner.expand(pattern))
                for amount in re.findall(r"\{price:(\d+)\}", pattern):
                    assert int(amount) in prices, f"{dialogue['name']}: {amount} is not a stock price"


def test_expected_orders_are_for_pairs_in_stock(index: Any) -> None:
    for dialogue in _dialogues():
        order = dialogue.get("expect", {}).get("order")
        if not order or order.get("state") != "confirmed":
            continue
        items = [i for i in index.items if i.product == order["product"]]
        assert items, f"{dialogue['name']}: {order['product']} is not in the stock file"
        if "color" in order:  # a pattern ("ч[её]рный") or the colour as written
            items = [i for i in items if re.fullmatch(order["color"], i.color) or i.color == order["color"]]
        if "size" in order:
            items = [i for i in items if i.size == order["size"]]
        assert any(i.quantity > 0 for i in items), f"{dialogue['name']}: {order} is not in stock"


def test_turn_checks_catch_invented_amounts_greetings_and_patterns() -> None:
    runner = _runner()
    allowed = {285_000}
    turn = {"must": ["{price:285000}"], "must_not": ["оформлен"]}
    assert runner.check_turn(2, turn, ["Цена — 285 000 ₸."], allowed) == []
    kinds = {f.check for f in runner.check_turn(2, turn, ["Здравствуйте! Заказ оформлен, цена 270 000 ₸"], allowed)}
    assert kinds == {"must", "must_not", "second greeting", "invented amount"}
    assert runner.check_turn(1, {}, ["Здравствуйте! Меня зовут Алина"], allowed) == []
    assert [f.check for f in runner.check_turn(3, {}, [], allowed)] == ["reply"]
    assert runner.check_turn(3, {"silent_ok": True}, [], allowed) == []
