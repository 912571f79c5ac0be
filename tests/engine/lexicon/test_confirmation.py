"""The reader of replies to «Всё верно? Оформляем?»: a table of typical replies, and the
labelled sets of bench/ held to the benchmark's goal."""

from __future__ import annotations

from pathlib import Path

import pytest

from ottenok_desktop.engine.lexicon.confirmation import (
    ConfirmationReply,
    classify_confirmation,
    is_yes,
)

Y, N, C, O = ConfirmationReply.YES, ConfirmationReply.NO, ConfirmationReply.CORRECTION, ConfirmationReply.OTHER
DATA = Path(__file__).resolve().parents[3] / "bench" / "data"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("да", Y), ("да, всё верно 👍", Y), ("ок", Y), ("давайте", Y), ("оформляйте", Y), ("иә", Y),
        ("иә, дұрыс", Y), ("рахмет, подтверждаю", Y), ("ага", Y), ("угу", Y), ("+", Y), ("👍", Y),
        ("конечно", Y), ("жарайды", Y), ("болады", Y), ("әрине", Y), ("ия", Y), ("Да, всё правильно", Y),
        ("подтверждаю 🙏 рахмет", Y), ("да, а когда привезут?", Y), ("нет-нет, всё верно", Y),
        ("нет, не то", N), ("не, передумала", N), ("Жоқ, керек емес", N), ("отмените пожалуйста", N), ("👎", N),
        ("нет, размер 39", C), ("адрес другой: Абая 10, кв 5", C), ("не черные а бежевые", C),
        ("да, только 38", C), ("39", C), ("Не Алматы, а Шымкент", C), ("Размер 38 болсын", C),
        ("а доставка сколько?", O), ("я подумаю", O), ("спасибо", O), ("Подождите, уточню размер у дочки", O),
        ("А фото в другом цвете можно?", O), ("не поняла", O), ("", O), ("Сколько идет доставка до Караганды?", O),
    ],
)
def test_reply_kind(text: str, kind: ConfirmationReply) -> None:
    assert classify_confirmation(text).kind is kind


def test_correction_names_the_fields_it_changes() -> None:
    reading = classify_confirmation("нет, размер 39 и адрес другой: Абая 10")
    assert reading.kind is C
    assert {"size", "address"} <= set(reading.changed)


def test_is_yes_is_the_yes_class() -> None:
    assert is_yes("Иә 👍") and not is_yes("нет") and not is_yes("39")


@pytest.mark.parametrize("name", ["confirmation.tsv", "confirmation_holdout.tsv"])
def test_labelled_sets_meet_the_benchmark_goal(name: str) -> None:
    rows = [line.split("\t", 1) for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    wrong = [(label, text) for label, text in rows if classify_confirmation(text).kind.value != label]
    assert len(rows) >= 80
    assert 1 - len(wrong) / len(rows) >= 0.97, wrong
