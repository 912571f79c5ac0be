"""Dialogue benchmark: scripted multi-turn customer conversations through the real engine.

Each conversation in bench/data/dialogues/*.json is written from the sample shop's data
(data/inventory.xlsx, data/knowledge_base, the photo folders) the way Almaty customers
write, to what a good shop assistant must do — not to fit the current code. Every turn has
`must` patterns (facts that must appear: the stock price as the shop writes it, a size
list, the answer to each question) and `must_not` patterns (a wrong price, «оформлен» too
early, a second greeting, «В какой город» while a question is pending…); the end has the
expected order (state and fields) or null, the ticket (kind, status) or null, and whether
the chat was handed to a person (`handoff`: the chat's owner is a manager or it waits for one).

The engine is the one `bootstrap.build_engine` makes (offline «Алина», real stock file,
knowledge index, photos, SQLite) against the GREEN-API sandbox over loopback; the runner
writes as the customer through the sandbox and reads what the shop sent back. All
conversations run concurrently in one engine (one chat each). The stock file is the
sample's with every positive quantity raised to 50 (zeros stay zero), so conversations
that buy the same pair do not sell each other out. `--llm` points the engine at the fake
OpenAI-compatible server (tests/fakes/openai_server.py) that rephrases the engine's facts.

Checks applied to every turn besides the script's own:
- after the first turn no second greeting («Здравствуйте», «Меня зовут Алина»);
- every amount of ≥ 10 000 ₸ the shop writes is a stock price or an amount the shop's
  documents state (no invented price or discount).

Run: `.venv/bin/python bench/dialogues.py [--llm] [--only NAME] [--set dev|held-out|written-last]
[--concurrency 8] [--verbose]`. Prints the share of clean conversations (goal ≥ 0.9) and
every failing check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DIALOGUES = Path(__file__).resolve().parent / "data" / "dialogues"
SAMPLE = ROOT / "data"
GOAL = 0.9
RAISED_QUANTITY = 50
TURN_TIMEOUT = 30.0  # seconds: a turn the engine never finishes is reported as it stands
SETTLE = 0.25  # seconds after the outbox is empty, for the sandbox's list of sent messages
_SPACE = r"[\s\u00a0\u202f]?"
GREETING = re.compile(r"здравствуйте|меня зовут алина|добрый день|доброго времени", re.IGNORECASE)
_AMOUNT = re.compile(r"(\d{1,3}(?:[\s\u00a0\u202f]\d{3})+|\d{4,})\s*(?:₸|тг|тенге)", re.IGNORECASE)


def expand(pattern: str) -> str:
    """`{price:285000}` → the amount as the shop writes it («285 000 ₸», any space kind)."""

    def price(match: re.Match[str]) -> str:
        digits = f"{int(match.group(1)):,}".split(",")
        return _SPACE.join(digits) + r"\s?(?:₸|тг|тенге)"

    return re.sub(r"\{price:(\d+)\}", price, pattern)


@dataclass
class Failure:
    turn: int  # 0 = the end state
    check: str
    detail: str


@dataclass
class Outcome:
    name: str
    part: str
    failures: list[Failure] = field(default_factory=list)
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.failures


def load_dialogues(only: str, part: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(DIALOGUES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for dialogue in data["dialogues"]:
            dialogue["part"] = data.get("part", "dev")
            if only and only not in dialogue["name"]:
                continue
            if part and dialogue["part"] != part:
                continue
            found.append(dialogue)
    names = [d["name"] for d in found]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise SystemExit(f"duplicate dialogue names: {sorted(duplicates)}")
    return found


def prepare_data_dir(target: Path) -> None:
    """The sample shop with positive stock quantities raised (see the module docstring)."""
    from openpyxl import load_workbook

    target.mkdir(parents=True, exist_ok=True)
    book = load_workbook(SAMPLE / "inventory.xlsx")
    sheet = book.active
    headers = [str(c.value or "").strip().lower() for c in sheet[1]]
    qty = next(i for i, h in enumerate(headers) if h.startswith(("колич", "остат", "quantity", "qty")))
    for row in sheet.iter_rows(min_row=2):
        value = row[qty].value
        if isinstance(value, (int, float)) and value > 0:
            row[qty].value = RAISED_QUANTITY
    book.save(target / "inventory.xlsx")
    shutil.copytree(SAMPLE / "knowledge_base", target / "knowledge_base")
    shutil.copytree(SAMPLE / "photos", target / "photos")


def allowed_amounts(data_dir: Path) -> set[int]:
    """Stock prices and every ₸ amount the shop's documents state."""
    from ottenok_desktop.services.inventory.loader import load_stock
    from ottenok_desktop.services.knowledge.sources import discover, read_source

    index = load_stock(data_dir / "inventory.xlsx").index
    amounts = {int(i.price) for i in index.items if i.price}
    for source in discover(data_dir / "knowledge_base"):
        try:
            text = "\n".join(getattr(b, "text", str(b)) for b in read_source(source))
        except Exception:  # a document the index could not read either
            continue
        amounts |= {_amount(m) for m in _AMOUNT.finditer(text)}
        amounts |= {_amount(m) for m in re.finditer(r"(\d{1,3}(?:[\s\u00a0\u202f]\d{3})+)", text)}
    return amounts


