"""Knowledge hits → facts the dialogue may use (pure): clean snippets, price conflicts, FAQ answers.

Retrieval returns chunks as indexed: a section path on the first line ("Лоферы Chanel /
Цвета, размеры и цены"), table rows joined with ";", chat examples with speaker names.
None of that is fit to send to a customer as it is. This module:

- turns hits into `Snippet`s: the body without the section path, the kind, whether it is
  a table, and the stock product it is about (catalog cards);
- finds knowledge amounts that contradict the stock file: an amount said about a product
  that is in the stock file and is not one of its stock prices (the stock file is the
  price authority, a document may be out of date);
- composes an FAQ answer from the best hit's sentences: no table rows, no chat lines, no
  conflicting amounts, 1–3 sentences and about 350 characters cut on a sentence boundary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from ottenok_desktop.engine.lexicon.brands import transliterate
from ottenok_desktop.engine.lexicon.text import stem, tokens

from .guards import money_amounts

MAX_SENTENCES = 3
MAX_CHARS = 350
# exported chats and the sales script show tone and tactics, they are not facts to quote
FACT_KINDS_EXCLUDED = ("chat", "guidance")

ProductOf = Callable[[str], str]  # text -> the stock product it names, or ""
StockPricesOf = Callable[[str], Sequence[int]]  # stock product -> its prices in the stock file

# "ул. Абая": a capital after these is not a new sentence
_ABBREVIATIONS = ("ул", "пр", "просп", "д", "кв", "г", "гг", "мкр", "р-н", "см", "мин", "тыс", "руб", "т.е", "им",
                  "стр", "корп", "т.д", "т.п", "др", "н", "св", "напр")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[А-ЯЁA-Z0-9])")
_WHATSAPP_LINE = re.compile(r"^\s*\[?\d{1,2}[./]\d{1,2}[./]\d{2,4},?\s+\d{1,2}:\d{2}")
_STOP = frozenset("""
а и или но да нет не ни ли же бы то это этот эта эти там тут здесь вот как где когда куда откуда почему зачем что чем
сколько какой какая какие каких каким у в во на по с со к ко о об от до за из для при про без над под между через
я мы вы ты он она они мне нам вам вас нас вам ваш ваша ваши ваше мой моя мои свой есть будет был была были можно
нужно надо если еще ещё уже очень просто тоже также пожалуйста подскажите скажите здравствуйте привет добрый день
вечер утро спасибо ок хорошо ну а-то
""".split())


@dataclass(frozen=True)
class Snippet:
    """One knowledge hit as the dialogue sees it."""

    body: str  # the chunk text without its section path
    section: str
    kind: str  # catalog | script | chat | note
    table: bool  # a chunk of table rows
    product: str = ""  # the stock product the chunk is about ("" = none / not in stock)
    source: str = ""


@dataclass(frozen=True)
class FaqAnswer:
    text: str  # "" when the question should be answered from stock facts
    source: str = ""
    section: str = ""
    stock_product: str = ""  # answer from the stock facts of this product instead


def strip_section(text: str, section: str) -> str:
    """The chunk body: chunking writes "<section path>\\n<body>"."""
    text = text.strip()
    if section and text.startswith(section):
        rest = text[len(section):]
        if not rest or rest[0] == "\n":
            return rest.strip()
    return text


def snippets_from_hits(hits: Iterable[Any], product_of: ProductOf) -> list[Snippet]:
    """`hits`: KnowledgeHit-like objects (text, section, kind, source, metadata)."""
    result: list[Snippet] = []
    for hit in hits:
        section = str(getattr(hit, "section", "") or "")
        metadata: Mapping[str, Any] = getattr(hit, "metadata", None) or {}
        kind = str(getattr(hit, "kind", "") or "")
        named = str(metadata.get("product", "") or "") if kind == "catalog" else ""
        product = product_of(named or section.split(" / ")[0]) if (named or section) else ""
        result.append(Snippet(body=strip_section(str(getattr(hit, "text", "")), section), section=section, kind=kind,
                              table=bool(metadata.get("table")), product=product,
                              source=str(getattr(hit, "source", "") or "")))
    return result


def sentences(text: str) -> list[str]:
    """Sentences (and table rows / lines) of a text, in order."""
    found: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        start = 0
        for match in _SENTENCE_END.finditer(line):
            head = line[start:match.start()]
            last_word = re.search(r"([а-яёa-z.\-]+)\.$", head.lower())
            if last_word and last_word.group(1).rstrip(".") in _ABBREVIATIONS:
                continue
            found.append(head.strip())
            start = match.end()
        found.append(line[start:].strip())
    return [s for s in found if s]


# ---- prices -------------------------------------------------------------------------------
def price_conflicts(snippets: Iterable[Snippet], product_of: ProductOf,
                    stock_prices_of: StockPricesOf) -> dict[int, str]:
    """Knowledge amounts about a stock product that the stock file does not have: amount -> why."""
    conflicts: dict[int, str] = {}
    for snippet in snippets:
        for sentence in sentences(snippet.body):
            amounts = money_amounts(sentence)
            if not amounts:
                continue
            product = product_of(sentence) or snippet.product
            if not product:
                continue
            prices = set(stock_prices_of(product))
            if not prices:
                continue
            for amount in amounts:
                if amount not in prices:
                    conflicts.setdefault(amount, f"knowledge says {amount} for {product}; the stock file says "
                                                 + "/".join(str(p) for p in sorted(prices)))
    return conflicts


def _conflicting(sentence: str, conflicts: Mapping[int, str]) -> bool:
    return bool(conflicts) and any(a in conflicts for a in money_amounts(sentence))


def clean_body(snippet: Snippet, conflicts: Mapping[int, str]) -> str:
    """The snippet's text without sentences/rows that carry a conflicting amount."""
    if not conflicts:
        return snippet.body
    kept = [s for s in sentences(snippet.body) if not _conflicting(s, conflicts)]
    return "\n".join(kept) if snippet.table else " ".join(kept)


