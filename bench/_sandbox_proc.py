"""Start the GREEN-API sandbox in its own process for benchmarks (so it does not share
the measured process's event loop)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class SandboxProcess:
    def __init__(self, **options: Any) -> None:
        args = [sys.executable, "-m", "ottenok_desktop.services.greenapi.sandbox"]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        self.proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        info = json.loads(line)
        self.api_url: str = info["api_url"]
        self.instance_id: str = info["instance_id"]
        self.token: str = options.get("token", "sandbox-token")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
