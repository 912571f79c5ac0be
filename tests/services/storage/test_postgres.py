"""PostgreSQL specifics on a real server: seats starting at once migrate once, a dropped
connection is replaced, the password never shows."""

from __future__ import annotations

import threading

import psycopg
import pytest

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage.migrations import MIGRATIONS
from ottenok_desktop.services.storage.models import Chat, SchemaVersion
from ottenok_desktop.services.storage.urls import redact_url, url_password
from ottenok_desktop.settings import SettingsError, load_settings


def test_seats_starting_together_migrate_an_empty_database_once(empty_postgres_url: str) -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []
    opened: list[Database] = []

    def seat() -> None:
        barrier.wait()
        try:
            opened.append(Database(empty_postgres_url).open_sync())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=seat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    versions = opened[0].call_sync(lambda: [row.version for row in SchemaVersion.select()])
    for db in opened:
        db.close_sync()
    assert versions == [number for number, _, _ in MIGRATIONS]


def test_a_dropped_connection_is_replaced_before_the_next_job(postgres_url: str) -> None:
    db = Database(postgres_url, application_name="seat-under-test").open_sync()
    db.call_sync(lambda: Chat.select().count())
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'seat-under-test'"
        ).fetchall()
    assert killed == [(True,)]
    with pytest.raises(Exception):
        db.call_sync(lambda: Chat.select().count())  # the job that meets the cut gets the error
    assert db.call_sync(lambda: Chat.select().count()) == 0  # the next one runs on a new connection
    db.close_sync()


def test_the_password_never_shows(postgres_url: str) -> None:
    url = "postgresql://ottenok:S3cr%40t-pass@192.168.1.10:5432/ottenok"
    assert redact_url(url) == "postgresql://ottenok:***@192.168.1.10:5432/ottenok"
    assert url_password(url) == "S3cr%40t-pass"
    assert "S3cr" not in redact_url("postgresql://192.168.1.10/ottenok?user=ottenok&password=S3cr3t")
    assert Database(postgres_url).describe() == postgres_url  # no password in the test URL


def test_database_url_setting_is_checked_and_secret(tmp_path) -> None:
    settings = load_settings(data_dir=tmp_path, environ={"DATABASE_URL": "postgresql://ottenok:pw12345@db:5432/ottenok"},
                             env_file=tmp_path / "none.env")
    assert settings.database_target == "postgresql://ottenok:pw12345@db:5432/ottenok"
    assert "pw12345" not in repr(settings)
    with pytest.raises(SettingsError) as caught:
        load_settings(data_dir=tmp_path, environ={"DATABASE_URL": "mysql://root:pw12345@db/ottenok"},
                      env_file=tmp_path / "none.env")
    assert "pw12345" not in str(caught.value) and "DATABASE_URL" in str(caught.value)
    assert load_settings(data_dir=tmp_path, environ={}, env_file=tmp_path / "none.env").database_target == (
        tmp_path.resolve() / "ottenok.sqlite3")


def test_seat_settings_are_checked(tmp_path) -> None:
    def load(**environ: str):
        return load_settings(data_dir=tmp_path, environ=environ, env_file=tmp_path / "none.env")

    settings = load(OTTENOK_SEAT_ID="kassa", OTTENOK_SEAT_NAME="Айгерим", OTTENOK_SEAT_ROLE="console-only",
                    OTTENOK_LEASE_SECONDS="6")
    assert (settings.seat_id, settings.seat_name, settings.seat_role, settings.lease_seconds) == (
        "kassa", "Айгерим", "console-only", 6.0)
    assert load().lease_seconds == 10.0 and load().seat_role == "leader-capable"
    with pytest.raises(SettingsError, match="OTTENOK_SEAT_ROLE"):
        load(OTTENOK_SEAT_ROLE="boss")
    with pytest.raises(SettingsError, match="OTTENOK_LEASE_SECONDS"):
        load(OTTENOK_LEASE_SECONDS="1")
