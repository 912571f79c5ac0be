"""Knowledge routing benchmark: does the shop's question reach the document SECTION that answers it?

Data: bench/data/routing_questions.json (165 questions as Almaty customers write them:
delivery to a named city, payment ways, returns and exchange, address and hours,
originality, box and dust bag, sizing, materials, heel height, pre-order, discounts) →
the acceptable (source, section) of data/knowledge_base. Section hit@1 and hit@3 through
the real `KnowledgeBase.search_sync` (offline), next to a plain word BM25 baseline over the
same chunks measured in the same run. Goal: hit@1 ≥ 0.9.

Run: `.venv/bin/python bench/routing.py [--misses]`
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ottenok_desktop.engine.events import EventBus
from ottenok_desktop.services.knowledge.lexical import BM25Index
from ottenok_desktop.services.knowledge.service import KnowledgeBase

SAMPLE = ROOT / "data" / "knowledge_base"
DATA = Path(__file__).resolve().parent / "data" / "routing_questions.json"
GOAL = 0.9
_PLAIN = re.compile(r"[^\W_]+")


def plain_words(text: str) -> list[str]:
    return _PLAIN.findall(text.lower())


def key(source: str, section: str) -> str:
    return f"{source}#{section}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="list every question whose top hit is wrong")
    args = parser.parse_args()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    sections: dict[str, str] = data["sections"]
    parts = {"dev": [(text, {sections[a] for a in answers}) for text, answers in data["questions"]],
             "held-out": [(text, {sections[a] for a in answers}) for text, answers in data.get("held_out", [])]}
    questions = parts["dev"] + parts["held-out"]
    work = Path(tempfile.mkdtemp(prefix="ottenok-routing-"))
    try:
        with ThreadPoolExecutor(max_workers=2) as executor:
            kb = KnowledgeBase(SAMPLE, work / "index", EventBus(), executor)
            report = kb.rebuild_sync()
            if not report.ok:
                raise SystemExit(f"build failed: {report.errors}")
            chunks = kb._version.chunks
            known = {key(c.source, c.section) for c in chunks}
            missing = sorted({s for _, wanted in questions for s in wanted} - known)
            if missing:
                raise SystemExit(f"labelled sections not in the knowledge base: {missing}")
            baseline = BM25Index.build([plain_words(c.text) for c in chunks])
            hits = {f"{name} {part}": [0, 0] for part in parts for name in ("search", "baseline word BM25")}
            misses = []
            for text, wanted in questions:
                part = "dev" if (text, wanted) in parts["dev"] else "held-out"
                found = [key(h.source, h.section) for h in kb.search_sync(text, 3)]
                base = [key(chunks[i].source, chunks[i].section) for i, _ in baseline.search(plain_words(text), 3)]
                for name, ranked in ((f"search {part}", found), (f"baseline word BM25 {part}", base)):
                    hits[name][0] += bool(ranked) and ranked[0] in wanted
                    hits[name][1] += any(r in wanted for r in ranked[:3])
                if not found or found[0] not in wanted:
                    misses.append((f"[{part}] {text}", found[0] if found else "(nothing)", sorted(wanted)))
            kb._version.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(parts['dev'])} dev + {len(parts['held-out'])} held-out questions over {report.chunks} chunks of the sample shop")
    print(f"  {'retriever':32} {'hit@1':>6} {'hit@3':>6}")
    for name, (h1, h3) in hits.items():
        n = max(len(parts[name.rsplit(' ', 1)[1] if not name.endswith('held-out') else 'held-out']), 1)
        print(f"  {name:32} {h1 / n:6.3f} {h3 / n:6.3f}")
    for part in parts:
        base = hits[f"baseline word BM25 {part}"][0] or 1
        print(f"  {part}: search / baseline hit@1 = {hits[f'search {part}'][0] / base:.2f}x   (goal hit@1 ≥ {GOAL})")
    if args.misses or misses:
        for text, got, wanted in misses:
            print(f"    miss: {text!r} → {got}   wanted {' | '.join(wanted)}")
    ok = all(hits[f"search {part}"][0] / max(len(parts[part]), 1) >= GOAL for part in parts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
