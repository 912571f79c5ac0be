"""`inventory` subcommands: check a stock file, look something up in the stock.

    inventory check FILE [--json] [--lang en|ru]
    inventory find TEXT [--size S] [--color C] [--file FILE] [--json]

`check` exits 0 with a summary when the file would be accepted, otherwise 1 with every
error (file, row, column, value). `find` answers like the bot's stock check: status,
matching lines, alternatives. Without --file it reads the configured stock file
(INVENTORY_EXCEL_PATH), or the bundled sample shop when that does not exist. When the
program's database exists, open reservations are subtracted as the engine does.
`--json` prints one JSON document on stdout; errors go to stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, TYPE_CHECKING

if TYPE_CHECKING:
    from ottenok_desktop.engine.ports import StockItem
    from ottenok_desktop.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    inventory = subparsers.add_parser("inventory", help="stock file: check it, look up stock")
    commands = inventory.add_subparsers(dest="inventory_command", metavar="{check,find}")
    commands.required = True

    check = commands.add_parser("check", help="validate a stock file (exit 0 if it would be accepted)")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--json", action="store_true", help="print one JSON document")
    check.add_argument("--lang", choices=("en", "ru"), default="en", help="language of error messages")

    find = commands.add_parser("find", help="is it in stock? (text as a customer writes it)")
    find.add_argument("text", metavar="TEXT")
    find.add_argument("--size", metavar="S")
    find.add_argument("--color", metavar="C")
    find.add_argument("--file", metavar="FILE", help="stock file (default: INVENTORY_EXCEL_PATH or the sample shop)")
    find.add_argument("--json", action="store_true", help="print one JSON document")

    inventory.set_defaults(handler=run)


def _error(message: str, code: int = EXIT_FAILED) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _emit(payload: object) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def stock_file_for(settings: Settings, override: str | None = None) -> Path:
    """--file, else the configured stock file, else the bundled sample shop."""
    if override:
        return Path(override).expanduser()
    if settings is not None:
        configured = Path(settings.inventory_path)
        if configured.exists():
            return configured
    from ..paths import sample_data_dir

    return sample_data_dir() / "inventory.xlsx"


def _reserved(settings: Settings, version: str) -> dict[str, int]:
    """Open reservations from the program's database, if there is one."""
    path = getattr(settings, "database_path", None)
    if not path or not Path(path).exists():
        return {}
    from ..services.inventory.reservations import reserved_sync
    from ..services.storage import Database

    db = Database(path)
    try:
        db.open_sync()
        return db.call_sync(reserved_sync, version)
    except Exception as exc:  # a locked or foreign database must not break a stock lookup
        log.warning("reservations not read from %s: %s", path, exc)
        return {}
    finally:
        db.close_sync()


def _price(value: int) -> str:
    return f"{value:,}".replace(",", " ") + " ₸"


def _item_json(item: StockItem) -> dict[str, Any]:
    return asdict(item)


def run_check(args: argparse.Namespace) -> int:
    from ..services.inventory.loader import load_stock

    path = Path(args.file).expanduser()
    loaded = load_stock(path)
    result = loaded.result
    out_of_stock = sum(1 for item in loaded.index.items if item.quantity == 0) if loaded.index else 0
    if args.json:
        _emit({
            "file": str(path), "ok": result.ok, "rows": result.rows, "products": result.products,
            "out_of_stock_lines": out_of_stock, "version": result.version, "engine": result.engine,
            "seconds": round(result.seconds, 3), "warnings": result.warnings,
            "errors": [asdict(error) for error in result.errors],
        })
    if not result.ok:
        if not args.json:
            count = len(result.errors)
            print(f"{path.name}: rejected, {count} error{'s' if count != 1 else ''}:", file=sys.stderr)
            for error in result.errors:
                print(f"  {error.message_ru if args.lang == 'ru' else error.message_en}", file=sys.stderr)
        return EXIT_FAILED
    if not args.json:
        print(f"{path.name}: OK — {result.rows} rows, {result.products} products, {out_of_stock} lines out of "
              f"stock (read with {result.engine} in {result.seconds:.2f} s, version {result.version})")
        for warning in result.warnings:
            print(f"  warning: {warning}")
    return EXIT_OK


def run_find(args: argparse.Namespace) -> int:
    from ..services.inventory.loader import load_stock

    settings = getattr(args, "settings", None)
    path = stock_file_for(settings, args.file)
    loaded = load_stock(path)
    if loaded.index is None:
        for error in loaded.result.errors:
            print(f"  {error.message_en}", file=sys.stderr)
        return _error(f"the stock file {path} cannot be used")
    index = loaded.index
    reserved = _reserved(settings, index.version)
    answer = index.query(args.text, size=args.size, color=args.color, reserved=reserved)
    matches = index.match_products(args.text, limit=5)
    if args.json:
        _emit({
            "file": str(path), "query": args.text, "status": answer.status, "product": answer.product,
            "size": answer.size, "color": answer.color, "available": answer.available,
            "price": index.price_of(answer.product, answer.color, answer.size) if answer.product else None,
            "items": [_item_json(i) for i in answer.items],
            "alternatives": [_item_json(i) for i in answer.alternatives],
            "matches": [{"product": name, "score": score} for name, score in matches],
            "reserved_lines": len(reserved),
        })
        return EXIT_OK
    asked = ", ".join(x for x in (f"size {answer.size}" if answer.size else "",
                                    f"colour {answer.color}" if answer.color else "") if x)
    print(f"{answer.status}: {answer.product or 'no matching product'}" + (f" ({asked})" if asked else ""))
    for item in answer.items:
        print(f"  {item.size or '-':>5}  {item.color:<14} {item.quantity:>3} pcs  {_price(item.price)}")
    if answer.alternatives:
        print("alternatives:")
        for item in answer.alternatives:
            print(f"  {item.product} — {item.size or '-'} {item.color}, {item.quantity} pcs, {_price(item.price)}")
    if answer.candidates:
        print("also matching: " + "; ".join(answer.candidates))
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    try:
        if args.inventory_command == "check":
            return run_check(args)
        if args.inventory_command == "find":
            return run_find(args)
        return _error(f"unknown inventory command {args.inventory_command!r}", EXIT_USAGE)
    except KeyboardInterrupt:
        return _error("interrupted", 130)
    except Exception as exc:  # the CLI promise: a message, never a traceback
        log.debug("inventory command failed", exc_info=True)
        return _error(f"{type(exc).__name__}: {exc}")
