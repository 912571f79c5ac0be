"""Secrets out of plain settings.json: the OS credential store (an in-memory keyring
backend here) holds them; plaintext ones are moved there at the first start; without a
usable store the environment/.env and the old file still work; values never logged."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import keyring
import pytest
from keyring.backends import null

from ottenok_desktop import secret_store
from ottenok_desktop.secret_store import SecretStore
from ottenok_desktop.settings import load_settings, write_settings_file
from tests.fakes.memory_keyring import BrokenKeyring, MemoryKeyring

TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
KEY = "sk-proj-" + "Qw3rTy" * 8


def load(data_dir: Path, environ: dict[str, str] | None = None):
    return load_settings(data_dir=data_dir, environ=environ or {}, env_file=data_dir / "absent.env")


def service(data_dir: Path) -> str:
    return f"Ottenok Desktop ({data_dir})"


def use_backend(backend) -> None:
    keyring.set_keyring(backend)
    secret_store._default_backend.cache_clear()


def write_plain(data_dir: Path, values: dict[str, str]) -> Path:
    path = data_dir / "settings.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def test_plaintext_secrets_move_to_the_store_on_first_start(data_dir: Path, memory_keyring: MemoryKeyring,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    path = write_plain(data_dir, {"GREEN_API_INSTANCE_ID": "1101000001", "GREEN_API_TOKEN": TOKEN,
                                  "OPENAI_API_KEY": KEY, "OPENAI_MODEL": "gpt-4o-mini"})
    with caplog.at_level(logging.DEBUG):
        settings = load(data_dir)
    assert settings.green_api_token.reveal() == TOKEN and settings.openai_api_key.reveal() == KEY
    assert json.loads(path.read_text(encoding="utf-8")) == {"GREEN_API_INSTANCE_ID": "1101000001", "OPENAI_MODEL": "gpt-4o-mini"}
    assert memory_keyring.entries == {(service(data_dir), "GREEN_API_TOKEN"): TOKEN, (service(data_dir), "OPENAI_API_KEY"): KEY}
    assert "moved GREEN_API_TOKEN, OPENAI_API_KEY from settings.json" in caplog.text
    assert TOKEN not in caplog.text and KEY not in caplog.text
    again = load(data_dir)  # the next start reads them from the store
    assert again.green_api_token.reveal() == TOKEN and not again.demo_mode


def test_precedence_store_then_dotenv_then_environment(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(service(data_dir), "GREEN_API_TOKEN", "from-store")
    assert load(data_dir).green_api_token.reveal() == "from-store"
    (data_dir / ".env").write_text("GREEN_API_TOKEN=from-dotenv\n", encoding="utf-8")
    assert load(data_dir).green_api_token.reveal() == "from-dotenv"
    assert load(data_dir, {"GREEN_API_TOKEN": "from-env"}).green_api_token.reveal() == "from-env"


def test_dialog_values_go_to_the_store_and_an_empty_one_deletes(data_dir: Path, memory_keyring: MemoryKeyring) -> None:
    path = write_settings_file(data_dir, {"GREEN_API_TOKEN": TOKEN, "OPENAI_MODEL": "llama3.1"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"OPENAI_MODEL": "llama3.1"}
    assert load(data_dir).green_api_token.reveal() == TOKEN
    write_settings_file(data_dir, {"GREEN_API_TOKEN": ""})
    assert memory_keyring.entries == {} and not load(data_dir).green_api_token


def test_each_data_dir_has_its_own_entries(tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    shop, demo = tmp_path / "shop", tmp_path / "demo"
    write_settings_file(shop, {"GREEN_API_TOKEN": TOKEN})
    write_settings_file(demo, {"GREEN_API_TOKEN": "demo-token"})
    assert load(shop).green_api_token.reveal() == TOKEN and load(demo).green_api_token.reveal() == "demo-token"


@pytest.mark.parametrize("backend", [null.Keyring(), BrokenKeyring()], ids=["no-backend", "locked"])
def test_without_a_usable_store_nothing_is_lost(data_dir: Path, backend, caplog: pytest.LogCaptureFixture) -> None:
    use_backend(backend)
    path = write_plain(data_dir, {"GREEN_API_TOKEN": TOKEN})
    assert load(data_dir).green_api_token.reveal() == TOKEN
    assert json.loads(path.read_text(encoding="utf-8")) == {"GREEN_API_TOKEN": TOKEN}  # kept: nowhere else to go
    with caplog.at_level(logging.DEBUG):
        write_settings_file(data_dir, {"OPENAI_API_KEY": KEY})
    assert json.loads(path.read_text(encoding="utf-8"))["OPENAI_API_KEY"] == KEY
    assert "OPENAI_API_KEY saved in settings.json" in caplog.text and KEY not in caplog.text
    # a headless server: the environment / .env
    (data_dir / ".env").write_text(f"OPENAI_API_KEY={KEY}-env\n", encoding="utf-8")
    assert load(data_dir).openai_api_key.reveal() == KEY + "-env"


def test_fail_backend_counts_as_no_store(data_dir: Path) -> None:
    from keyring.backends import fail

    use_backend(fail.Keyring())
    assert not SecretStore(data_dir).available
    use_backend(MemoryKeyring())
    assert SecretStore(data_dir).available


def _probe(env_changes: dict[str, str | None], data_dir: Path) -> str:
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    for name, value in env_changes.items():
        env.pop(name, None) if value is None else env.__setitem__(name, value)
    code = (
        "import sys\nfrom pathlib import Path\nfrom ottenok_desktop.secret_store import SecretStore\n"
        f"store = SecretStore(Path({str(data_dir)!r}))\n"
        "print(store.available, 'keyring' in sys.modules)\n"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="the D-Bus rule is Linux's")
def test_a_server_without_a_desktop_session_skips_keyring_entirely(data_dir: Path) -> None:
    assert _probe({"DBUS_SESSION_BUS_ADDRESS": None, "PYTHON_KEYRING_BACKEND": None}, data_dir) == "False False"
    chosen = {"DBUS_SESSION_BUS_ADDRESS": None, "PYTHON_KEYRING_BACKEND": "tests.fakes.memory_keyring.MemoryKeyring"}
    assert _probe(chosen, data_dir) == "True True"  # an explicitly chosen backend is always used
    off = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    assert _probe(off, data_dir) == "False True"  # the documented way to turn the store off
