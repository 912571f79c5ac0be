"""Shared fixtures: paths to the shared fixtures, a fresh data dir, settings, a database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"


@pytest.fixture
def shared_fixtures() -> Path:
    if not SHARED_FIXTURES.is_dir():
        pytest.fail(f"shared fixtures not found at {SHARED_FIXTURES}")
    return SHARED_FIXTURES


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def settings(data_dir: Path):
    from ottenok_desktop.settings import load_settings

    return load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "no.env")


@pytest.fixture
def executor():
    """A worker pool for services that run blocking work off the loop."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=2)
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the whole run (tests/fakes/postgres.py), started on
    first use, with a migrated template database copied for each test."""
    from tests.fakes.postgres import PostgresServer

    server = PostgresServer().start()
    try:
        server.execute('CREATE DATABASE "ottenok_template"')
        from ottenok_desktop.services.storage import Database

        Database(server.url("ottenok_template")).open_sync().close_sync()  # the current schema
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, migrated PostgreSQL database of its own for one test."""
    url = postgres_server.create_database("ottenok_template")
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def empty_postgres_url(postgres_server) -> str:
    """A fresh PostgreSQL database with no tables at all."""
    url = postgres_server.create_database("template0")
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def db_backend() -> str:
    """Which database `database` opens. Storage contract tests parametrize it
    (`pytest.mark.parametrize("db_backend", BACKENDS)`, tests/fakes/postgres.py) to run on both."""
    return "sqlite"


@pytest.fixture
def database(data_dir: Path, db_backend: str, request: pytest.FixtureRequest):
    from ottenok_desktop.services.storage import Database

    target = request.getfixturevalue("postgres_url") if db_backend == "postgresql" else data_dir / "test.sqlite3"
    db = Database(target).open_sync()
    yield db
    db.close_sync()


@pytest.fixture(autouse=True)
def _restore_logging():
    """Entry points (CLI `main()`) configure logging for the whole process; undo it after
    each test so one test's configuration never hides another test's log records."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: lg.level for name, lg in logging.root.manager.loggerDict.items() if isinstance(lg, logging.Logger)}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, lg in logging.root.manager.loggerDict.items():
        if isinstance(lg, logging.Logger):
            lg.setLevel(levels.get(name, logging.NOTSET))


@pytest.fixture(autouse=True)
def memory_keyring():
    """Every test gets an empty in-memory credential store: no test reads or writes the
    real OS store (Windows Credential Manager, a desktop's Secret Service)."""
    import keyring

    from ottenok_desktop import secret_store
    from tests.fakes.memory_keyring import MemoryKeyring

    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    secret_store._default_backend.cache_clear()
    yield store
    keyring.set_keyring(previous)
    secret_store._default_backend.cache_clear()
