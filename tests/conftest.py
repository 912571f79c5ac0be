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
def database(data_dir: Path):
    from ottenok_desktop.services.storage import Database

    db = Database(data_dir / "test.sqlite3").open_sync()
    yield db
    db.close_sync()
