"""Test responders for the channel tests and the channel benchmark."""

from __future__ import annotations

import asyncio

from ottenok_desktop.engine.turns import OutgoingPart, Reply, Turn


class EchoResponder:
    """Answers every turn with one text that quotes the customer's messages."""

    def __init__(self, prefix: str = "Ответ: ", delay: float = 0.0) -> None:
        self.prefix = prefix
        self.delay = delay
        self.turns: list[Turn] = []

    async def respond(self, turn: Turn) -> Reply:
        self.turns.append(turn)
        if self.delay:
            await asyncio.sleep(self.delay)
        return Reply(parts=(OutgoingPart(text=f"{self.prefix}{turn.text}"),))
