"""PyInstaller entry script: both executables of the bundle start here.

It only prepares the standard streams (somewhere to print, in UTF-8) and hands over to
`ottenok_desktop.__main__.main`, so the packaged program behaves exactly like
`python -m ottenok_desktop` (whose `main` catches crashes: no bootloader dialog).
"""

from __future__ import annotations

import os
import sys


def _attach_streams() -> None:
    """Give a windowed Windows build somewhere to print.

    A `console=False` exe starts with `sys.stdout`/`sys.stderr` set to None, so any
    `print` (the self-test report, `--json` output) would raise. If it was started from
    a terminal we attach to that terminal's console; otherwise output is discarded (the
    log file in the data dir still records everything, and the exit code still tells).
    `ottenok-cli.exe`, the console twin, never needs this.
    """
    if sys.stdout is not None and sys.stderr is not None:
        return
    attached = False
    if sys.platform == "win32":
        import ctypes

        ATTACH_PARENT_PROCESS = -1
        attached = bool(ctypes.windll.kernel32.AttachConsole(ATTACH_PARENT_PROCESS))
    target = "CONOUT$" if attached else os.devnull
    if sys.stdout is None:
        sys.stdout = open(target, "w", encoding="utf-8", errors="replace")  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(target, "w", encoding="utf-8", errors="replace")  # noqa: SIM115


def run() -> int:
    _attach_streams()
    # UTF-8 stdout/stderr even if the `X utf8` option of the spec were lost: the console
    # and pipes of a Windows exe otherwise use the ANSI code page (cp1251/cp1252).
    from ottenok_desktop.stdio import ensure_utf8_stdio

    ensure_utf8_stdio()
    # Imported here so a stream problem above can never hide an import error.
    from ottenok_desktop.__main__ import main

    return int(main() or 0)


if __name__ == "__main__":
    # multiprocessing children of a frozen app must not re-run the program.
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(run())
