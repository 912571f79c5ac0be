"""Partners (stylists, partner boutiques) as rules: who is one, by the phone the chat comes
from or by a typed code, and the partner price. Pure; the file is read in services/partners/.

A wrong code is refused politely; after `MAX_CODE_TRIES` wrong codes the chat is not looked
up any more (no probing for valid codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon.text import normalize

MAX_CODE_TRIES = 3

# «мой код партнёра 7741», «код партнера: AB-12», «партнерский код 7741», «я партнёр, код 7741»
_CODE = re.compile(r"(код\w*\s+партнер\w*|партнер\w*\s+код\w*|партнер\w*[,.]?\s+(мой\s+)?код)\s*[:№#-]?\s*"
                   r"([a-zа-я]{0,4}-?\d{2,10})")


def typed_code(text: str) -> str | None:
    """The partner code the customer typed, or None when they typed none."""
    match = _CODE.search(normalize(text))
    return match.group(3).upper() if match else None


def phone_key(phone: str) -> str:
    """Digits only, 8XXXXXXXXXX → 7XXXXXXXXXX (Kazakh numbers written the local way)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits.startswith("8"):
        digits = "7" + digits[1:]
    return digits


@dataclass(frozen=True)
class Partner:
    code: str
    phone: str  # digits
    name: str
    percent: int
    row: int = 0


def partner_price(price: int, partner: Partner) -> int:
    return int(round(price * (100 - partner.percent) / 100))


@dataclass(frozen=True)
class PartnerBook:
    partners: tuple[Partner, ...] = ()
    _by_phone: dict[str, Partner] = field(default_factory=dict, compare=False, repr=False)
    _by_code: dict[str, Partner] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for partner in self.partners:
            if partner.phone:
                self._by_phone.setdefault(partner.phone, partner)
            self._by_code.setdefault(partner.code.upper(), partner)

    def by_phone(self, phone: str) -> Partner | None:
        return self._by_phone.get(phone_key(phone)) if phone else None

    def by_code(self, code: str) -> Partner | None:
        return self._by_code.get(code.strip().upper())
