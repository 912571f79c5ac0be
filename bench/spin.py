"""SPIN classifier benchmark: per-stage precision and recall on the hand-labelled manager
questions (bench/data/spin_questions.tsv: the development set the cue lists were written
against; spin_questions_heldout.tsv: written afterwards and never used to tune them).
Goal: precision >= 0.8 on each stage. Baseline in the same run: a classifier that says
«situation» for every question (the most common stage).

    .venv/bin/python bench/spin.py [--errors]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DATA = Path(__file__).resolve().parent / "data"
STAGES = ("situation", "problem", "implication", "need_payoff", "none")
GOAL = 0.8


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            stage, text = line.split("\t", 1)
            assert stage in STAGES, f"{path.name}: unknown stage {stage!r}"
            rows.append((stage, text))
    return rows


def score(rows: list[tuple[str, str]], predict: object) -> dict[str, tuple[float, float, int]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for stage, text in rows:
        got = predict(text)  # type: ignore[operator]
        if got == stage:
            tp[stage] += 1
        else:
            fp[got] += 1
            fn[stage] += 1
    return {s: (tp[s] / max(tp[s] + fp[s], 1), tp[s] / max(tp[s] + fn[s], 1), tp[s] + fn[s]) for s in STAGES}


def report(name: str, rows: list[tuple[str, str]], predict: object, errors: bool) -> bool:
    from ottenok_desktop.engine.analytics.spin import classify_text

    result = score(rows, predict)
    base = score(rows, lambda _t: "situation")
    accuracy = sum(1 for stage, text in rows if predict(text) == stage) / len(rows)  # type: ignore[operator]
    print(f"{name}: {len(rows)} questions, accuracy {accuracy:.3f} (all-«situation» baseline "
          f"{sum(1 for s, _ in rows if s == 'situation') / len(rows):.3f})")
    ok = True
    for stage in STAGES:
        precision, recall, support = result[stage]
        met = precision >= GOAL
        ok = ok and (met or stage == "none")
        print(f"  {stage:12} n={support:3}  precision {precision:.3f}  recall {recall:.3f}"
              f"{'' if stage == 'none' else ('  (goal met)' if met else '  (goal NOT met)')}"
              f"   baseline precision {base[stage][0]:.3f} recall {base[stage][1]:.3f}")
    if errors:
        for stage, text in rows:
            got = classify_text(text).value
            if got != stage:
                print(f"    {stage:12} -> {got:12} {text}")
    return ok


def main(argv: list[str]) -> int:
    from ottenok_desktop.engine.analytics.spin import classify_question, classify_text

    errors = "--errors" in argv
    dev, held = load(DATA / "spin_questions.tsv"), load(DATA / "spin_questions_heldout.tsv")

    def predict(text: str) -> str:
        return classify_text(text).value

    ok_dev = report("development set", dev, predict, errors)
    ok_held = report("held-out set", held, predict, errors)
    report("both", dev + held, predict, False)
    classify_question.cache_clear()
    texts = [text for _s, text in dev + held] * 20
    started = time.perf_counter()
    for i, text in enumerate(texts):
        classify_text(f"{text} {i}")  # unique: no cache hits
    elapsed = time.perf_counter() - started
    print(f"speed: {len(texts)} unique questions in {elapsed:.2f} s ({elapsed / len(texts) * 1e6:.0f} µs each)")
    return 0 if ok_dev and ok_held else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
