"""Start-up with a damaged database file: say what happened and offer the newest backup.

Called before the engine is built (`run_gui`). The message box names the file, what is
wrong with it and the newest sound backup; «Восстановить из копии» moves the damaged file
aside (never overwritten or deleted) and copies the backup in, then the start goes on.
Without a backup (or on «Выйти») the program ends with `EXIT_DAMAGED`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QAbstractButton, QMessageBox

from ..services.storage.integrity import Damage, inspect_database, restore_backup
from . import strings as S

log = logging.getLogger(__name__)


def damage_text(damage: Damage) -> str:
    text = S.DB_DAMAGED_TEXT.format(what=S.DB_DAMAGED_WHAT[damage.code], path=damage.path)
    if damage.backup is None:
        return text + S.DB_DAMAGED_NO_BACKUP
    when = datetime.fromtimestamp(damage.backup.stat().st_mtime).strftime("%d.%m.%Y %H:%M")
    return text + S.DB_DAMAGED_BACKUP.format(backup=damage.backup.name, when=when, aside=f"{damage.path.name}.damaged-")


def build_box(damage: Damage) -> tuple[QMessageBox, QAbstractButton | None]:
    """The question box and its restore button (None when there is nothing to restore)."""
    box = QMessageBox(QMessageBox.Icon.Critical, S.DB_DAMAGED_TITLE, damage_text(damage))
    restore = box.addButton(S.DB_RESTORE, QMessageBox.ButtonRole.AcceptRole) if damage.backup else None
    quit_button = box.addButton(S.DB_QUIT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore or quit_button)  # type: ignore[arg-type]
    box.setEscapeButton(quit_button)
    return box, restore


def offer_restore(damage: Damage, run_box: Callable[[QMessageBox], object] = QMessageBox.exec) -> bool:
    """Ask; True when the backup was put in place and the start may go on."""
    box, restore = build_box(damage)
    run_box(box)
    if restore is None or box.clickedButton() is not restore or damage.backup is None:
        log.error("database damaged, not restored; the program stops")
        return False
    try:
        aside = restore_backup(damage.path, damage.backup)
    except OSError as exc:
        log.exception("restoring the database backup failed")
        QMessageBox.critical(None, S.DB_DAMAGED_TITLE, S.DB_RESTORE_FAILED.format(reason=exc))
        return False
    log.warning("database restored from %s by the manager; damaged file kept as %s", damage.backup.name, aside)
    return True


def database_ready(database_path: Path, run_box: Callable[[QMessageBox], object] = QMessageBox.exec) -> bool:
    """True when the database can be opened (sound, new, or just restored from a backup)."""
    damage = inspect_database(database_path)
    if damage is None:
        return True
    log.error("%s", damage.message_en())
    return offer_restore(damage, run_box)
