"""The entry script gives a windowed build somewhere to print."""

from __future__ import annotations

import io
import sys

import pytest

from tests.build._loader import load

entry = load("entry.py")


@pytest.mark.skipif(sys.platform == "win32", reason="Windows attaches to the parent console instead")
def test_missing_streams_are_replaced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    entry._attach_streams()
    try:
        assert sys.stdout is not None and sys.stderr is not None
        print("самопроверка", file=sys.stdout)  # does not raise
    finally:
        sys.stdout.close()
        sys.stderr.close()


def test_existing_streams_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    entry._attach_streams()
    assert sys.stdout is out and sys.stderr is err


def test_run_switches_a_cp1252_pipe_to_utf8_before_main(monkeypatch: pytest.MonkeyPatch) -> None:
    import ottenok_desktop.__main__ as entry_main

    raw = io.BytesIO()
    pipe = io.TextIOWrapper(raw, encoding="cp1252")  # what a frozen Windows exe gets on a pipe
    monkeypatch.setattr(sys, "stdout", pipe)

    def fake_main() -> int:
        print('{"product": "Лоферы Chanel", "note": "өлшемі 38 бар"}')
        return 0

    monkeypatch.setattr(entry_main, "main", fake_main)
    try:
        assert entry.run() == 0
        pipe.flush()
        assert raw.getvalue().decode("utf-8").strip() == '{"product": "Лоферы Chanel", "note": "өлшемі 38 бар"}'
    finally:
        monkeypatch.undo()
