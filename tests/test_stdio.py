"""Standard streams are UTF-8 whatever the code page: Russian and Kazakh `--json` output
to a pipe never raises UnicodeEncodeError (a frozen Windows exe would use cp1251/cp1252)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ottenok_desktop.stdio import ensure_utf8_stdio, reconfigure_stream

REPO = Path(__file__).resolve().parents[1]
KAZAKH = "Әйгерім: қызыл етік 38 өлшем бар ма? ғ ү ұ һ і ң"


def test_a_cp1252_stream_is_switched_to_utf8() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252")
    with pytest.raises(UnicodeEncodeError):
        stream.write("лоферы")
        stream.flush()
    raw.seek(0), raw.truncate()
    assert reconfigure_stream(stream) is True
    stream.write(KAZAKH)
    stream.flush()
    assert raw.getvalue().decode("utf-8") == KAZAKH


def test_utf8_streams_and_foreign_streams_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    assert reconfigure_stream(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")) is False
    assert reconfigure_stream(io.StringIO()) is False
    assert reconfigure_stream(None) is False
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="cp1251"))
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert ensure_utf8_stdio() == ["stdout"]


def test_json_with_cyrillic_goes_through_a_cp1252_pipe(tmp_path: Path) -> None:
    # PYTHONIOENCODING=cp1252 gives the process the pipe encoding a frozen Windows exe gets.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTTENOK", "INVENTORY", "PYTHONUTF8"))}
    env.update(PYTHONIOENCODING="cp1252", PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "ottenok_desktop", "--data-dir", str(tmp_path / "Әйгерім"),
                           "inventory", "find", "лоферы шанель", "--size", "38", "--json"],
                          env=env, cwd=tmp_path, capture_output=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    found = json.loads(proc.stdout.decode("utf-8"))
    assert found["product"] == "Лоферы Chanel" and found["status"] == "in_stock"