def _amount(match: re.Match[str]) -> int:
    return int(re.sub(r"\D", "", match.group(1)))


def check_turn(number: int, turn: dict[str, Any], reply: list[str], allowed: set[int]) -> list[Failure]:
    text = "\n".join(reply)
    failures = []
    if not reply and not turn.get("silent_ok"):
        failures.append(Failure(number, "reply", "the shop did not answer"))
    for pattern in turn.get("must", []):
        if not re.search(expand(pattern), text, re.IGNORECASE | re.DOTALL):
            failures.append(Failure(number, "must", pattern))
    for pattern in turn.get("must_not", []):
        found = re.search(expand(pattern), text, re.IGNORECASE | re.DOTALL)
        if found:
            failures.append(Failure(number, "must_not", f"{pattern}  (found {found.group(0)!r})"))
    if number > 1 and not turn.get("greeting_ok"):
        found = GREETING.search(text)
        if found:
            failures.append(Failure(number, "second greeting", found.group(0)))
    for match in _AMOUNT.finditer(text):
        amount = _amount(match)
        if amount >= 10_000 and amount not in allowed:
            failures.append(Failure(number, "invented amount", match.group(0)))
    return failures


class Runner:
    def __init__(self, engine: Any, allowed: set[int], verbose: bool) -> None:
        self.engine = engine
        self.sandbox = engine.sandbox
        self.allowed = allowed
        self.verbose = verbose

    async def say(self, chat_id: str, text: str, name: str) -> list[str]:
        """Write as the customer; return what the shop sent for this turn.

        The turn is over when the engine has marked the message answered (or skipped: a
        manager owns the chat) and the chat's outbox holds nothing unsent; then a short
        settle for the sandbox's list. A turn that never finishes ends after TURN_TIMEOUT."""
        from ottenok_desktop.services.storage.models import Chat, Message, OutboxItem

        before = len(self.sandbox.sent_to(chat_id))
        external_id = self.sandbox.inject_text(chat_id, text, name)

        def finished() -> bool:
            chat = Chat.get_or_none(Chat.chat_id == chat_id)
            if chat is None:
                return False
            message = Message.get_or_none((Message.chat == chat) & (Message.external_id == external_id))
            if message is None or message.turn_state == "pending":
                return False
            unsent = OutboxItem.select().where((OutboxItem.chat == chat) & OutboxItem.state.in_(("pending", "sending", "unknown"))).count()
            return unsent == 0

        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        while loop.time() < deadline:
            await asyncio.sleep(0.1)
            if await self.engine.db.call(finished):
                break
        await asyncio.sleep(SETTLE)
        return [m.text or f"[file] {m.file_name}" for m in self.sandbox.sent_to(chat_id)[before:]]

    async def run(self, number: int, dialogue: dict[str, Any]) -> Outcome:
        chat_id = f"7701{number:07d}@c.us"
        outcome = Outcome(dialogue["name"], dialogue["part"])
        customer = dialogue.get("customer", "Айгерим")
        for index, turn in enumerate(dialogue["turns"], start=1):
            reply = await self.say(chat_id, turn["say"], customer)
            outcome.transcript.append((turn["say"], reply))
            outcome.failures += check_turn(index, turn, reply, self.allowed)
        await asyncio.sleep(0.3)
        outcome.failures += await self.check_end(chat_id, dialogue.get("expect", {}))
        return outcome

    async def check_end(self, chat_id: str, expect: dict[str, Any]) -> list[Failure]:
        from ottenok_desktop.services.storage.models import Chat, Order, Ticket

        def state() -> dict[str, Any]:
            chat = Chat.get_or_none(Chat.chat_id == chat_id)
            if chat is None:
                return {"order": None, "ticket": None, "owner": None, "handoff": False}
            order = Order.select().where((Order.chat == chat) & (Order.state != "cancelled")).order_by(Order.id.desc()).first()
            ticket = Ticket.select().where(Ticket.chat == chat).order_by(Ticket.id.desc()).first()
            return {
                "order": None if order is None else {
                    "state": order.state, "product": order.product, "size": order.size, "color": order.color,
                    "city": order.city, "address": order.address, "price": int(order.price) if order.price is not None else None,
                },
                "ticket": None if ticket is None else {"kind": ticket.kind, "status": ticket.status},
                "owner": chat.owner,
                "handoff": chat.owner == "manager" or bool(chat.needs_human),
            }

        got = await self.engine.db.call(state)
        failures = []
        if "order" in expect:
            failures += _compare("order", expect["order"], got["order"])
        if "ticket" in expect:
            failures += _compare("ticket", expect["ticket"], got["ticket"])
        if "owner" in expect and got["owner"] != expect["owner"]:
            failures.append(Failure(0, "owner", f"wanted {expect['owner']}, got {got['owner']}"))
        if "handoff" in expect and got["handoff"] != expect["handoff"]:
            failures.append(Failure(0, "handoff", f"wanted {expect['handoff']} (a person serves the chat), got {got['handoff']}"))
        return failures


