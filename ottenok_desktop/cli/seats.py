"""`seats [--json]`: who shares this shop's database — each seat (id, manager, role, host,
last seen, online), which one runs the bot engine, and the lease's epoch.

On SQLite (one PC, no DATABASE_URL) there is one seat and it leads trivially.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys

EXIT_OK = 0
EXIT_FAILED = 1


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    seats = subparsers.add_parser("seats", help="seats sharing the database, the engine leader and its epoch")
    seats.add_argument("--json", action="store_true", help="one JSON document on stdout")
    seats.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ottenok_desktop.services.storage import Database
    from ottenok_desktop.services.storage import lease as repo

    settings = args.settings
    online_within = max(3.0, settings.lease_seconds)
    db = None
    try:
        db = Database(settings.database_target, application_name="ottenok seats").open_sync()
        status = db.call_sync(repo.status, online_within)
        shown = db.describe()
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        secret = settings.database_url.reveal()
        if secret:
            from ottenok_desktop.services.storage.urls import redact_url, url_password

            message = message.replace(secret, redact_url(secret))
            if url_password(secret):
                message = message.replace(url_password(secret), "***")
        print(f"error: cannot read the seats: {message}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if db is not None:
            db.close_sync()
    status = {"database": shown, "backend": "postgresql" if settings.database_url else "sqlite", **status}
    if not settings.database_url:
        status["single_seat"] = True
        if not status["seats"]:  # one PC: this PC is the seat, and it leads
            seat_id = settings.seat_id or socket.gethostname()
            status["seats"] = [{"seat_id": seat_id, "manager": settings.seat_name, "role": "leader-capable",
                                "host": socket.gethostname(), "online": None, "leader": True}]
            status["leader"] = seat_id
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"database: {shown}")
    print(f"leader: {status['leader'] or 'none'} (epoch {status['epoch']})")
    for seat in status["seats"]:
        mark = "*" if seat["leader"] else " "
        online = {True: "online", False: "offline", None: ""}[seat["online"]]
        print(f" {mark} {seat['seat_id']:<20} {seat['manager'] or '-':<16} {seat['role']:<15} {online:<8} "
              f"{seat.get('last_seen', '')}")
    return EXIT_OK
