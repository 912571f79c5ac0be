"""Run every benchmark in turn (`make bench`); each prints its figures and the baseline
it measured in the same run. A failing benchmark is reported and the others still run.
`--soak` adds the soak (bench/soak.py, 15 minutes here; `bench/soak.py --minutes 60` for
the full hour) — too long for every `make bench`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "channel.py", "inventory.py", "retrieval.py", "routing.py", "confirmation.py", "person_request.py",
    "extraction.py", "dialogue.py", "dialogues.py", "followups.py", "console.py", "spin.py", "analytics.py", "seats.py",
    "language.py", "images.py", "promotions.py", "telegram_media.py", "announcements.py",
]


SOAK = ["soak.py", "--minutes", "15"]


def main(names: list[str]) -> int:
    failed = []
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    soak = "--soak" in names
    runs = [[name] for name in names if name != "--soak"] or [[name] for name in BENCHMARKS]
    if soak:
        runs.append(SOAK)
    for name, *args in runs:
        print(f"\n=== bench/{name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(HERE / name), *args], cwd=HERE.parent, env=env)
        print(f"=== bench/{name}: exit {result.returncode} in {time.perf_counter() - started:.0f} s ===", flush=True)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