def _compare(what: str, wanted: dict[str, Any] | None, got: dict[str, Any] | None) -> list[Failure]:
    if wanted is None:
        # a draft the customer never finished is not an order; anything further is
        if got is not None and not (what == "order" and got["state"] == "draft"):
            return [Failure(0, what, f"wanted none, got {got}")]
        return []
    if got is None:
        return [Failure(0, what, f"wanted {wanted}, got none")]
    failures = []
    for key, value in wanted.items():
        actual = got.get(key)
        if isinstance(value, str) and isinstance(actual, str):
            ok = re.fullmatch(value, actual, re.IGNORECASE) is not None
        else:
            ok = actual == value
        if not ok:
            failures.append(Failure(0, f"{what}.{key}", f"wanted {value!r}, got {actual!r}"))
    return failures


def _fake_llm(body: dict[str, Any]) -> str:
    """Says what the engine's facts suggest (the facts are the engine's; the words are the LLM's)."""
    facts = "\n".join(m["content"] for m in body["messages"] if m["role"] == "system")
    marker = "Пример ответа по фактам (перескажи своими словами): "
    suggestion = facts.rsplit(marker, 1)[-1] if marker in facts else "Уточню у менеджера и вернусь с ответом."
    return json.dumps({"reply": suggestion, "fields": {}, "intent": "product"}, ensure_ascii=False)


