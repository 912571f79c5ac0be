"""The promised-price rules (pure): which stated discounts become promises, how long they hold,
which one prices the order."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone

from ottenok_desktop.engine.dialogue.promised import (HONOUR_HOURS, MAX_PROMISES, PARTNER, Promise, best_promise,
                                                      load, of_partner, of_promotion, remember, stated)
from ottenok_desktop.engine.partners import Partner
from ottenok_desktop.engine.promotions import Promotion

QUOTED = datetime(2026, 11, 30, 18, 40, tzinfo=timezone.utc)  # 30.11 23:40 Almaty
CHANEL = Promotion("a1", "Chanel −10%", "", date(2026, 11, 20), date(2026, 11, 30), ("Chanel",), percent=10)
FIXED = Promotion("b2", "Лоферы за 200 000", "", date(2026, 11, 1), date(2026, 12, 31), ("Лоферы Chanel",),
                  fixed_price=200000)
DINARA = Partner("7741", "77015550102", "Динара (стилист)", 15)
PRODUCT = "Лоферы Chanel"


def test_only_amounts_the_reply_says_make_promises() -> None:
    offers = [(of_promotion(PRODUCT, CHANEL, QUOTED), (256500,)), (of_partner(PRODUCT, DINARA, QUOTED), (242250,))]
    assert [p.kind for p in stated(offers, "По акции 256 500 ₸ вместо 285 000 ₸")] == ["promotion"]
    assert [p.kind for p in stated(offers, "для вас 242250 тг")] == [PARTNER]
    assert stated(offers, "Лоферы Chanel 38 есть, 285 000 ₸") == []
    assert stated(offers, "всего 2 565 000 ₸") == []  # a longer number is not the promised amount


def test_the_honour_window() -> None:
    promise = of_promotion(PRODUCT, CHANEL, QUOTED)
    last_day, next_day = date(2026, 11, 30), date(2026, 12, 1)
    assert promise.holds(QUOTED + timedelta(days=5), last_day)  # the promotion still runs (by its quoted dates)
    assert promise.holds(QUOTED + timedelta(hours=HONOUR_HOURS), next_day)  # over, but said within 24 h
    assert not promise.holds(QUOTED + timedelta(hours=HONOUR_HOURS, seconds=1), date(2026, 12, 1))
    partner = of_partner(PRODUCT, DINARA, QUOTED)
    later = QUOTED + timedelta(days=3)
    assert not partner.holds(later, date(2026, 12, 3))
    assert partner.holds(later, date(2026, 12, 3), partner_code="7741")  # still recognised as that partner
    assert not partner.holds(later, date(2026, 12, 3), partner_code="AB-12")


def test_the_better_promise_prices_the_order_never_both() -> None:
    saved = remember([], [of_promotion(PRODUCT, CHANEL, QUOTED), of_partner(PRODUCT, DINARA, QUOTED),
                          of_promotion(PRODUCT, FIXED, QUOTED)])
    best = best_promise(saved, PRODUCT, 285000, QUOTED, date(2026, 11, 30))
    assert best is not None and (best.ref, best.price(285000)) == ("b2", 200000)
    assert best_promise(saved, "Сумка Chanel 2.55", 285000, QUOTED, date(2026, 11, 30)) is None
    assert best_promise(saved, PRODUCT, 150000, QUOTED, date(2026, 11, 30)).ref == "7741"  # type: ignore[union-attr]


def test_remember_renews_and_keeps_the_newest() -> None:
    first = of_promotion(PRODUCT, CHANEL, QUOTED)
    again = of_promotion(PRODUCT, CHANEL, QUOTED + timedelta(hours=20))
    saved = remember(remember([], [first]), [again])
    assert [p.at for p in load(saved)] == [again.at]
    many = [asdict(Promise(f"Товар {n}", "promotion", "a1", "x", 10, None, QUOTED.isoformat())) for n in range(20)]
    assert len(remember(many, [first])) == MAX_PROMISES
    assert load([{"product": "x"}, {"bad": 1}, asdict(first)]) == [first]
