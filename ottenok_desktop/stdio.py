"""UTF-8 standard streams, whatever the console or pipe would pick.

A frozen Windows exe writing to a pipe or a file (`ottenok-cli kb search --json > out.json`,
CI capturing output) gets the ANSI code page (cp1252/cp1251) for stdout/stderr, and
Cyrillic or Kazakh text (`ә`, `ғ`, `қ`, `ү`) raises UnicodeEncodeError. The packaged
build turns on Python's UTF-8 mode (`X utf8` in pyinstaller.spec); this is the explicit
second line of defence, run first thing at every entry point (source and frozen).
"""

from __future__ import annotations

import io
import sys
from typing import TextIO


def _is_utf8(encoding: str | None) -> bool:
    return (encoding or "").lower().replace("-", "").replace("_", "") in {"utf8", "utf8sig"}


def reconfigure_stream(stream: TextIO | None) -> bool:
    """Switch one text stream to UTF-8 in place; True if it was changed.

    Unencodable output is replaced (never an exception mid-report); streams that are
    not `io.TextIOWrapper` (pytest's capture, a StringIO) are left alone.
    """
    if stream is None or _is_utf8(getattr(stream, "encoding", None)):
        return False
    if not isinstance(stream, io.TextIOWrapper):
        return False
    try:
        stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    except (ValueError, OSError):  # a closed or detached stream: nothing to print to anyway
        return False
    return True


def ensure_utf8_stdio() -> list[str]:
    """Make stdout and stderr UTF-8; returns the names of the streams changed."""
    changed = []
    for name in ("stdout", "stderr"):
        if reconfigure_stream(getattr(sys, name)):
            changed.append(name)
    return changed
