"""Retrieval benchmark of the knowledge base (offline mode).

1. Quality: the labelled Russian questions (bench/data/retrieval_questions.json: typos,
   slang, transliterated brands, sizes, policies) over the sample shop
   (data/knowledge_base), alone and with generated distractors up to ~10,000 chunks:
   hit@1, hit@5 and MRR for each retriever alone (stems BM25, char-gram BM25, vectors)
   and fused (RRF). Baseline: plain word BM25 (no stemming, no brand normalisation).
2. Latency of `search_sync` at ~10,000 chunks, p50/p95, with the baseline's latency.
3. Offline build time of the ~10,000-chunk knowledge folder.

Run: `.venv/bin/python bench/retrieval.py [--chunks 10000] [--json]`
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ottenok_desktop.engine.events import EventBus  # noqa: E402
from ottenok_desktop.services.knowledge.lexical import BM25Index  # noqa: E402
from ottenok_desktop.services.knowledge.service import KnowledgeBase  # noqa: E402

SAMPLE = ROOT / "data" / "knowledge_base"
QUESTIONS = Path(__file__).resolve().parent / "data" / "retrieval_questions.json"

# Distractor vocabulary: brands and goods the sample catalog does not sell, shop-talk
# that resembles the policies without answering the labelled questions.
BRANDS = ["Louis Vuitton", "Bottega Veneta", "Versace", "Fendi", "Celine", "Loro Piana", "Jimmy Choo",
          "Christian Louboutin", "Manolo Blahnik", "Nike", "Adidas", "New Balance", "Givenchy", "Burberry",
          "Alexander McQueen", "Jacquemus", "Loewe", "Tod's", "Ferragamo", "Stuart Weitzman", "Michael Kors",
          "Marc Jacobs", "Tory Burch", "Converse", "Vans", "UGG", "Dr. Martens", "Max Mara", "Furla", "Casadei",
          "Le Silla", "Aquazzura", "Amina Muaddi"]
TYPES = ["Ботинки", "Сапоги", "Ботильоны", "Туфли", "Кроссовки", "Кеды", "Слипоны", "Сабо", "Эспадрильи",
         "Сандалии", "Угги", "Челси", "Казаки", "Дутики", "Сумка-тоут", "Клатч", "Рюкзак", "Кошелёк", "Косметичка"]
COLOURS = ["чёрный", "белый", "бежевый", "коричневый", "красный", "синий", "зелёный", "серый", "молочный", "хаки"]
WORDS = ("натуральная кожа замша нубук лак текстиль подошва каблук танкетка платформа колодка стелька "
         "подкладка мех шерсть утеплитель сезон осень зима весна лето тренд коллекция стиль образ офис "
         "вечер прогулка путешествие комфорт удобство посадка полнота подъём голенище молния шнуровка "
         "пряжка ремешок фурнитура логотип цвет оттенок модель новинка хит продаж классика").split()
TALK = ["Клиентка спрашивала про {t} {b}, менеджер предложил другой цвет.",
        "Обзор: {t} {b} — как носить осенью и с чем сочетать.",
        "Поставщик {b}: партия {t} ожидается в следующем месяце, {n} пар.",
        "Отзыв покупательницы: {t} {b} удобные, цвет {c} как на фото.",
        "Инвентаризация склада: {t} {b}, цвет {c}, {n} штук на полке {n2}."]


def make_distractors(folder: Path, target_chunks: int, seed: int = 7) -> int:
    """Markdown notes (~10 chunks each) into `folder/notes/`; returns the file count."""
    rng = random.Random(seed)
    notes = folder / "notes"
    notes.mkdir(parents=True, exist_ok=True)
    files = max(1, target_chunks // 10)
    for number in range(files):
        lines = [f"# Архив {number}"]
        for section in range(10):
            brand, kind, colour = rng.choice(BRANDS), rng.choice(TYPES), rng.choice(COLOURS)
            lines.append(f"## {kind} {brand} модель {number}-{section}")
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60)))
            talk = rng.choice(TALK).format(t=kind.lower(), b=brand, c=colour, n=rng.randint(2, 40), n2=rng.randint(1, 99))
            lines.append(f"{body.capitalize()}. {talk} Цена {rng.randint(30, 250)} 000 ₸, размеры {rng.randint(35, 37)}–{rng.randint(38, 41)}.")
            lines.append("")
        (notes / f"archive_{number:05}.md").write_text("\n".join(lines), encoding="utf-8")
    return files


def evaluate(ranked: list[list[str]], questions: list[dict]) -> dict[str, float]:
    hit1 = hit5 = rr = 0.0
    for sources, question in zip(ranked, questions):
        wanted = set(question["sources"])
        rank = next((i for i, s in enumerate(sources, start=1) if s in wanted), None)
        hit1 += rank == 1
        hit5 += rank is not None and rank <= 5
        rr += 1.0 / rank if rank else 0.0
    n = len(questions)
    return {"hit@1": hit1 / n, "hit@5": hit5 / n, "MRR": rr / n}


_PLAIN = re.compile(r"[^\W_]+")


def plain_words(text: str) -> list[str]:
    return _PLAIN.findall(text.lower())


def quality(kb: KnowledgeBase, questions: list[dict]) -> dict[str, dict[str, float]]:
    version = kb._version
    chunks = version.chunks
    per: dict[str, list[list[str]]] = {"stems": [], "chargrams": [], "vectors": [], "fused": [], "baseline word BM25": []}
    baseline = BM25Index.build([plain_words(c.text) for c in chunks])
    for question in questions:
        rankings = kb.rankings(question["question"], n=5)
        for name in ("stems", "chargrams", "vectors"):
            per[name].append([chunks[i].source for i in rankings.get(name, [])[:5]])
        per["fused"].append([h.source for h in kb.search_sync(question["question"], 5)])
        per["baseline word BM25"].append([chunks[i].source for i, _ in baseline.search(plain_words(question["question"]), 5)])
    return {name: evaluate(ranked, questions) for name, ranked in per.items()}


def latency(kb: KnowledgeBase, questions: list[dict], rounds: int = 3) -> dict[str, float]:
    texts = [q["question"] for q in questions]
    for text in texts[:10]:
        kb.search_sync(text, 5)  # warm caches (stems, n-grams, Chroma)
    samples = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            kb.search_sync(text, 5)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    baseline = BM25Index.build([plain_words(c.text) for c in kb._version.chunks])
    base = []
    for text in texts * rounds:
        started = time.perf_counter()
        baseline.search(plain_words(text), 5)
        base.append((time.perf_counter() - started) * 1000)
    base.sort()
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "baseline_p50_ms": statistics.median(base),
    }


def build(source: Path, index: Path, executor: ThreadPoolExecutor) -> tuple[KnowledgeBase, float]:
    kb = KnowledgeBase(source, index, EventBus(), executor)
    started = time.perf_counter()
    report = kb.rebuild_sync()
    if not report.ok:
        raise SystemExit(f"build failed: {report.errors}")
    return kb, time.perf_counter() - started


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'retriever':22} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
    for name, m in table.items():
        print(f"  {name:22} {m['hit@1']:6.3f} {m['hit@5']:6.3f} {m['MRR']:6.3f}")
    base = table["baseline word BM25"]["hit@5"] or 1e-9
    print(f"  fused / baseline hit@5 = {table['fused']['hit@5'] / base:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000, help="total chunks for the latency/build part")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    results: dict[str, object] = {"questions": len(questions)}
    work = Path(tempfile.mkdtemp(prefix="ottenok-bench-"))
    try:
        with ThreadPoolExecutor(max_workers=2) as executor:
            kb, seconds = build(SAMPLE, work / "index-sample", executor)
            results["sample"] = {"chunks": kb.chunk_count, "build_s": seconds, "quality": quality(kb, questions)}

            big = work / "kb-big"
            shutil.copytree(SAMPLE, big)
            make_distractors(big, args.chunks - kb.chunk_count)
            kb_big, big_seconds = build(big, work / "index-big", executor)
            results["big"] = {
                "chunks": kb_big.chunk_count,
                "build_s": big_seconds,
                "quality": quality(kb_big, questions),
                "latency": latency(kb_big, questions),
            }
            kb._version.close()
            kb_big._version.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
        return 0
    sample, big = results["sample"], results["big"]
    print(f"labelled questions: {len(questions)}")
    print_table(f"sample shop ({sample['chunks']} chunks)", sample["quality"])
    print_table(f"sample shop + distractors ({big['chunks']} chunks)", big["quality"])
    lat = big["latency"]
    print(f"\nsearch latency at {big['chunks']} chunks (offline, fused 3 retrievers): "
          f"p50 {lat['p50_ms']:.2f} ms, p95 {lat['p95_ms']:.2f} ms "
          f"(baseline word BM25 p50 {lat['baseline_p50_ms']:.2f} ms, ratio {lat['p50_ms'] / max(lat['baseline_p50_ms'], 1e-6):.1f}x)  goal p50 <= 10 ms")
    print(f"offline build of {big['chunks']} chunks: {big['build_s']:.1f} s (goal <= 30 s); "
          f"sample shop {sample['chunks']} chunks: {sample['build_s']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
