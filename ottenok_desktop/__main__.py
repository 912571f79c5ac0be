"""Command line: the console by default; --headless for the engine alone; --self-test;
and subcommands (kb, inventory, orders, tickets). See DESIGN.md §3 for the contract."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ottenok_desktop", description="Ottenok Desktop: «Алина» and the operator console")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--headless", action="store_true", help="run the engine without the console (no Qt)")
    parser.add_argument("--self-test", action="store_true", help="start every subsystem on sample data, check, exit 0/1")
    parser.add_argument("--demo", action="store_true", help="demo mode: embedded GREEN-API sandbox and sample shop")
    parser.add_argument("--data-dir", help="database, indexes, logs and settings (default: per-user app data dir)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="1 real second = N shop seconds")
    parser.add_argument("--start-time", default="", help="the shop clock's start, ISO 8601 (e.g. 2026-11-23T09:00+05:00)")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from .cli import register_all

    register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .logging_setup import configure_logging
    from .settings import SettingsError, load_settings

    try:
        settings = load_settings(
            data_dir=args.data_dir, demo=args.demo or args.self_test, time_scale=args.time_scale,
            start_time=args.start_time,
        )
    except SettingsError as exc:
        print(f"Ottenok Desktop cannot start: {exc}", file=sys.stderr)
        if not (args.command or args.headless or args.self_test):
            _show_settings_error(str(exc))  # the windowed .exe has no console
        return 2
    from .services.storage.urls import url_password

    database_url = settings.database_url.reveal()
    secrets = [settings.green_api_token.reveal(), settings.openai_api_key.reveal(), database_url, url_password(database_url)]
    level = logging.DEBUG if args.verbose else logging.INFO
    if args.command:
        configure_logging(None, secrets, level=logging.DEBUG if args.verbose else logging.WARNING)
        args.settings = settings
        return int(args.handler(args))
    configure_logging(settings.logs_dir, secrets, level=level)
    if args.headless:
        from .headless import run_headless

        return run_headless(settings)
    if args.self_test:
        from .ui.app import run_self_test

        return run_self_test(settings)
    from .ui.app import run_gui

    return run_gui(settings)


def _show_settings_error(reason: str) -> None:
    try:
        from .ui import strings as S
        from .ui.app import show_fatal

        show_fatal(S.FATAL_SETTINGS.format(reason=reason))
    except Exception:  # no display (a server): stderr already has the message
        logging.getLogger(__name__).debug("no display for the settings error box", exc_info=True)


if __name__ == "__main__":
    sys.exit(main())
