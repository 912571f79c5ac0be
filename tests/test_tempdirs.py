"""Removing the self-test's temporary folder never raises (Windows: WinError 32)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ottenok_desktop.tempdirs import remove_tree_quietly


def make_tree(root: Path) -> Path:
    folder = root / "ottenok-selftest-x"
    (folder / "index").mkdir(parents=True)
    (folder / "index" / "chroma.sqlite3").write_bytes(b"db")
    return folder


def test_a_tree_is_removed(tmp_path: Path) -> None:
    folder = make_tree(tmp_path)
    assert remove_tree_quietly(folder) is True and not folder.exists()
    assert remove_tree_quietly(folder) is True  # already gone is fine


def test_a_file_still_held_is_retried_then_removed(tmp_path: Path) -> None:
    import shutil

    folder = make_tree(tmp_path)
    attempts: list[int] = []

    def held_twice(path: Path) -> None:
        attempts.append(1)
        if len(attempts) < 3:
            raise PermissionError(13, "[WinError 32] The process cannot access the file", "chroma.sqlite3")
        shutil.rmtree(path)

    sleeps: list[float] = []
    assert remove_tree_quietly(folder, rmtree=held_twice, sleep=sleeps.append) is True
    assert len(attempts) == 3 and sleeps == [0.2, 0.4] and not folder.exists()


def test_a_file_held_for_good_is_left_behind_with_a_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = make_tree(tmp_path)

    def always_held(_path: Path) -> None:
        raise PermissionError(13, "[WinError 32] The process cannot access the file", "chroma.sqlite3")

    assert remove_tree_quietly(folder, attempts=3, rmtree=always_held, sleep=lambda _s: None) is False
    assert folder.exists()
    assert any("could not remove the temporary folder" in r.getMessage() for r in caplog.records)
