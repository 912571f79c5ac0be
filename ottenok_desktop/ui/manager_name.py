"""On a seat's first start the console asks the manager's name (offering the OS user name):
every take-over, message, ticket action and order edit records it, and the owner's figures
per manager are read from it. Not modal in the blocking sense: the dialog is opened and
its answer saved when given, so the event loop (and the bot) keeps running meanwhile."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QWidget

from . import strings as S
from .context import Context


def ask_name_if_unknown(ctx: Context, parent: QWidget) -> QInputDialog | None:
    """Open the name dialog when this seat has no confirmed name; returns it (tests answer it)."""
    if ctx.prefs.name_confirmed:
        return None
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(S.MANAGER_NAME_TITLE)
    dialog.setLabelText(S.MANAGER_NAME_PROMPT)
    dialog.setTextValue(ctx.prefs.manager_name)

    def on_accepted() -> None:
        name = " ".join(dialog.textValue().split())[:100] or ctx.prefs.manager_name
        ctx.prefs.manager_name = name
        ctx.prefs.name_confirmed = True
        ctx.prefs.save()
        ctx.manager_changed.emit(name)

    dialog.accepted.connect(on_accepted)
    dialog.open()
    return dialog
