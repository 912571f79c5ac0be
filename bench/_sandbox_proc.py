"""Start the GREEN-API sandbox in its own process for benchmarks (so it does not share
the measured process's event loop)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


class SandboxProcess:
    def __init__(self, **options: Any) -> None:
        args = [sys.executable, "-m", "ottenok_desktop.services.greenapi.sandbox"]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        self.proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        info = json.loads(line)
        self.api_url: str = info["api_url"]
        self.instance_id: str = info["instance_id"]
        self.token: str = options.get("token", "sandbox-token")

    def cpu_seconds(self) -> float:
        """CPU (user + system) the sandbox process has used so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def _customers(api_url: str, chats: int, rounds: int, prefix: str) -> dict[str, float]:
    """`chats` customers each write `rounds` messages, each after the previous answer came.
    Runs in its own process so that the customers' HTTP does not load the measured one, on
    one aiohttp session (the lightest client here: this process shares the machine's cores
    with the engine and the sandbox, so its CPU is part of the wall time measured)."""
    import asyncio
    import time

    import aiohttp

    names = [f"{prefix}{i:07d}@c.us" for i in range(chats)]
    replies = {chat: 0 for chat in names}
    changed = {chat: asyncio.Event() for chat in names}

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def sent(after: int, wait: float) -> tuple[int, list[dict[str, Any]]]:
            async with http.get(f"{api_url}/sandbox/sent", params={"after": after, "wait": wait}) as response:
                data = await response.json()
            return int(data["total"]), list(data["messages"])

        async def watch() -> None:
            seen = (await sent(0, 0))[0]
            while True:
                seen, messages = await sent(seen, 2.0)
                for message in messages:
                    if message["chat_id"] in replies:
                        replies[message["chat_id"]] += 1
                        changed[message["chat_id"]].set()

        async def customer(chat: str) -> None:
            for k in range(rounds):
                body = {"chatId": chat, "text": f"вопрос {k}", "senderName": "Клиент"}
                async with http.post(f"{api_url}/sandbox/inject_text", json=body) as response:
                    response.raise_for_status()
                while replies[chat] < k + 1:
                    changed[chat].clear()
                    await changed[chat].wait()

        watcher = asyncio.create_task(watch())
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        await asyncio.gather(*(customer(c) for c in names))
        wall = time.perf_counter() - started
        watcher.cancel()
    return {"wall": wall}


def run_customers(api_url: str, chats: int, rounds: int, prefix: str = "7706") -> dict[str, float]:
    """Start the customers' process and wait for its result (wall time, and its CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "customers", api_url, str(chats), str(rounds), prefix],
        cwd=REPO, stdout=subprocess.PIPE, text=True, check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return result


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "customers":
    import asyncio

    sys.path.insert(0, str(REPO))
    url, n_chats, n_rounds, chat_prefix = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    print(json.dumps(asyncio.run(_customers(url, n_chats, n_rounds, chat_prefix))), flush=True)
