"""Command line: the console by default; --headless for the engine alone; --self-test;
and subcommands (kb, inventory, orders, tickets, report, spin). See DESIGN.md §3 for the contract."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from . import __version__

if TYPE_CHECKING:
    from .data_dirs import MoveResult


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ottenok_desktop", description="Ottenok Desktop: «Алина» and the operator console")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--headless", action="store_true", help="run the engine without the console (no Qt)")
    parser.add_argument("--self-test", action="store_true", help="start every subsystem on sample data, check, exit 0/1")
    parser.add_argument("--demo", action="store_true", help="demo mode: embedded GREEN-API sandbox and sample shop")
    parser.add_argument("--data-dir", help="database, indexes, logs and settings (default: %%LOCALAPPDATA%%\\Ottenok on Windows, "
                        "~/.local/share/Ottenok on Linux)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="1 real second = N shop seconds")
    parser.add_argument("--start-time", default="", help="the shop clock's start, ISO 8601 (e.g. 2026-11-23T09:00+05:00)")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from .cli import register_all

    register_all(sub)
    return parser


@dataclass
class _RunState:
    """What the crash handler needs to know about how far the start got."""

    logs_dir: Path | None = None
    redact: Callable[[str], str] = field(default=lambda text: text)


def main(argv: Sequence[str] | None = None) -> int:
    from .stdio import ensure_utf8_stdio

    ensure_utf8_stdio()  # `--json` output in Russian/Kazakh to a pipe never fails to encode
    state = _RunState()
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)  # --help/--version/usage errors: SystemExit, passed on
        return _run(args, state)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the catch-all: a log entry and an exit code, never a hang
        from .crash import is_interactive, report_crash

        gui_mode = args is not None and not (args.command or args.headless or args.self_test)
        return report_crash(exc, logs_dir=state.logs_dir, interactive=is_interactive(gui_mode),
                            show_box=_show_crash_box, redact=state.redact)


def _run(args: argparse.Namespace, state: _RunState) -> int:
    from .logging_setup import configure_logging
    from .settings import SettingsError, load_settings

    moved = _move_roaming_data_once(args.data_dir)
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
    state.logs_dir = settings.logs_dir
    from .services.storage.urls import url_password

    database_url = settings.database_url.reveal()
    secrets = [settings.green_api_token.reveal(), settings.openai_api_key.reveal(), database_url, url_password(database_url)]
    level = logging.DEBUG if args.verbose else logging.INFO
    if args.command:
        state.redact = configure_logging(None, secrets, level=logging.DEBUG if args.verbose else logging.WARNING).redact
        _log_start(settings.data_dir, moved)
        args.settings = settings
        return int(args.handler(args))
    state.redact = configure_logging(settings.logs_dir, secrets, level=level).redact
    _log_start(settings.data_dir, moved)
    if args.headless:
        from .headless import run_headless

        return run_headless(settings)
    if args.self_test:
        from .ui.app import run_self_test

        return run_self_test(settings)
    from .ui.app import run_gui

    return run_gui(settings)


def _move_roaming_data_once(cli_data_dir: str | None) -> "MoveResult | None":
    """The default data dir moved to the local disk (Windows); None with an explicit data dir."""
    if cli_data_dir or os.environ.get("OTTENOK_DATA_DIR"):
        return None
    from .data_dirs import local_data_dir, move_roaming_data, roaming_data_dir

    return move_roaming_data(local_data_dir(), roaming_data_dir())


def _log_start(data_dir: Path, moved: "MoveResult | None") -> None:
    log = logging.getLogger("ottenok_desktop")
    log.info("Ottenok Desktop %s, Python %s, frozen=%s, utf8_mode=%d, stdout encoding %s, data dir %s",
             __version__, sys.version.split()[0], bool(getattr(sys, "frozen", False)), sys.flags.utf8_mode,
             getattr(sys.stdout, "encoding", None), data_dir)
    if moved is None:
        return
    from .data_dirs import MoveOutcome

    if moved.outcome is MoveOutcome.FAILED:
        log.warning("could not move the old data to the local disk: %s", moved.describe())
    elif moved.outcome in (MoveOutcome.MOVED, MoveOutcome.LOCAL_IN_USE):
        log.warning(moved.describe())


def _show_crash_box(reason: str, crash_log: Path | None) -> None:
    from .ui import strings as S
    from .ui.app import show_fatal

    show_fatal(S.FATAL_START.format(reason=reason, log=crash_log or "—"))


def _show_settings_error(reason: str) -> None:
    try:
        from .ui import strings as S
        from .ui.app import show_fatal

        show_fatal(S.FATAL_SETTINGS.format(reason=reason))
    except Exception:  # no display (a server): stderr already has the message
        logging.getLogger(__name__).debug("no display for the settings error box", exc_info=True)


if __name__ == "__main__":
    sys.exit(main())
