"""What forwarding a customer's media to a Telegram operator costs (issue 15), over loopback.

    .venv/bin/python bench/telegram_media.py [--rounds 30] [--latency-ms 0]

Each round forwards through `services/telegram/forward.Forwarder`, against the Telegram
Bot API sandbox and the GREEN-API sandbox (its downloadUrl):
1. baseline: the customer's words as a text (sendMessage);
2. a WhatsApp customer's 1 MB photo: downloaded from GREEN-API's downloadUrl, uploaded with
   sendPhoto;
3. a Telegram customer's voice note: re-sent by file_id (sendVoice, nothing downloaded).
Prints the median and P90 per kind and each one's ratio to the baseline measured in the
same run. `--latency-ms` gives both sandboxes a round trip per call (± a third as jitter).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Awaitable, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox  # noqa: E402
from ottenok_desktop.services.media.fetch import HttpMediaFetcher  # noqa: E402
from ottenok_desktop.services.telegram.client import TelegramApi, import_aiogram  # noqa: E402
from ottenok_desktop.services.telegram.forward import MAX_BYTES, Forwarder, Inbound  # noqa: E402
from ottenok_desktop.services.telegram.sandbox import TelegramSandbox  # noqa: E402
from ottenok_desktop.settings import Secret  # noqa: E402

OPERATOR = 801
CUSTOMER = 5550003030


async def timed(rounds: int, call: Callable[[], Awaitable[bool]]) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        assert await call()
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float], baseline: float) -> None:
    median = statistics.median(times)
    p90 = sorted(times)[int(len(times) * 0.9) - 1]
    print(f"{name:<38} median {median * 1000:7.1f} ms  p90 {p90 * 1000:7.1f} ms  x{median / baseline:5.1f} of text")


async def main(rounds: int, latency_ms: float) -> None:
    await import_aiogram()
    tg = TelegramSandbox(latency_ms=latency_ms, jitter_ms=latency_ms / 3)
    wa = GreenApiSandbox(latency_ms=latency_ms, jitter_ms=latency_ms / 3)
    await tg.start()
    await wa.start()
    tg.add_user(OPERATOR, "Ксения")
    api = await TelegramApi(tg.api_url, Secret(tg.token), request_timeout=30).open()
    fetcher = HttpMediaFetcher(max_bytes=MAX_BYTES)
    forwarder = Forwarder(api, fetcher)
    try:
        photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4096  # ~1 MB
        wa.inject_file("77015553030@c.us", photo, "IMG-1.jpg", "вот брак", "Гульнара")
        url = json.loads(wa.queued_bodies()[-1])["messageData"]["fileMessageData"]["downloadUrl"]
        tg.write(CUSTOMER, voice=b"OggS" + b"\x01" * 40_000)
        voice_id = next(iter(tg.files))
        text = Inbound("Здравствуйте, подошва отклеилась через неделю", "text")
        wa_photo = Inbound("📷 Фото\nвот брак", "image", url, "IMG-1.jpg")
        tg_voice = Inbound("🎤 Голосовое сообщение", "audio", f"tg-file:{voice_id}")
        line = "💬 Гульнара: вот брак"
        await forwarder.message(OPERATOR, line, text)  # warm-up: connections, aiogram's models
        base = await timed(rounds, lambda: forwarder.message(OPERATOR, line, text))
        photos = await timed(rounds, lambda: forwarder.message(OPERATOR, line, wa_photo))
        voices = await timed(rounds, lambda: forwarder.message(OPERATOR, line, tg_voice))
        kinds = [m.kind for m in tg.sent_to(OPERATOR)]
        assert kinds.count("photo") == rounds and kinds.count("voice") == rounds, kinds
        baseline = statistics.median(base)
        print(f"{rounds} rounds each, sandbox round trip {latency_ms:.0f} ms")
        report("text (baseline, sendMessage)", base, baseline)
        report("WhatsApp 1 MB photo (download+upload)", photos, baseline)
        report("Telegram voice by file_id", voices, baseline)
    finally:
        await fetcher.aclose()
        await api.aclose()
        await tg.stop()
        await wa.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.latency_ms))
