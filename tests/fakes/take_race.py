"""A seat's manager pressing «Взять в работу» on many tickets as fast as possible, for the
two-seat race test: waits for a start file, takes each ticket through the same storage
function the desk command uses, prints the ids it won.

Usage: python -m tests.fakes.take_race DATABASE_URL MANAGER START_FILE ID,ID,...
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ottenok_desktop.services.storage import Database
from ottenok_desktop.services.storage import tickets


def main(url: str, manager: str, start_file: str, ids: str) -> int:
    db = Database(url).open_sync()
    while not Path(start_file).exists():
        time.sleep(0.005)
    won = [int(i) for i in ids.split(",") if db.atomic_sync(tickets.take, int(i), manager, datetime.now(timezone.utc))]
    db.close_sync()
    print(" ".join(map(str, won)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
