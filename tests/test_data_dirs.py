"""The default data dir is on the local disk; data of older versions moves there once, with
a backup (Windows: %APPDATA% → %LOCALAPPDATA%). The two folders are injected here."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from ottenok_desktop import data_dirs
from ottenok_desktop.data_dirs import MOVED_MARKER, MoveOutcome, move_roaming_data
from ottenok_desktop.settings import load_settings, resolve_data_dir

NOW = datetime(2026, 11, 30, 9, 15)


def old_roaming_install(root: Path) -> Path:
    """What version 0.1 left in %APPDATA%\\Ottenok: a database with a WAL, indexes, logs, settings."""
    folder = root / "Roaming" / "Ottenok"
    (folder / "index" / "knowledge").mkdir(parents=True)
    (folder / "logs").mkdir()
    with sqlite3.connect(folder / "ottenok.sqlite3") as conn:
        conn.execute("create table chats (id text, name text)")
        conn.execute("insert into chats values ('77011234567@c.us', 'Айгерим')")
    (folder / "index" / "knowledge" / "data_level0.bin").write_bytes(b"\0" * 4096)
    (folder / "logs" / "ottenok.log").write_text("2026-11-29 INFO started\n", encoding="utf-8")
    (folder / "settings.json").write_text('{"OTTENOK_PERSONA_NAME": "Алина"}', encoding="utf-8")
    return folder


def test_old_roaming_data_moves_to_the_local_disk_once_and_is_kept_as_a_backup(tmp_path: Path) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    result = move_roaming_data(local, roaming, NOW)
    assert result.outcome is MoveOutcome.MOVED
    with sqlite3.connect(local / "ottenok.sqlite3") as conn:
        assert conn.execute("select name from chats").fetchall() == [("Айгерим",)]
    assert (local / "index" / "knowledge" / "data_level0.bin").stat().st_size == 4096
    assert (local / "settings.json").is_file() and (local / "logs" / "ottenok.log").is_file()
    backup = tmp_path / "Roaming" / "Ottenok (moved to local disk 2026-11-30 0915)"
    assert result.backup == backup and (backup / "ottenok.sqlite3").is_file()
    assert not roaming.exists()
    assert not (tmp_path / "Local" / "Ottenok.moving").exists()
    # the next start finds nothing to move and does not touch the local data
    assert move_roaming_data(local, roaming, NOW).outcome is MoveOutcome.NOTHING_THERE
    assert "moved" in result.describe()


def test_a_local_database_wins_and_the_roaming_one_is_left_alone(tmp_path: Path) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    local.mkdir(parents=True)
    (local / "ottenok.sqlite3").write_bytes(b"newer database")
    result = move_roaming_data(local, roaming, NOW)
    assert result.outcome is MoveOutcome.LOCAL_IN_USE
    assert (local / "ottenok.sqlite3").read_bytes() == b"newer database"
    assert (roaming / "ottenok.sqlite3").is_file()


def test_a_local_folder_with_only_logs_is_merged_into(tmp_path: Path) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    (local / "logs").mkdir(parents=True)
    (local / "logs" / "crash.log").write_text("earlier crash\n", encoding="utf-8")
    assert move_roaming_data(local, roaming, NOW).outcome is MoveOutcome.MOVED
    assert (local / "ottenok.sqlite3").is_file() and (local / "logs" / "crash.log").is_file()


def test_a_failed_copy_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"

    def disk_full(src: Path, dst: Path, **_kwargs: object) -> None:
        Path(dst).mkdir(parents=True)
        (Path(dst) / "ottenok.sqlite3").write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(data_dirs.shutil, "copytree", disk_full)
    result = move_roaming_data(local, roaming, NOW)
    assert result.outcome is MoveOutcome.FAILED and "No space left" in result.detail
    assert (roaming / "ottenok.sqlite3").is_file() and not (roaming / MOVED_MARKER).exists()
    assert not (tmp_path / "Local" / "Ottenok.moving").exists() and not local.exists()


def test_when_the_old_folder_cannot_be_renamed_it_is_marked_and_not_moved_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    real_replace = data_dirs.os.replace

    def locked(src: object, dst: object) -> None:
        if Path(str(src)) == roaming:
            raise PermissionError(13, "[WinError 32] used by another process")
        real_replace(src, dst)

    monkeypatch.setattr(data_dirs.os, "replace", locked)
    result = move_roaming_data(local, roaming, NOW)
    assert result.outcome is MoveOutcome.MOVED and (roaming / MOVED_MARKER).is_file()
    (local / "ottenok.sqlite3").unlink()  # even if the local database goes away later...
    assert move_roaming_data(local, roaming, NOW).outcome is MoveOutcome.ALREADY_MOVED  # ...no second move


def test_one_folder_on_linux_means_nothing_to_move(tmp_path: Path) -> None:
    folder = old_roaming_install(tmp_path)
    assert move_roaming_data(folder, folder).outcome is MoveOutcome.SAME_FOLDER
    assert (folder / "ottenok.sqlite3").is_file()


def test_the_default_data_dir_is_the_local_one_and_explicit_dirs_win(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_dirs, "local_data_dir", lambda: tmp_path / "Local" / "Ottenok")
    assert resolve_data_dir(None, {}) == tmp_path / "Local" / "Ottenok"
    assert resolve_data_dir(None, {"OTTENOK_DATA_DIR": str(tmp_path / "env")}) == (tmp_path / "env").resolve()
    assert resolve_data_dir(tmp_path / "cli", {"OTTENOK_DATA_DIR": str(tmp_path / "env")}) == (tmp_path / "cli").resolve()
    settings = load_settings(environ={}, env_file=tmp_path / "no.env")
    assert settings.database_path == tmp_path / "Local" / "Ottenok" / "ottenok.sqlite3"
    assert settings.index_dir.parent == settings.logs_dir.parent == tmp_path / "Local" / "Ottenok"


def test_platformdirs_is_asked_for_the_local_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    calls: list[bool] = []

    def fake(appname: str, appauthor: object = None, roaming: bool = False, **_kw: object) -> str:
        calls.append(roaming)
        return f"/users/Әйгерім/AppData/{'Roaming' if roaming else 'Local'}/{appname}"

    monkeypatch.setattr(platformdirs, "user_data_dir", fake)
    assert data_dirs.local_data_dir() == Path("/users/Әйгерім/AppData/Local/Ottenok")
    assert data_dirs.roaming_data_dir() == Path("/users/Әйгерім/AppData/Roaming/Ottenok")
    assert calls == [False, True]


def test_the_entry_point_moves_only_without_an_explicit_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ottenok_desktop import __main__ as entry

    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    monkeypatch.setattr(data_dirs, "local_data_dir", lambda: local)
    monkeypatch.setattr(data_dirs, "roaming_data_dir", lambda: roaming)
    monkeypatch.setenv("OTTENOK_DATA_DIR", str(tmp_path / "explicit"))
    assert entry._move_roaming_data_once(None) is None and roaming.exists()
    monkeypatch.delenv("OTTENOK_DATA_DIR")
    assert entry._move_roaming_data_once(str(tmp_path / "cli")) is None and roaming.exists()
    moved = entry._move_roaming_data_once(None)
    assert moved is not None and moved.outcome is MoveOutcome.MOVED and (local / "ottenok.sqlite3").is_file()


def test_a_failed_copy_leaves_an_existing_local_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    (local / "logs").mkdir(parents=True)
    (local / "logs" / "ottenok.log").write_text("self-test before the move\n", encoding="utf-8")
    real_copytree = data_dirs.shutil.copytree

    def breaks_halfway(src: Path, dst: Path, **kwargs: object) -> object:
        if Path(src) == roaming:
            Path(dst).mkdir(parents=True)
            (Path(dst) / "ottenok.sqlite3").write_bytes(b"half a database")
            raise OSError(5, "Input/output error")
        return real_copytree(src, dst, **kwargs)

    monkeypatch.setattr(data_dirs.shutil, "copytree", breaks_halfway)
    assert move_roaming_data(local, roaming, NOW).outcome is MoveOutcome.FAILED
    assert sorted(p.name for p in local.rglob("*")) == ["logs", "ottenok.log"]  # no half database
    assert (roaming / "ottenok.sqlite3").is_file()


def test_merging_keeps_the_newer_local_logs(tmp_path: Path) -> None:
    roaming = old_roaming_install(tmp_path)
    local = tmp_path / "Local" / "Ottenok"
    (local / "logs").mkdir(parents=True)
    (local / "logs" / "ottenok.log").write_text("newer local log\n", encoding="utf-8")
    (local / "logs" / "crash.log").write_text("a crash\n", encoding="utf-8")
    assert move_roaming_data(local, roaming, NOW).outcome is MoveOutcome.MOVED
    # the local files are newer; the roaming originals stay in the backup folder
    assert (local / "logs" / "ottenok.log").read_text(encoding="utf-8") == "newer local log\n"
    backup = tmp_path / "Roaming" / "Ottenok (moved to local disk 2026-11-30 0915)"
    assert (backup / "logs" / "ottenok.log").read_text(encoding="utf-8") == "2026-11-29 INFO started\n"
    assert (local / "logs" / "crash.log").read_text(encoding="utf-8") == "a crash\n"
    assert not (tmp_path / "Local" / "Ottenok.before-move").exists()
