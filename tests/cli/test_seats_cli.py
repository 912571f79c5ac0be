"""`seats --json` through the real entry point, on SQLite (one seat, trivially the leader)
and on PostgreSQL (the seats sharing it, the leader and the epoch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ottenok_desktop.__main__ import main
from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import lease as repo


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "OTTENOK_SEAT_ID", "OTTENOK_SEAT_NAME", "OTTENOK_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_sqlite_has_one_seat_that_leads(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTTENOK_SEAT_ID", "kassa")
    monkeypatch.setenv("OTTENOK_SEAT_NAME", "Айгерим")
    assert main(["--data-dir", str(tmp_path / "data"), "seats", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["backend"] == "sqlite" and status["single_seat"] and status["leader"] == "kassa"
    assert status["seats"][0]["manager"] == "Айгерим" and status["seats"][0]["leader"]


def test_postgresql_lists_seats_leader_and_epoch(tmp_path: Path, postgres_url: str, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(postgres_url).open_sync()
    db.call_sync(repo.heartbeat, repo.SeatInfo("kassa", "Айгерим", "leader-capable", "KASSA-PC", "k1"), None)
    db.call_sync(repo.heartbeat, repo.SeatInfo("laptop", "Дана", "console-only", "DANA-LAPTOP", "l1"), None)
    db.call_sync(repo.acquire_or_renew, "kassa", "k1", 30)
    db.close_sync()
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    assert main(["--data-dir", str(tmp_path / "data"), "seats", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["backend"] == "postgresql" and status["leader"] == "kassa" and status["epoch"] == 1
    seats = {s["seat_id"]: s for s in status["seats"]}
    assert seats["laptop"]["role"] == "console-only" and seats["laptop"]["online"] and not seats["laptop"]["leader"]
    assert main(["--data-dir", str(tmp_path / "data"), "seats"]) == 0
    text = capsys.readouterr().out
    assert "leader: kassa (epoch 1)" in text and "Дана" in text


def test_an_unreachable_server_is_reported_without_the_password(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.fakes.postgres import free_port

    monkeypatch.setenv("DATABASE_URL", f"postgresql://ottenok:Qwerty-S3cret@127.0.0.1:{free_port()}/ottenok")
    assert main(["--data-dir", str(tmp_path / "data"), "seats", "--json"]) == 1
    captured = capsys.readouterr()
    assert "Qwerty-S3cret" not in captured.out + captured.err and "cannot read the seats" in captured.err
