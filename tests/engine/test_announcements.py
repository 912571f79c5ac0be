"""Announcement rules (issue 16): the jittered pace, the working-hours wait on the shop clock,
when failing sends pause an announcement, what may be composed, the prefilled text."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ottenok_desktop.engine.announcements import (
    AnnouncementError, Pacing, check_composition, draft_text, seconds_until_open, should_pause,
)
from ottenok_desktop.engine.promotions import Promotion, promotion_id
from ottenok_desktop.settings import WorkHours

ALMATY = ZoneInfo("Asia/Almaty")


def test_the_pace_is_jittered_within_its_bounds() -> None:
    rng = random.Random(1)
    delays = [Pacing(4.0, 8.0).next_delay(rng) for _ in range(500)]
    assert all(4.0 <= d <= 8.0 for d in delays)
    assert max(delays) - min(delays) > 3.5 and 5.5 < sum(delays) / len(delays) < 6.5
    assert 4.0 <= Pacing(8.0, 4.0).next_delay(rng) <= 8.0  # bounds given the wrong way round


@pytest.mark.parametrize(("local", "wait"), [
    (datetime(2026, 11, 24, 9, 0), 0.0),
    (datetime(2026, 11, 24, 18, 59, 59), 0.0),
    (datetime(2026, 11, 24, 19, 0), 14 * 3600.0),  # closed: tomorrow at 9:00
    (datetime(2026, 11, 25, 7, 30), 1.5 * 3600.0),  # before opening: today at 9:00
])
def test_outside_working_hours_wait_for_the_next_opening(local: datetime, wait: float) -> None:
    assert seconds_until_open(local.replace(tzinfo=ALMATY), WorkHours(9, 19)) == wait


@pytest.mark.parametrize(("outcomes", "pause"), [
    (["failed", "failed", "failed"], True),
    (["pending", "failed", "failed", "failed", "sent"], True),  # a chat not tried yet says nothing
    (["failed", "failed", "sent", "failed"], False),
    (["failed", "failed"], False),  # not enough evidence yet
    ([], False),
])
def test_a_run_of_failed_sends_pauses(outcomes: list[str], pause: bool) -> None:
    assert should_pause(outcomes, 3) is pause


def test_composition_needs_text_and_at_most_three_photos() -> None:
    assert check_composition("  Скидки!  ", [Path("a.jpg")]) == ("Скидки!", (Path("a.jpg"),))
    with pytest.raises(AnnouncementError) as empty:
        check_composition("   ", [])
    assert empty.value.code == "empty_text"
    with pytest.raises(AnnouncementError) as many:
        check_composition("Скидки!", [Path(f"{n}.jpg") for n in range(4)])
    assert many.value.code == "too_many_photos"


def test_the_text_is_prefilled_from_the_promotion() -> None:
    start, end = date(2026, 12, 1), date(2026, 12, 6)
    percent = Promotion(promotion_id("Неделя Miu Miu", start), "Неделя Miu Miu", "только в бутике", start, end,
                        ("Miu Miu",), percent=15)
    assert draft_text(percent).splitlines() == [
        "Неделя Miu Miu! только в бутике", "Скидка 15% — с 01.12 по 06.12.2026.",
        "Напишите нам, подберём модель и размер 🌸"]
    fixed = Promotion(promotion_id("Лоферы", start), "Лоферы Chanel", "", start, end, ("Лоферы Chanel",),
                      fixed_price=256500)
    assert draft_text(fixed).splitlines()[:2] == ["Лоферы Chanel!", "Цена по акции 256 500 ₸ — с 01.12 по 06.12.2026."]
