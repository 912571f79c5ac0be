"""Section routing through the real KnowledgeBase over the sample shop (data/knowledge_base):
the question's topic picks the section that answers it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ottenok_desktop.engine.events import EventBus
from ottenok_desktop.services.knowledge.service import KnowledgeBase

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "knowledge_base"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    executor = ThreadPoolExecutor(max_workers=1)
    base = KnowledgeBase(SAMPLE, tmp_path_factory.mktemp("routing") / "index", EventBus(), executor)
    assert base.rebuild_sync().ok
    yield base
    base._version.close()
    executor.shutdown()


@pytest.mark.parametrize(
    ("question", "section"),
    [
        ("В Усть-Каменогорск отправляете? сколько дней идет", "Доставка / Доставка по Казахстану"),
        ("картой курьеру можно?", "Оплата / Способы оплаты"),
        ("под заказ сколько бы стоили?", "Частые вопросы / Под заказ (предзаказ)"),
        ("а они точно оригинал?", "Частые вопросы / Оригинальность"),
        ("пыльник и коробка в комплекте?", "Частые вопросы / Комплектация: коробка и пыльник"),
        ("а дешевле никак?", "Частые вопросы / Скидки и акции"),
        ("можно обменять размер?", "Возврат и обмен / Обмен размера"),
        ("в воскресенье работаете?", "Магазин «Оттенок» / Часы работы"),
        ("сумка шанель натуральная кожа?", "Сумка Chanel 2.55 / Материал"),
        ("баленсиага как по размеру, большемерят?", "Кроссовки Balenciaga Triple S / Материал и посадка|Примерка и размеры / Особенности моделей"),
        ("какой каблук у туфель ysl", "Туфли Saint Laurent Opyum"),
    ],
)
def test_question_reaches_its_section(kb: KnowledgeBase, question: str, section: str) -> None:
    top = kb.search_sync(question, 3)[0]
    assert top.section in section.split("|")
    assert top.metadata["routed_topic"]


def test_questions_without_a_document_topic_keep_the_fused_ranking(kb: KnowledgeBase) -> None:
    hits = kb.search_sync("лоферы шанель 38 бежевые", 3)
    assert hits[0].source == "catalog/loafers_chanel.docx"
    assert "routed_topic" not in hits[0].metadata


def test_routed_hits_are_followed_by_the_fused_ones_without_duplicates(kb: KnowledgeBase) -> None:
    hits = kb.search_sync("доставка в Караганду сколько стоит", 6)
    ids = [h.metadata["chunk_id"] for h in hits]
    assert len(ids) == len(set(ids)) == 6
    assert [h.score for h in hits[:2]] == sorted([h.score for h in hits[:2]], reverse=True)


def test_a_product_question_with_a_policy_one_keeps_the_product_first(kb: KnowledgeBase) -> None:
    """The responder asks the policy clause on its own; the whole message keeps its product hit."""
    mixed = kb.search_sync("есть шанель лоферы 37 бежевые? а доставка в астану сколько дней?", 3)
    assert not any("routed_topic" in hit.metadata for hit in mixed)  # the fused ranking, untouched
    alone = kb.search_sync("а доставка в астану сколько дней?", 3)
    assert alone[0].section == "Доставка / Доставка по Казахстану"
