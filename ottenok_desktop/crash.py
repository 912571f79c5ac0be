"""The last line of defence: an unexpected exception becomes a log entry and an exit code.

Without it a crash in the windowed Windows exe ends in PyInstaller's modal "Unhandled
exception" dialog, and a CI step that waits for the process (`Start-Process -Wait`) hangs
until the job's timeout. `__main__.main` routes every exception here: the traceback goes
to `<logs>/crash.log` (and the regular log, if logging is configured), a one-line reason
to stderr, and the process exits with `CRASH_EXIT_CODE`. A person at the windowed console
still gets a message box in Russian; non-interactive runs (CI, `--headless`, `--self-test`,
subcommands, an offscreen platform) never block on one.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

CRASH_EXIT_CODE = 70  # EX_SOFTWARE (sysexits.h): an internal error, not bad input
CRASH_LOG_NAME = "crash.log"
# Set by CI runners (GitHub Actions, GitLab, Azure) or by hand to forbid dialogs.
_NON_INTERACTIVE_ENV = ("CI", "OTTENOK_NONINTERACTIVE")
_HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc"}

log = logging.getLogger(__name__)


def is_interactive(gui_mode: bool, environ: Mapping[str, str] | None = None) -> bool:
    """True when a person is in front of the windowed console and a dialog can be answered."""
    env = os.environ if environ is None else environ
    if not gui_mode:
        return False
    if any(env.get(name, "").strip().lower() not in {"", "0", "false", "no"} for name in _NON_INTERACTIVE_ENV):
        return False
    return env.get("QT_QPA_PLATFORM", "").split(":", 1)[0].lower() not in _HEADLESS_PLATFORMS


def write_crash_log(exc: BaseException, logs_dir: Path | None,
                    redact: Callable[[str], str] = lambda text: text) -> Path | None:
    """Append the traceback to `<logs_dir>/crash.log` (or the temp dir); the file, or None."""
    text = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    entry = f"==== {stamp} Ottenok Desktop crashed (pid {os.getpid()}, argv {sys.argv[1:]!r})\n{text}\n"
    candidates = ([logs_dir] if logs_dir is not None else []) + [Path(tempfile.gettempdir()) / "Ottenok"]
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / CRASH_LOG_NAME
            with path.open("a", encoding="utf-8") as handle:
                handle.write(entry)
            return path
        except OSError:
            continue
    return None


def report_crash(
    exc: BaseException,
    *,
    logs_dir: Path | None,
    interactive: bool,
    show_box: Callable[[str, Path | None], None] | None = None,
    redact: Callable[[str], str] = lambda text: text,
) -> int:
    """Record the crash everywhere it can be found; returns the exit code to use.

    `show_box(reason, crash_log)` is only called when `interactive`; it must not raise (a failure
    to show the box is logged and ignored).
    """
    reason = redact(f"{type(exc).__name__}: {exc}")
    log.critical("unhandled exception, exiting with code %d", CRASH_EXIT_CODE, exc_info=exc)
    path = write_crash_log(exc, logs_dir, redact)
    where = f" Details: {path}" if path else ""
    try:
        print(f"Ottenok Desktop crashed: {reason}.{where}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):  # no usable stderr (windowed exe)
        pass
    if interactive and show_box is not None:
        try:
            show_box(reason, path)
        except Exception:  # a broken display must not turn the crash into a hang
            log.warning("could not show the crash message box", exc_info=True)
    return CRASH_EXIT_CODE
