"""The console's own preferences (the manager's name, quick replies), in the data dir.

Kept apart from `settings.json`: these are per-seat UI choices, not engine settings. The
manager's name is on every take-over, message, ticket action and order edit (the owner's
figures per manager read it), so the console asks for it on first start, offering the
operating system's user name (`name_confirmed` is False until then).
"""

from __future__ import annotations

import getpass
import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import strings as S

log = logging.getLogger(__name__)
PREFS_FILE = "console.json"


@dataclass
class QuickReply:
    title: str
    text: str
    photo: str = ""  # a local image path; sent as a file with the text as caption


def os_user_name() -> str:
    """The Windows / Linux account name as a default manager name ("aigerim" → "Aigerim")."""
    try:
        name = getpass.getuser().strip()
    except (OSError, KeyError, ImportError):  # no user name in the environment (a service account)
        return S.DEFAULT_MANAGER_NAME
    return name[:1].upper() + name[1:] if name and name.lower() not in ("root", "user", "admin") else \
        S.DEFAULT_MANAGER_NAME


@dataclass
class ConsolePrefs:
    path: Path
    manager_name: str = S.DEFAULT_MANAGER_NAME
    quick_replies: list[QuickReply] = field(default_factory=list)
    name_confirmed: bool = False  # the manager has said their name on this seat

    @classmethod
    def load(cls, data_dir: Path) -> "ConsolePrefs":
        path = data_dir / PREFS_FILE
        prefs = cls(path=path, manager_name=os_user_name(),
                    quick_replies=[QuickReply(*item) for item in S.DEFAULT_QUICK_REPLIES])
        if not path.is_file():
            return prefs
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            stored = str(raw.get("manager_name") or "").strip()
            if stored:
                prefs.manager_name, prefs.name_confirmed = stored, True
            if isinstance(raw.get("quick_replies"), list):
                prefs.quick_replies = [
                    QuickReply(str(q.get("title", "")), str(q.get("text", "")), str(q.get("photo", "")))
                    for q in raw["quick_replies"]
                    if isinstance(q, dict)
                ]
        except (OSError, ValueError, AttributeError) as exc:
            # A broken prefs file must not stop the console; keep defaults and say so in the log.
            log.warning("console prefs %s unreadable (%s); using defaults", path, type(exc).__name__)
        return prefs

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"manager_name": self.manager_name if self.name_confirmed else "",
                "quick_replies": [asdict(q) for q in self.quick_replies]}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
