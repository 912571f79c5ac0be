"""Benchmark of the yes / no / correction reader (engine/lexicon/confirmation.py).

Data: bench/data/confirmation.tsv (written before the classifier: the dev part) and
bench/data/confirmation_holdout.tsv (written after it was done: shows how it generalises).
Each line is `label<TAB>reply to «Всё верно? Оформляем?»`. Prints accuracy and the confusion
per class for each part, for the classifier and for a naive baseline measured in the same
run (the first word «да»/«ок» → yes, «нет»/«не» → no, a digit → correction, else other).
Goal: accuracy ≥ 0.97 on each part.

Run: `.venv/bin/python bench/confirmation.py [--errors]`
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ottenok_desktop.engine.lexicon.confirmation import (
    ConfirmationReply,
    classify_confirmation,
)

DATA = Path(__file__).resolve().parent / "data"
PARTS = {"dev": DATA / "confirmation.tsv", "held-out": DATA / "confirmation_holdout.tsv"}
LABELS = [c.value for c in ConfirmationReply]
GOAL = 0.97


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        if label not in LABELS:
            raise SystemExit(f"{path.name}: unknown label {label!r} in {line!r}")
        rows.append((label, text))
    return rows


def naive(text: str) -> str:
    words = re.findall(r"\w+", text.lower())
    first = words[0] if words else ""
    if first in ("да", "ок", "ok", "окей", "ага", "угу", "конечно") or text.strip().startswith(("+", "👍")):
        return "yes"
    if first in ("нет", "не", "неа"):
        return "correction" if re.search(r"\d", text) else "no"
    if re.search(r"\d", text):
        return "correction"
    return "other"


def classifier(text: str) -> str:
    return classify_confirmation(text).kind.value


def score(rows: list[tuple[str, str]], predict: Callable[[str], str]) -> tuple[float, Counter, list[tuple[str, str, str]]]:
    confusion: Counter = Counter()
    errors = []
    for label, text in rows:
        got = predict(text)
        confusion[(label, got)] += 1
        if got != label:
            errors.append((label, got, text))
    return 1 - len(errors) / len(rows), confusion, errors


def print_confusion(confusion: Counter) -> None:
    print("    " + "true / predicted".ljust(18) + "".join(f"{label:>11}" for label in LABELS) + "     recall")
    for label in LABELS:
        total = sum(confusion[(label, other)] for other in LABELS)
        row = "".join(f"{confusion[(label, other)]:>11}" for other in LABELS)
        print(f"    {label:18}{row}     {confusion[(label, label)] / max(total, 1):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every misclassified reply")
    args = parser.parse_args()
    ok = True
    for part, path in PARTS.items():
        if not path.exists():
            print(f"{part}: {path.name} missing")
            continue
        rows = load(path)
        counts = Counter(label for label, _ in rows)
        print(f"\n{part}: {len(rows)} replies ({', '.join(f'{k} {counts[k]}' for k in LABELS)})")
        for name, predict in (("classifier", classifier), ("naive baseline", naive)):
            accuracy, confusion, errors = score(rows, predict)
            print(f"  {name}: accuracy {accuracy:.3f}" + (f"  (goal ≥ {GOAL})" if name == "classifier" else ""))
            print_confusion(confusion)
            if name == "classifier":
                ok = ok and accuracy >= GOAL
                if args.errors or errors:
                    for label, got, text in errors:
                        print(f"      {label:>10} → {got:<10} {text}")
        base_accuracy = score(rows, naive)[0]
        print(f"  classifier / baseline accuracy = {score(rows, classifier)[0] / max(base_accuracy, 1e-9):.2f}x")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
