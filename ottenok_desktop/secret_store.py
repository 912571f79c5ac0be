"""Tokens, keys and passwords in the operating system's credential store, not in settings.json.

The console's settings dialog used to write secrets (the names in `settings.SECRET_NAMES`)
in plain text into `settings.json` in the user's app data folder, where anyone at that
Windows account, or any backup of the folder, could read them. Now they go to the OS
credential store through `keyring` (Windows Credential Manager; macOS Keychain; the Secret
Service on Linux desktops), one entry per secret and data dir: service
"Ottenok Desktop (<data dir>)", user name = the setting's name.

Where there is no usable store (a headless server, CI: keyring's fail/null backends, or a
locked/absent Secret Service), nothing breaks: secrets come from the environment or a
`.env` file as before, and a secret typed in the dialog stays in settings.json (the log
says so, without the value). `PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring` turns
the store off on purpose.

Precedence is unchanged: the store takes the place settings.json had (defaults < store or
settings.json < .env in the data dir < .env in the current dir < environment).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path
from typing import Iterable, Mapping, Protocol

log = logging.getLogger(__name__)

SERVICE_PREFIX = "Ottenok Desktop"


class KeyringBackend(Protocol):
    """The part of `keyring.backend.KeyringBackend` this module uses."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...

    def delete_password(self, service: str, username: str) -> None: ...


@functools.lru_cache(maxsize=1)
def _default_backend() -> KeyringBackend | None:
    """The OS store, or None when keyring is missing or only has its fail/null backends.
    Resolved once per process: keyring's import and its probing of every backend cost
    about a second on a busy Linux machine, so a Linux server without a D-Bus session
    (where no Secret Service can exist) skips it, and Windows goes straight to the vault."""
    core = sys.modules.get("keyring.core")
    chosen = getattr(core, "_keyring_backend", None) if core is not None else None  # keyring.set_keyring()
    if chosen is None and not os.environ.get("PYTHON_KEYRING_BACKEND"):
        if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            return None
    try:
        import keyring
        from keyring.backends import fail, null
    except ImportError:
        return None
    try:
        if chosen is None and sys.platform == "win32" and not os.environ.get("PYTHON_KEYRING_BACKEND"):
            from keyring.backends.Windows import WinVaultKeyring

            backend = WinVaultKeyring()
        else:
            backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend must not stop the start
        log.warning("credential store unavailable (%s); secrets come from the environment/.env", type(exc).__name__)
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return None
    inner = getattr(backend, "backends", None)  # the chainer: usable only with something inside
    if inner is not None and not inner:
        return None
    return backend


class SecretStore:
    """Secrets of one data dir in the OS credential store. Every call survives a store that
    fails (locked keyring, no D-Bus): it then behaves as an empty, read-only store."""

    def __init__(self, data_dir: Path, backend: KeyringBackend | None = None, *, use_default: bool = True) -> None:
        self.service = f"{SERVICE_PREFIX} ({Path(data_dir)})"
        self._backend = backend if backend is not None or not use_default else _default_backend()

    @property
    def available(self) -> bool:
        return self._backend is not None

    def get(self, name: str) -> str | None:
        if self._backend is None:
            return None
        try:
            return self._backend.get_password(self.service, name)
        except Exception as exc:
            log.warning("reading %s from the credential store failed (%s)", name, type(exc).__name__)
            return None

    def set(self, name: str, value: str) -> bool:
        """Store (an empty value deletes); True when the store now holds it."""
        if self._backend is None:
            return False
        try:
            if value:
                self._backend.set_password(self.service, name, value)
            else:
                self.delete(name)
            return True
        except Exception as exc:
            log.warning("writing %s to the credential store failed (%s)", name, type(exc).__name__)
            return False

    def delete(self, name: str) -> None:
        if self._backend is None:
            return
        try:
            if self._backend.get_password(self.service, name) is not None:
                self._backend.delete_password(self.service, name)
        except Exception as exc:
            log.warning("deleting %s from the credential store failed (%s)", name, type(exc).__name__)

    def read_all(self, names: Iterable[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for name in names:
            value = self.get(name)
            if value:
                found[name] = value
        return found


def _rewrite_without(path: Path, names: set[str]) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    kept = {k: v for k, v in raw.items() if k not in names}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def move_plaintext_secrets(settings_file: Path, file_values: Mapping[str, str], store: SecretStore,
                           secret_names: Iterable[str]) -> list[str]:
    """Move secrets found in settings.json into the store and take them out of the file.
    A secret stays in the file if the store cannot take it. Returns the names moved."""
    if not store.available:
        return []
    moved: list[str] = []
    for name in secret_names:
        if name not in file_values:
            continue
        value = file_values[name].strip()
        if not value or store.set(name, value):
            moved.append(name)
    if moved:
        _rewrite_without(settings_file, set(moved))
        log.info("moved %s from %s into the credential store", ", ".join(sorted(moved)), settings_file.name)
    return moved


def save_secrets(store: SecretStore, values: Mapping[str, str], secret_names: Iterable[str]) -> set[str]:
    """Put the dialog's secrets into the store; returns the names the store took
    (the rest must go to settings.json, as before)."""
    taken: set[str] = set()
    for name in secret_names:
        if name in values and store.set(name, values[name].strip()):
            taken.add(name)
    left = [n for n in secret_names if n in values and n not in taken]
    if left:
        log.warning("no usable credential store: %s saved in settings.json (set them in the environment or .env "
                    "on a server)", ", ".join(sorted(left)))
    return taken
