"""Manager WhatsApp commands: `/handoff on|off|status <phone>` (parsing and access, pure).

Only numbers listed in `MANAGER_NUMBERS` may use them; phones are compared by digits
with the Kazakh trunk prefix folded (8 701 … == +7 701 …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

_COMMAND = re.compile(r"^\s*/handoff\b\s*(\S+)?\s*(.*)$", re.IGNORECASE)
ACTIONS = ("on", "off", "status")


@dataclass(frozen=True)
class ManagerCommand:
    action: str  # on | off | status | "" (malformed)
    phone: str  # normalised digits, "" when missing


def normalize_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    if len(digits) == 10:
        digits = "7" + digits
    return digits


def is_command(text: str) -> bool:
    return bool(_COMMAND.match(text or ""))


def parse_command(text: str) -> ManagerCommand | None:
    match = _COMMAND.match(text or "")
    if not match:
        return None
    action = (match.group(1) or "").lower()
    phone = normalize_phone(match.group(2) or "")
    if action not in ACTIONS or not phone:
        return ManagerCommand("", phone)
    return ManagerCommand(action, phone)


def is_manager(phone: str, manager_numbers: Iterable[str]) -> bool:
    mine = normalize_phone(phone)
    return bool(mine) and any(normalize_phone(n) == mine for n in manager_numbers if n)


def chat_id_for(phone: str) -> str:
    return f"{phone}@c.us"
