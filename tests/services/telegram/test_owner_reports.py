"""A saved daily report reaches the owner's Telegram chat: its caption, the headline figures
and the chart image from the saved PNG (the text alone when the image cannot be read)."""

from __future__ import annotations

from pathlib import Path

from ottenok_desktop.services.reports.scheduler import SavedReport
from ottenok_desktop.services.telegram.owner import OwnerReportDelivery


class OwnerChat:
    """The Telegram delivery's shape, recording what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes | None]] = []

    async def deliver(self, title: str, text: str, png: bytes | None) -> None:
        self.sent.append((title, text, png))


def _report(tmp_path: Path, png: bytes | None) -> SavedReport:
    png_path = tmp_path / "day.png"
    if png is not None:
        png_path.write_bytes(png)
    return SavedReport("day", "2026-11-29", "Первый ответ: медиана 42 с, P90 3 мин", "Ответы по часам",
                       tmp_path / "day.json", tmp_path / "day.xlsx", png_path)


async def test_the_report_goes_with_its_chart(tmp_path: Path) -> None:
    chat = OwnerChat()
    await OwnerReportDelivery(chat).deliver(_report(tmp_path, b"\x89PNG\r\n\x1a\nchart"))  # type: ignore[arg-type]
    assert chat.sent == [("Ответы по часам", "Первый ответ: медиана 42 с, P90 3 мин", b"\x89PNG\r\n\x1a\nchart")]


async def test_a_missing_chart_still_sends_the_figures(tmp_path: Path) -> None:
    chat = OwnerChat()
    await OwnerReportDelivery(chat).deliver(_report(tmp_path, None))  # type: ignore[arg-type]
    assert chat.sent[0][1].startswith("Первый ответ") and chat.sent[0][2] is None
