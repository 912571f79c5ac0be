"""`promotions announce ID` (without --dry-run), `announcements`, `results`, `pause`, `resume`,
`cancel`: announcements from the command line, through the same application commands as the
console (engine/commands.py) on the shop's database. The running engine's pacer (the leading
seat, or `--headless`) picks a started announcement up within seconds; nothing is sent here.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable, TYPE_CHECKING, TypeVar

T = TypeVar("T")

if TYPE_CHECKING:
    from ottenok_desktop.engine.commands import Commands
    from ottenok_desktop.engine.promotions import Promotion
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.announcement_results import AnnouncementResults
    from ottenok_desktop.services.storage.announcements import AnnouncementRow
    from ottenok_desktop.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _manager(args: argparse.Namespace) -> str:
    if args.manager:
        return str(args.manager)
    if args.settings.seat_name:
        return str(args.settings.seat_name)
    try:
        return getpass.getuser()
    except Exception:  # no user name on this system: still say where it came from
        return "cli"


async def _with_commands(settings: Settings, work: Callable[[Commands, Database], Awaitable[T]]) -> T:
    """Run `work(commands, db)` against the shop's database with the engine's command handlers."""
    from ottenok_desktop.engine.clock import clock_from_settings
    from ottenok_desktop.engine.commands import Commands
    from ottenok_desktop.engine.events import EventBus
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.store import DbUnitOfWork

    db = Database(settings.database_target)
    await db.open()
    try:
        bus = EventBus()
        bus.bind_loop(asyncio.get_running_loop())
        clock = clock_from_settings(settings.timezone, "", 1.0)
        return await work(Commands(DbUnitOfWork(db), bus, clock), db)
    finally:
        await db.close()


def _row_json(row: AnnouncementRow, results: AnnouncementResults | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": row.id, "promotion_id": row.promotion_id, "title": row.title, "state": str(row.state),
        "recipients": row.recipients, "queued": row.queued, "skipped": row.skipped,
        "pause_reason": row.pause_reason, "pause_detail": row.pause_detail, "created_by": row.created_by,
        "created_at": row.created_at.isoformat(), "text": row.text, "photos": list(row.photos),
    }
    if results is not None:
        payload["results"] = results.as_json()
    return payload


def start_announcement(args: argparse.Namespace, promo: Promotion) -> int:
    from ottenok_desktop.engine.announcements import AnnouncementError, draft_text
    from ottenok_desktop.services.storage import announcements as store

    photos = [Path(p).expanduser() for p in args.photo]
    missing = [str(p) for p in photos if not p.is_file()]
    if missing:
        print(f"error: photo not found: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    text = args.text if args.text is not None else draft_text(promo)
    manager = _manager(args)

    async def work(commands: Commands, db: Database) -> tuple[AnnouncementRow | None, list[dict[str, Any]]]:
        announcement_id, _count = await commands.start_announcement(promo.id, promo.title, text, photos, manager)
        return await db.call(store.announcement, announcement_id), await db.call(store.recipients_of, announcement_id)

    try:
        row, recipients = asyncio.run(_with_commands(args.settings, work))
    except AnnouncementError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # a database that cannot be opened: say so, no traceback
        print(f"error: cannot start the announcement: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    note = ("the running engine (headless or the leading seat) sends it, one chat every "
            f"{args.settings.announce_min_seconds:g}-{args.settings.announce_max_seconds:g} s within working hours "
            f"{args.settings.work_hours}; with no engine running it waits for the next start")
    if args.json:
        payload = _row_json(row)
        payload["recipients_list"] = [{"chat": r["chat"], "phone": r["phone"]} for r in recipients]
        payload["note"] = note
        print(json.dumps({"announcement": payload}, ensure_ascii=False, indent=2))
    else:
        print(f"announcement {row.id} of {promo.title!r} started: {row.recipients} recipients")
        print(note)
    return EXIT_OK


def run_announcement_command(args: argparse.Namespace) -> int:
    from ottenok_desktop.services.storage import announcements as store
    from ottenok_desktop.services.storage.announcement_results import announcement_results

    command = args.promotions_command
    manager = _manager(args) if command in {"pause", "resume", "cancel"} else ""

    async def work(commands: Commands, db: Database) -> object:
        if command == "announcements":
            return await db.call(store.announcements)
        announcement_id = args.announcement_id
        if await db.call(store.announcement, announcement_id) is None:
            return None
        changed = None
        if command != "results":
            action = {"pause": commands.pause_announcement, "resume": commands.resume_announcement,
                      "cancel": commands.cancel_announcement}[command]
            changed = await action(announcement_id, manager)
        return (await db.call(store.announcement, announcement_id), await db.call(announcement_results, announcement_id),
                changed)

    try:
        outcome = asyncio.run(_with_commands(args.settings, work))
    except Exception as exc:  # a database that cannot be opened: say so, no traceback
        print(f"error: cannot read announcements: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if command == "announcements":
        rows = outcome
        if args.json:
            print(json.dumps({"announcements": [_row_json(r) for r in rows]}, ensure_ascii=False, indent=2))
        for r in [] if args.json else rows:
            print(f"{r.id:>4}  {r.state:<9}  {r.progress}/{r.recipients}  {r.title}")
        return EXIT_OK
    if outcome is None:
        print(f"error: no announcement {args.announcement_id} (see 'promotions announcements')", file=sys.stderr)
        return EXIT_FAILED
    row, results, changed = outcome
    if changed is False:
        print(f"error: announcement {row.id} is {row.state}: cannot {command} it", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps({"announcement": _row_json(row, results)}, ensure_ascii=False, indent=2))
    else:
        r = results
        print(f"announcement {row.id} ({row.state}): {r.queued}/{r.recipients} queued, {r.sent} sent, "
              f"{r.delivered} delivered, {r.read} read, {r.replied_24h} replied within 24 h, "
              f"{r.orders_7d} orders within 7 days")
    return EXIT_OK
