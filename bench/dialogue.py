"""Dialogue benchmark: engine overhead per turn beyond the LLM time, LLM calls per turn.

    .venv/bin/python bench/dialogue.py [--dialogues 20] [--llm-latency 0.05]

Runs whole sales dialogues through `SalesResponder` with the real services on the sample
shop (stock file, offline knowledge index, photo folder, SQLite) and a fake
OpenAI-compatible server over loopback that answers after a fixed delay. For each turn:
wall time, time inside the LLM call, and their difference (the engine's own overhead).
Baseline in the same run: the same dialogues in offline mode (no LLM at all).
Goals: overhead p50 ≤ 15 ms; 1 LLM call per turn. Also prints the extraction P/R.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ottenok_desktop.services.llm.client import LlmClient  # noqa: E402
from ottenok_desktop.settings import Secret  # noqa: E402
from tests.engine.dialogue.shop import close_shop, open_shop  # noqa: E402
from tests.fakes.openai_server import FakeOpenAIServer  # noqa: E402

DIALOGUES = [
    ["Здравствуйте, есть лоферы шанель 38?", "черные", "доставка в Астану", "ул. Кенесары 5, кв 12", "да"],
    ["Добрый день! мюли диор 38 черные", "в Шымкент", "улица Байтурсынова 12, кв 3", "да"],
    ["кроссы баленсиага 37 белые есть?", "сколько доставка в Караганду?", "в Караганду", "мкр Юго-Восток 12-45", "да"],
    ["лоферы шанель черные 39?", "а 38?", "в Алматы", "Абая 150, кв 3", "нет, 40", "да"],
    ["туфли версаче есть?", "а ремень гуччи?", "Алматы", "Толе би 59", "да"],
]


class TimedLlm:
    """Wraps the real client and adds up the time spent inside the LLM call."""

    def __init__(self, client: LlmClient) -> None:
        self.client = client
        self.seconds = 0.0
        self.calls = 0

    async def complete_json(self, messages, schema_hint=""):
        started = time.perf_counter()
        try:
            return await self.client.complete_json(messages, schema_hint)
        finally:
            self.seconds += time.perf_counter() - started
            self.calls += 1

    async def close(self) -> None:
        await self.client.close()


def _echo_suggestion(body: dict) -> str:
    facts = "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")
    suggestion = facts.rsplit("Пример ответа по фактам (перескажи своими словами): ", 1)[-1]
    return json.dumps({"reply": suggestion, "fields": {}, "intent": "product"}, ensure_ascii=False)


async def run(dialogues: int, latency: float, with_llm: bool) -> dict[str, float]:
    server = None
    llm = None
    if with_llm:
        server = await FakeOpenAIServer(chat_script=_echo_suggestion, delay=latency).start()
        llm = TimedLlm(LlmClient(Secret("sk-bench"), server.base_url, "gpt-4o", timeout=10, max_retries=0))
    shop = await open_shop(Path(tempfile.mkdtemp(prefix="ottenok-bench-")), llm=llm)
    # warm up: imports, first stock query, first knowledge search, the HTTP connection
    await shop.say("77000000000", "лоферы шанель 38")
    overheads: list[float] = []
    totals: list[float] = []
    turns = 0
    calls_before = llm.calls if llm else 0
    for n in range(dialogues):
        script = DIALOGUES[n % len(DIALOGUES)]
        phone = f"7701{n:07d}"
        for text in script:
            llm_before = llm.seconds if llm else 0.0
            started = time.perf_counter()
            await shop.say(phone, text)
            total = time.perf_counter() - started
            inside = (llm.seconds - llm_before) if llm else 0.0
            totals.append(total * 1000)
            overheads.append((total - inside) * 1000)
            turns += 1
    calls = (llm.calls - calls_before) if llm else 0
    await close_shop(shop)
    if server is not None:
        await server.stop()
    quantiles = statistics.quantiles(overheads, n=20)
    return {"turns": turns, "p50": statistics.median(overheads), "p95": quantiles[18],
            "total_p50": statistics.median(totals), "calls_per_turn": calls / turns if turns else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dialogues", type=int, default=20)
    parser.add_argument("--llm-latency", type=float, default=0.05, help="seconds the fake LLM waits")
    args = parser.parse_args()
    offline = asyncio.run(run(args.dialogues, 0.0, with_llm=False))
    online = asyncio.run(run(args.dialogues, args.llm_latency, with_llm=True))
    print(f"turns per mode: {online['turns']}; fake LLM latency {args.llm_latency * 1000:.0f} ms")
    print(f"LLM mode:     engine overhead p50 {online['p50']:.1f} ms, p95 {online['p95']:.1f} ms "
          f"(turn p50 {online['total_p50']:.1f} ms); LLM calls per turn {online['calls_per_turn']:.2f}  "
          f"[goal p50 ≤ 15 ms: {'ok' if online['p50'] <= 15 else 'MISSED'}; goal 1 call: "
          f"{'ok' if online['calls_per_turn'] <= 1.0 else 'MISSED'}]")
    print(f"offline mode (baseline): turn p50 {offline['p50']:.1f} ms, p95 {offline['p95']:.1f} ms; "
          f"LLM-mode overhead / offline turn = {online['p50'] / offline['p50']:.2f}×")
    print()
    subprocess.run([sys.executable, str(ROOT / "bench" / "extraction.py")], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