def fact_texts(snippets: Sequence[Snippet], conflicts: Mapping[int, str], limit: int, max_chars: int) -> list[str]:
    """Knowledge for the LLM's facts block: section as a label, body cleaned, no chat examples."""
    texts: list[str] = []
    for snippet in snippets:
        if snippet.kind in FACT_KINDS_EXCLUDED:
            continue
        body = clean_body(snippet, conflicts)
        if not body:
            continue
        label = snippet.section.split(" / ")[-1] if snippet.section else ""
        texts.append(_clip(f"{label}: {body}" if label else body, max_chars))
        if len(texts) >= limit:
            break
    return texts


# ---- FAQ ------------------------------------------------------------------------------------
def _keys(text: str) -> list[str]:
    keys = []
    for token in tokens(text):
        if token in _STOP:
            continue
        if token[0].isdigit():
            keys.append(token)
            continue
        keys.append(transliterate(stem(token)))
    return keys


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if a[0].isdigit() or b[0].isdigit():
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short)


def _overlap(question: Sequence[str], text_keys: Sequence[str]) -> int:
    return sum(1 for q in set(question) if any(_same(q, k) for k in text_keys))


def compose_faq(question: str, snippets: Sequence[Snippet], conflicts: Mapping[int, str] | None = None, *,
                product_question: bool = False, max_sentences: int = MAX_SENTENCES,
                max_chars: int = MAX_CHARS) -> FaqAnswer | None:
    """An answer from the best hit's sentences, or a pointer to the stock facts, or None.

    `product_question`: the customer asks about price, sizes, colours or availability;
    when the best hit is about a stock product, the stock file answers, not the document.
    """
    conflicts = conflicts or {}
    usable = [s for s in snippets if s.kind not in FACT_KINDS_EXCLUDED]
    if not usable:
        return None
    q_keys = _keys(question)
    top = usable[0]
    if top.product and (product_question or top.table) and _overlap(q_keys, _keys(top.product)) > 0:
        return FaqAnswer(text="", source=top.source, section=top.section, stock_product=top.product)
    # table rows are never an answer; a product question is the stock file's, not a card's
    prose = [s for s in usable if not s.table and not (product_question and s.product)]
    best: tuple[float, int, int] | None = None  # (score, -rank, sentence index)
    candidates: list[tuple[Snippet, list[str], bool]] = []
    for rank, snippet in enumerate(prose):
        if rank >= 3:
            break
        lines = [s for s in sentences(snippet.body) if not _conflicting(s, conflicts) and not _WHATSAPP_LINE.match(s)]
        titled = bool(snippet.section) and _overlap(q_keys, _keys(snippet.section.split(" / ")[-1])) > 0
        candidates.append((snippet, lines, titled))
        prior = 0.6 - 0.3 * rank  # retrieval already ranked the chunks: keep some of that order
        for index, line in enumerate(lines):
            score = _overlap(q_keys, _keys(line)) + (0.5 if titled else 0.0) + prior
            if best is None or (score, -rank) > best[:2]:
                best = (score, -rank, index)
    if best is None:
        return None
    snippet, lines, titled = candidates[-best[1]]
    if not lines:
        return None
    # a section titled like the question ("Часы работы", "Доставка по Казахстану") answers it
    # from its first sentence on; elsewhere the answer starts at the best sentence
    chosen = _pick(q_keys, lines, 0 if titled else best[2], max_sentences, max_chars, follow=titled)
    return FaqAnswer(text=" ".join(chosen), source=snippet.source, section=snippet.section)


def _pick(q_keys: Sequence[str], lines: Sequence[str], best: int, max_sentences: int, max_chars: int,
          follow: bool = False) -> list[str]:
    """The first sentence, then the ones after it that also answer (or simply follow), in text order."""
    picked = [best]
    total = len(lines[best])
    for index in range(best + 1, len(lines)):
        if len(picked) >= max_sentences:
            break
        relevant = follow or _overlap(q_keys, _keys(lines[index])) > 0
        # a lone short sentence needs the next one for context; otherwise only relevant ones join
        if not relevant and (len(picked) > 1 or total >= 120):
            break
        if total + 1 + len(lines[index]) > max_chars:
            break
        picked.append(index)
        total += 1 + len(lines[index])
    text = [lines[i] for i in sorted(picked)]
    if len(text) == 1 and len(text[0]) > max_chars:
        text = [_clip(text[0], max_chars)]
    return text


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" not in text else text
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("\n"))
    if end > limit // 3:
        return cut[: end + 1].strip()
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:—-") + "…"
