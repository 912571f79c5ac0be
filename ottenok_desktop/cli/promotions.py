"""`promotions` subcommands: the promotions file and its statuses today.

    promotions list [--file FILE] [--json] [--lang en|ru]
    promotions announce ID [--dry-run] [--text TEXT] [--photo FILE]... [--manager NAME] [--file FILE] [--json]
    promotions announcements [--json]
    promotions results ANNOUNCEMENT [--json]
    promotions pause|resume|cancel ANNOUNCEMENT [--manager NAME] [--json]

`announce --dry-run` prints who an announcement of promotion ID would reach: opted in, never
opted out, not in an open ticket, on WhatsApp. Without --dry-run the same list is fixed in the
database and the announcement starts (`sending`, the same application command the console
uses): the running engine — the headless engine, or whichever seat leads — sends it at the
paced rate within working hours; with no engine running it waits for the next start.
`results` prints sent / delivered / read / replied within 24 h / orders within 7 days.

Statuses (active | waiting | finished) are computed from the shop's date (OTTENOK_TIMEZONE).
Exits 1 with every error (file, row, column, value) when the file would be rejected.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, TYPE_CHECKING

if TYPE_CHECKING:
    from ottenok_desktop.engine.promotions import Promotion

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    promotions = subparsers.add_parser("promotions", help="promotions file: list with statuses")
    commands = promotions.add_subparsers(dest="promotions_command", metavar="{list,announce}")
    commands.required = True
    listing = commands.add_parser("list", help="every promotion with its status today")
    listing.add_argument("--file", metavar="FILE", help="promotions file (default: PROMOTIONS_PATH or the data dir)")
    listing.add_argument("--json", action="store_true", help="print one JSON document")
    listing.add_argument("--lang", choices=("en", "ru"), default="en", help="language of error messages")
    announce = commands.add_parser("announce", help="announce a promotion to consenting customers (paced)")
    announce.add_argument("promotion_id", metavar="ID")
    announce.add_argument("--dry-run", action="store_true", help="only list the recipients")
    announce.add_argument("--text", help="the announcement's text (default: made from the promotion)")
    announce.add_argument("--photo", action="append", default=[], metavar="FILE", help="a photo (up to 3)")
    announce.add_argument("--manager", default="", help="who announces (default: OTTENOK_SEAT_NAME or the OS user)")
    announce.add_argument("--file", metavar="FILE", help="promotions file (default: PROMOTIONS_PATH or the data dir)")
    announce.add_argument("--json", action="store_true", help="print one JSON document")
    listing = commands.add_parser("announcements", help="every announcement with its progress")
    listing.add_argument("--json", action="store_true", help="print one JSON document")
    for name, text in (("results", "an announcement's results"), ("pause", "pause an announcement"),
                       ("resume", "resume a paused announcement"), ("cancel", "cancel an announcement")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("announcement_id", metavar="ANNOUNCEMENT", type=int)
        sub.add_argument("--manager", default="", help="who does it (default: OTTENOK_SEAT_NAME or the OS user)")
        sub.add_argument("--json", action="store_true", help="print one JSON document")
    promotions.set_defaults(handler=run)


def promotion_json(promo: Promotion, today: date) -> dict[str, Any]:
    from ottenok_desktop.engine.texts import PROMOTION_STATUS_RU

    status = promo.status(today)
    return {
        "id": promo.id, "title": promo.title, "status": str(status), "status_ru": PROMOTION_STATUS_RU[str(status)],
        "description": promo.description, "start": promo.start.isoformat(), "end": promo.end.isoformat(),
        "applies_to": list(promo.applies_to), "percent": promo.percent, "fixed_price": promo.fixed_price,
        "discount": promo.discount_text(), "row": promo.row,
    }


def run(args: argparse.Namespace) -> int:
    from ottenok_desktop.engine.promotions import sort_for_list
    from ottenok_desktop.services.promotions.loader import load_promotions

    settings = args.settings
    if args.promotions_command in {"announcements", "results", "pause", "resume", "cancel"}:
        from .announcements import run_announcement_command

        return run_announcement_command(args)
    path = Path(args.file).expanduser() if args.file else settings.promotions_path
    parsed = load_promotions(path)
    if args.promotions_command == "announce" and not parsed.errors:
        return _announce(args, parsed.promotions)
    if parsed.errors:
        if args.json:
            print(json.dumps({"ok": False, "errors": [
                {"row": e.row, "column": e.column, "value": e.value, "code": e.code,
                 "message": e.message_ru if args.lang == "ru" else e.message_en} for e in parsed.errors]},
                ensure_ascii=False, indent=2))
        for error in parsed.errors:
            print(f"error: {error.message_ru if args.lang == 'ru' else error.message_en}", file=sys.stderr)
        return EXIT_FAILED
    today = datetime.now(settings.zone).date()
    rows = [promotion_json(p, today) for p in sort_for_list(parsed.promotions, today)]
    if args.json:
        print(json.dumps({"promotions": rows, "today": today.isoformat()}, ensure_ascii=False, indent=2))
    elif not rows:
        print(f"no promotions ({path})")
    else:
        for row in rows:
            print(f"{row['id']}  {row['status']:<8}  {row['start']}..{row['end']}  {row['discount']:>8}  {row['title']}")
    return EXIT_OK


def _announce(args: argparse.Namespace, promotions: list[Promotion]) -> int:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage.consent import announcement_recipients

    settings = args.settings
    promo = next((p for p in promotions if p.id == args.promotion_id), None)
    if promo is None:
        print(f"error: no promotion with id {args.promotion_id} (see 'promotions list')", file=sys.stderr)
        return EXIT_FAILED
    status = promo.status(datetime.now(settings.zone).date())
    if str(status) == "finished":
        print(f"warning: promotion {promo.id} is finished", file=sys.stderr)
    if not args.dry_run:
        from .announcements import start_announcement

        return start_announcement(args, promo)
    try:
        db = Database(settings.database_target).open_sync()
        try:
            recipients = db.call_sync(announcement_recipients)
        finally:
            db.close_sync()
    except Exception as exc:  # a database that cannot be opened: say so, no traceback
        print(f"error: cannot read chats: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps({"promotion": {"id": promo.id, "title": promo.title, "status": str(status)},
                          "recipients": recipients, "count": len(recipients)}, ensure_ascii=False, indent=2))
    else:
        for row in recipients:
            print(f"{row['chat']}  +{row['phone']}")
        print(f"{len(recipients)} recipients for {promo.title}")
    return EXIT_OK
