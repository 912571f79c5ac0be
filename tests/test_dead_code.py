"""No dead code: vulture over the package and the benchmarks finds nothing that is not on the
small allow list (`vulture_allow.py`, each entry with its reason). Code used only by tests is
dead too, so the tests are not scanned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_vulture_finds_no_dead_code() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vulture", "ottenok_desktop", "bench", "vulture_allow.py", "--min-confidence", "60"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, "dead code (delete it, or allow-list it with a reason):\n" + result.stdout
