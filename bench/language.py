"""Language benchmark: Kazakh / Russian / mixed detection on a hand-written set.

    .venv/bin/python bench/language.py [--set bench/data/language_set.tsv] [--errors]

The set (bench/data/language_set.tsv, ≥ 150 messages written like Almaty customers:
Kazakh with and without its letters, Russian with everyday Kazakh courtesy words, and
Kazakh-Russian mixes) is labelled kk / ru / mixed. Figures: precision and recall of
"Kazakh present" (kk or mixed, what marks a chat «қазақша»), per-class recall, 3-class
accuracy. The baseline in the same run is the naive rule "any of ә ғ қ ң ө ұ ү һ і
means Kazakh". Goal: precision ≥ 0.95 and recall ≥ 0.9 for "Kazakh present".
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ottenok_desktop.engine.lexicon.kazakh import KAZAKH_LETTERS, detect_language, is_kazakh  # noqa: E402

HERE = Path(__file__).resolve().parent


def load(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, text = line.partition("\t")
        rows.append((label.strip(), text.strip()))
    return rows


def naive(text: str) -> str:
    return "kk" if KAZAKH_LETTERS.intersection(text.lower()) else "ru"


def binary(rows: list[tuple[str, str]], predict) -> tuple[float, float]:
    tp = fp = fn = 0
    for label, text in rows:
        want, got = label != "ru", is_kazakh(predict(text))
        tp += want and got
        fp += got and not want
        fn += want and not got
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", type=Path, action="append")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    results = [run(path, args.errors) for path in args.set or [HERE / "data" / "language_set.tsv",
                                                                  HERE / "data" / "language_holdout.tsv"]]
    return 0 if all(results) else 1


def run(path: Path, errors: bool) -> bool:
    rows = load(path)
    print(f"== {path.name}")
    counts = Counter(label for label, _ in rows)
    print(f"set: {len(rows)} messages ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})")
    started = time.perf_counter()
    predicted = [str(detect_language(text)) for _, text in rows]
    elapsed = time.perf_counter() - started
    precision, recall = binary(rows, lambda t: detect_language(t))
    base_p, base_r = binary(rows, naive)
    print(f"Kazakh present (kk|mixed): precision {precision:.3f}, recall {recall:.3f}"
          f"   [baseline letters-only: precision {base_p:.3f}, recall {base_r:.3f}]")
    for label in ("kk", "ru", "mixed"):
        total = sum(1 for lab, _ in rows if lab == label)
        hit = sum(1 for (lab, _), got in zip(rows, predicted) if lab == label and got == label)
        print(f"  recall {label:5s}: {hit / max(1, total):.3f} ({hit}/{total})")
    accuracy = sum(1 for (lab, _), got in zip(rows, predicted) if lab == got) / len(rows)
    print(f"3-class accuracy: {accuracy:.3f}; {elapsed / len(rows) * 1e6:.0f} µs per message (cold cache)")
    if errors:
        for (label, text), got in zip(rows, predicted):
            if label != got:
                print(f"  want {label:5s} got {got:5s} | {text}")
    ok = precision >= 0.95 and recall >= 0.9
    print("goal (precision ≥ 0.95, recall ≥ 0.9):", "met" if ok else "NOT met")
    return ok


if __name__ == "__main__":
    sys.exit(main())
