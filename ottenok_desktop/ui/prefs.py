"""The console's own preferences (the manager's name, quick replies), in the data dir.

Kept apart from `settings.json`: these are per-seat UI choices, not engine settings.
"""

from __future__ import annotations

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


@dataclass
class ConsolePrefs:
    path: Path
    manager_name: str = S.DEFAULT_MANAGER_NAME
    quick_replies: list[QuickReply] = field(default_factory=list)

    @classmethod
    def load(cls, data_dir: Path) -> "ConsolePrefs":
        path = data_dir / PREFS_FILE
        prefs = cls(path=path, quick_replies=[QuickReply(*item) for item in S.DEFAULT_QUICK_REPLIES])
        if not path.is_file():
            return prefs
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            prefs.manager_name = str(raw.get("manager_name") or prefs.manager_name)
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
        data = {"manager_name": self.manager_name, "quick_replies": [asdict(q) for q in self.quick_replies]}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)
