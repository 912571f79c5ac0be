"""Route a shop question to the document section that answers it.

Fused retrieval alone ranks by shared words, so «картой курьеру можно?» met the delivery
text (it says «курьер») and «в Усть-Каменогорск отправляете?» met a chat example that
named a city. Here the question's topic (engine.lexicon.questions: delivery, payment,
returns, originality, box, sizing, material, heel, pre-order, discount…) picks the
sections that can answer it — by their titles, the way a manager's documents are
organised («Оплата / Способы оплаты», «Частые вопросы / Оригинальность», a product card's
«Материал и посадка») — and those sections go first, best by:
  1. a preferred sub-section for the question's words (a city other than Almaty → «по
     Казахстану»; «рассрочка» → «Рассрочка и кредит»; «обменять» → «Обмен размера»);
  2. the product the question names (brand and kind: «сумка шанель» is the bag's card);
  3. the words themselves (the index's stemmed and n-gram BM25 over those sections only).
Questions without a document topic (stock, price, «есть 38?») keep the fused ranking, and
so does a shop whose documents have no section with a matching title.

Section patterns match the normalised «Document title / Section» path and are plain
Russian words a shop writes in its headings; a shop with other headings still gets the
fused ranking for whatever does not match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ottenok_desktop.engine.lexicon.brands import detect_brands
from ottenok_desktop.engine.lexicon.cities import detect_cities
from ottenok_desktop.engine.lexicon.product_types import detect_product_type
from ottenok_desktop.engine.lexicon.questions import (
    Topic,
    detect_topics,
    split_questions,
)

from .analysis import normalize
from .models import Chunk, KnowledgeHit
from .synonyms import expand_query

LexicalScorer = Callable[[str], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Route:
    sections: str  # pattern over a chunk's normalised section path: the sections that answer
    product_sections: str = ""  # pattern over a product card's sub-section (used when a product is named)
    # (pattern over the question, pattern over the section path): a preferred sub-section
    prefer: tuple[tuple[str, str], ...] = ()
    words: str = ""  # added to the question for the lexical ranking inside the routed sections


_NOT_ALMATY = "__city_not_almaty__"
ROUTES: dict[Topic, Route] = {
    Topic.DELIVERY: Route(
        r"^доставка|стоимость и сроки",
        prefer=(
            (_NOT_ALMATY, r"по казахстану"),
            (r"казахстан|регион|сдэк|cdek|казпочт|почт|трек|наложен|наложк|других? город", r"по казахстану"),
            (r"самовывоз|способ|вариант", r"стоимость и сроки"),
            (r"алмат|по городу|сегодня|курьер|индрайв|бесплатн|пример|подожд", r"по алматы"),
        ),
    ),
    Topic.PAYMENT: Route(
        r"^оплата",
        prefer=(
            (r"рассроч|кредит|частями|0-0|\bred\b|\bред\b", r"рассрочка"),
            (r"предоплат|при получении|сразу|после примерк|наложен|наложк|заранее|аванс", r"предоплата"),
            (r".", r"способы оплаты"),
        ),
    ),
    Topic.RETURNS: Route(
        r"^возврат",
        prefer=(
            (r"кто (?:платит|оплачивает)|пересылк|за доставк|доставк|обратно", r"кто платит"),
            (r"обмен|поменя|другой размер|новый размер|другую модель|заберет|заберёт|ауыстыр|өлшем", r"обмен"),
            (r".", r"условия возврата"),
        ),
    ),
    Topic.WARRANTY: Route(
        r"^гарантия",
        prefer=((r"что делать|как обратит|отклеил|порвал|сломал|брак|отвалил|ремонт", r"как обратиться"),
                (r"не входит|не покрывает", r"не входит"), (r".", r"сроки")),
    ),
    Topic.ADDRESS_HOURS: Route(
        r"/ адрес|часы работы|режим работы|график",
        prefer=((r"до скольки|во сколько|работаете|открыт|закрыт|выходн|режим|обед|воскресен|суббот|праздник|сегодня|уақыт", r"часы"),
                (r".", r"адрес")),
    ),
    Topic.CONTACTS: Route(r"контакт"),
    Topic.ORIGINALITY: Route(r"оригинал|подлинн"),
    Topic.BOX: Route(r"комплектац|коробк|пыльник", product_sections=r"комплектац|подарок"),
    Topic.PREORDER: Route(r"под заказ|предзаказ"),
    Topic.DISCOUNT: Route(r"скидк|акци"),
    Topic.RESERVE: Route(r"бронь|отложить"),
    Topic.PHOTO: Route(r"фото"),
    Topic.GIFT: Route(r"подар|сертификат", product_sections=r"подарок"),
    Topic.TRY_ON: Route(r"/ примерка"),
    Topic.SIZING: Route(
        r"особенности моделей|определить размер|таблица размеров",
        product_sections=r"посадка|длину ремня",
        words="размер посадка большемерит маломерят идут в размер",
        prefer=((r"таблиц|сетк|нога \d|длин\w* стоп|\d+ см", r"таблица"), (r"как узнать|определить|свой размер|измер", r"определить"),
                (r".", r"особенности")),
    ),
    Topic.MATERIAL: Route(r"^$", product_sections=r"материал|^$", prefer=((r".", r"материал"),),
                          words="материал верх кожа подкладка подошва текстиль"),
    Topic.HEEL: Route(r"^$", product_sections=r"материал и посадка|^$", words="каблук высота см танкетка платформа подошва роста"),
    Topic.CARE: Route(
        r"^уход",
        product_sections=r"уход",
        prefer=((r"замш|нубук", r"замша"), (r"атлас|текстил|ткан", r"атлас"), (r"сумк", r"сумки"), (r"кож", r"гладкая кожа")),
    ),
    Topic.AVAILABILITY: Route(r"поступлени|лист ожидания"),
}
_PRODUCT_TOPICS = (Topic.STOCK, Topic.PRICE, Topic.AVAILABILITY)
# Shop-wide policies: asked together with a named product's stock or price, the product comes first.
_POLICY_TOPICS = (Topic.DELIVERY, Topic.PAYMENT, Topic.ADDRESS_HOURS, Topic.CONTACTS, Topic.RESERVE, Topic.PHOTO,
                  Topic.TRY_ON, Topic.WARRANTY, Topic.AVAILABILITY)


def _routed(topics: Sequence[Topic], text: str) -> Topic | None:
    for topic in topics:
        if topic is Topic.AVAILABILITY and not _ROUTED_AVAILABILITY.search(normalize(text, brands=False)):
            continue
        if topic in ROUTES:
            return topic
    return None


_ROUTED_AVAILABILITY = re.compile(r"поступ|когда (?:будут|будет|привез|появ)|новинк|лист ожидания")
_KIND_OF_PRODUCT = (("bag", re.compile(r"^(?:сумк|клатч|рюкзак|кошел)")), ("accessory", re.compile(r"^(?:ремен|платок|ободок|очки)")))


def _product_kind(product: str) -> str:
    low = normalize(product, brands=False)
    for kind, pattern in _KIND_OF_PRODUCT:
        if pattern.search(low):
            return kind
    return "shoes"


class Router:
    """Section routing over one index version's chunks (built once per version, cheap)."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self._chunks = chunks
        self._paths = [normalize(c.section, brands=False) for c in chunks]
        self._sub = [p.split(" / ", 1)[1] if " / " in p else "" for p in self._paths]
        self._cache: dict[Topic, tuple[list[int], list[int]]] = {}

    def route(self, query: str, fused: list[KnowledgeHit], k: int, scorer: LexicalScorer) -> list[KnowledgeHit]:
        """`fused` (best first) reordered so the sections that answer the question come first.

        `scorer(text)` gives the stemmed and n-gram BM25 scores of every chunk for a text."""
        topic = self.topic_of(query)
        if topic is None:
            return fused[:k]
        candidates = self._candidates(topic, query)
        if not candidates:
            return fused[:k]
        stem_scores, gram_scores = scorer(query)
        if ROUTES[topic].words:
            extra_stems, extra_grams = scorer(ROUTES[topic].words)  # the same for every question of the topic
            stem_scores, gram_scores = stem_scores + extra_stems, gram_scores + extra_grams
        norm = normalize(query)
        preferred = self._preferred(topic, query, norm)
        brands = set(detect_brands(query))
        kind = detect_product_type(query)

        def lexical(i: int) -> float:
            return float(stem_scores[i]) / max(float(stem_scores.max()), 1e-9) + float(gram_scores[i]) / max(float(gram_scores.max()), 1e-9)

        def product_match(i: int) -> float:
            chunk = self._chunks[i]
            product = str(chunk.metadata.get("product", ""))
            if chunk.kind != "catalog" or not product:
                return 0.0
            score = 2.0 if brands and set(chunk.metadata.get("brands", ())) & brands else 0.0
            if kind and kind in ("bag", "accessory", "shoes") and _product_kind(product) == kind:
                score += 1.0
            return score

        ranked = sorted(candidates, key=lambda i: -(3.0 * bool(preferred and re.search(preferred, self._paths[i]))
                                                    + product_match(i) + lexical(i)))
        top_score = fused[0].score if fused else 1.0
        fused_ranks = {h.metadata.get("chunk_id"): h.metadata.get("ranks", {}) for h in fused}
        routed: list[KnowledgeHit] = []
        seen: set[str] = set()
        for rank, i in enumerate(ranked[:k]):
            chunk = self._chunks[i]
            ranks = fused_ranks.get(chunk.id, {})  # each retriever's rank when the fused list had it
            metadata = {**chunk.metadata, "ranks": ranks, "chunk_id": chunk.id, "routed_topic": topic.value}
            routed.append(KnowledgeHit(chunk.text, chunk.source, chunk.section, chunk.kind, round(top_score + 1.0 / (rank + 1), 6), metadata))
            seen.add(chunk.id)
        rest = [h for h in fused if h.metadata.get("chunk_id") not in seen]
        return (routed + rest)[:k]

    @staticmethod
    def topic_of(query: str) -> Topic | None:
        """The document topic to route `query` by, or None (keep the fused ranking)."""
        return query_topic(query)

    def _candidates(self, topic: Topic, query: str) -> list[int]:
        general, cards = self._by_topic(topic)
        brands = set(detect_brands(query)) if cards else set()
        if not brands:
            return list(general)
        # only the named brand's cards; none of them has such a section → the shop's general sections
        own = [i for i in cards if brands & set(self._chunks[i].metadata.get("brands", ()))]
        return sorted(general + own)

    def _by_topic(self, topic: Topic) -> tuple[list[int], list[int]]:
        """(general sections, product card sections) that may answer `topic`, computed once per version."""
        cached = self._cache.get(topic)
        if cached is None:
            route = ROUTES[topic]
            general: list[int] = []
            cards: list[int] = []
            for i, chunk in enumerate(self._chunks):
                if chunk.kind == "catalog":
                    if route.product_sections and re.search(route.product_sections, self._sub[i]):
                        cards.append(i)
                elif chunk.kind != "chat" and route.sections != r"^$" and re.search(route.sections, self._paths[i]):
                    general.append(i)
            cached = self._cache[topic] = (general, cards)
        return cached

    @staticmethod
    def _preferred(topic: Topic, query: str, norm: str) -> str:
        for question_pattern, section_pattern in ROUTES[topic].prefer:
            if question_pattern == _NOT_ALMATY:
                cities = detect_cities(query)
                if cities and any(c != "Алматы" for c in cities):
                    return section_pattern
                continue
            if re.search(question_pattern, norm):
                return section_pattern
        return ""


@lru_cache(maxsize=4096)
def query_topic(query: str) -> Topic | None:
    """The document topic to route `query` by, or None (keep the fused ranking).

    A message that mixes a product question with a shop-policy one («есть шанель 37? а
    доставка в астану?») is not routed as a whole: its product facts must stay first,
    and the caller asks the policy clause on its own (the responder's side question).
    Cached: the same customer texts are searched again (side questions, retries)."""
    questions = split_questions(query)
    if len(questions) > 1 and any(_routed(q.topics, q.text) is None for q in questions):
        return None
    topics = detect_topics(query)
    topic = _routed(topics, query)
    if topic in _POLICY_TOPICS and any(t in _PRODUCT_TOPICS for t in topics) and (detect_brands(query) or detect_product_type(query)):
        return None
    return topic


def lexical_scorer(version_scores: LexicalScorer) -> LexicalScorer:
    """`version_scores` (an index version's `lexical_scores`, over normalised text) for raw text."""

    def score(text: str) -> tuple[np.ndarray, np.ndarray]:
        return version_scores(expand_query(normalize(text)))

    return score