async def run_all(args: argparse.Namespace) -> list[Outcome]:
    from ottenok_desktop.bootstrap import build_engine
    from ottenok_desktop.services.greenapi.sandbox import GreenApiSandbox
    from ottenok_desktop.settings import load_settings

    dialogues = load_dialogues(args.only, args.set)
    if not dialogues:
        raise SystemExit("no dialogue matches")
    work = Path(tempfile.mkdtemp(prefix="ottenok-dialogues-"))
    server = None
    try:
        data_dir = work / "data"
        prepare_data_dir(data_dir)
        overrides: dict[str, str] = {}
        if args.llm:
            from tests.fakes.openai_server import FakeOpenAIServer

            server = await FakeOpenAIServer(chat_script=_fake_llm).start()
            overrides = {"OPENAI_API_KEY": "fake-key-for-the-fake-server", "OPENAI_BASE_URL": server.base_url, "OPENAI_MODEL": "gpt-4o"}
        settings = load_settings(data_dir=data_dir, environ={}, env_file=data_dir / "none.env", demo=True, overrides=overrides)
        engine = build_engine(settings, sandbox=GreenApiSandbox(poll_scale=0.02, status_delay=0.01, port=0),
                              debounce=0.0, state_interval=60)
        allowed = allowed_amounts(data_dir)
        started = time.perf_counter()
        await engine.start()
        print(f"engine started in {time.perf_counter() - started:.1f} s ({'fake LLM' if args.llm else 'offline'}); "
              f"{len(dialogues)} conversations, {args.concurrency} at a time", flush=True)
        runner = Runner(engine, allowed, args.verbose)
        gate = asyncio.Semaphore(args.concurrency)

        async def one(number: int, dialogue: dict[str, Any]) -> Outcome:
            async with gate:
                return await runner.run(number, dialogue)

        try:
            outcomes = list(await asyncio.gather(*(one(n, d) for n, d in enumerate(dialogues, start=1))))
        finally:
            await engine.stop()
        if server is not None:
            turns = sum(len(d["turns"]) for d in dialogues)
            print(f"fake LLM: {len(server.chat_requests)} chat completions for {turns} customer turns", flush=True)
        return outcomes
    finally:
        if server is not None:
            await server.stop()
        shutil.rmtree(work, ignore_errors=True)


def report(outcomes: list[Outcome], verbose: bool) -> bool:
    ok = True
    for part in ("dev", "held-out", "written-last"):
        of_part = [o for o in outcomes if o.part == part]
        if not of_part:
            continue
        clean = sum(o.clean for o in of_part)
        share = clean / len(of_part)
        ok = ok and share >= GOAL
        print(f"\n{part}: {clean}/{len(of_part)} conversations clean = {share:.2f}  (goal ≥ {GOAL})")
        kinds: dict[str, int] = {}
        for outcome in of_part:
            for failure in outcome.failures:
                kinds[failure.check] = kinds.get(failure.check, 0) + 1
        if kinds:
            print("  failing checks by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))
        for outcome in of_part:
            if outcome.clean and not verbose:
                continue
            print(f"\n  [{'clean' if outcome.clean else 'FAIL '}] {outcome.name}")
            for failure in outcome.failures:
                where = f"turn {failure.turn}" if failure.turn else "end"
                print(f"      {where}: {failure.check}: {failure.detail}")
            if verbose or not outcome.clean:
                for number, (said, reply) in enumerate(outcome.transcript, start=1):
                    print(f"      {number}> {said}")
                    for line in reply:
                        print("         < " + line.replace("\n", " ⏎ ")[:300])
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--llm", action="store_true", help="use the fake OpenAI-compatible server")
    parser.add_argument("--only", default="", help="run only conversations whose name contains this")
    parser.add_argument("--set", default="", choices=["", "dev", "held-out", "written-last"], help="run one part only")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--verbose", action="store_true", help="print every transcript")
    args = parser.parse_args()
    started = time.perf_counter()
    outcomes = asyncio.run(run_all(args))
    ok = report(outcomes, args.verbose)
    print(f"\n{len(outcomes)} conversations in {time.perf_counter() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
