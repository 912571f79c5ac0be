"""Explicit request for a human vs a mention: every line of bench/data/person_requests.tsv,
plus phrasings written after the detector was done."""

from __future__ import annotations

from pathlib import Path

import pytest

from ottenok_desktop.engine.lexicon.person_request import (
    detect_person_request,
    is_person_request,
)

DATA = Path(__file__).resolve().parents[3] / "bench" / "data" / "person_requests.tsv"
ROWS = [line.split("\t", 1) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]


def test_the_set_has_forty_of_each() -> None:
    labels = [label for label, _ in ROWS]
    assert labels.count("request") >= 40 and labels.count("mention") >= 40


@pytest.mark.parametrize(("label", "text"), ROWS, ids=[text[:40] for _, text in ROWS])
def test_labelled_message(label: str, text: str) -> None:
    assert is_person_request(text) == (label == "request")


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Девушка, позовите кого-нибудь из менеджеров", True),
        ("соедените с менеджером пожалуйста", True),
        ("Мне нужно поговорить с человеком, а не с роботом", True),
        ("оператор позвоните мне срочно", True),
        ("Менеджерді шақырыңызшы", True),
        ("хочу с менеджером обсудить оптовый заказ", True),
        ("менеджер вчера сказала, что привезут в четверг", False),
        ("вы менеджер? сколько стоит сумка шанель?", False),
        ("а менеджер до скольки работает?", False),
        ("Менеджер писал что есть 39, я жду", False),
        ("не нужен менеджер, я просто спросить", False),
    ],
)
def test_phrasings_written_after_the_detector(text: str, wanted: bool) -> None:
    assert is_person_request(text) == wanted


def test_the_matched_phrase_is_returned() -> None:
    result = detect_person_request("Позовите менеджера, хочу вернуть туфли, они натирают")
    assert result.is_request and "менеджера" in result.phrase
    assert detect_person_request("").phrase == ""
