"""Benchmark of the explicit request for a human (engine/lexicon/person_request.py).

Data: bench/data/person_requests.tsv, `request|mention<TAB>text`. Prints precision and recall
of `is_request` and each miss, next to a naive baseline measured in the same run (a person
word anywhere in the message is a request — what "менеджер as a word hands the chat over"
did). Goal: precision 1.0 (a mention never hands a chat over), recall ≥ 0.95.

Run: `.venv/bin/python bench/person_request.py`
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ottenok_desktop.engine.lexicon.person_request import is_person_request

DATA = Path(__file__).resolve().parent / "data" / "person_requests.tsv"
_NAIVE = re.compile(r"менеджер|оператор|человек|админ|консультант|продав", re.IGNORECASE)


def load() -> list[tuple[bool, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label == "request", text))
    return rows


def measure(rows: list[tuple[bool, str]], predict: Callable[[str], bool]) -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    misses = []
    for wanted, text in rows:
        got = predict(text)
        tp += got and wanted
        fp += got and not wanted
        fn += wanted and not got
        if got != wanted:
            misses.append(f"{'request' if wanted else 'mention'} read as {'request' if got else 'mention'}: {text}")
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), misses


def main() -> int:
    rows = load()
    requests = sum(1 for wanted, _ in rows if wanted)
    print(f"{len(rows)} messages: {requests} requests, {len(rows) - requests} mentions")
    precision, recall, misses = measure(rows, is_person_request)
    base_p, base_r, _ = measure(rows, lambda text: bool(_NAIVE.search(text)))
    print(f"  detector:        precision {precision:.3f}  recall {recall:.3f}   (goal precision 1.0, recall ≥ 0.95)")
    print(f"  naive baseline:  precision {base_p:.3f}  recall {base_r:.3f}   (a person word anywhere)")
    for miss in misses:
        print(f"    {miss}")
    return 0 if precision == 1.0 and recall >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
