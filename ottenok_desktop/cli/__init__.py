"""Subcommands of `python -m ottenok_desktop`. Each module registers its own group."""

from __future__ import annotations

import argparse
import importlib
import logging

log = logging.getLogger(__name__)

# Module names under ottenok_desktop.cli; each has register(subparsers).
COMMAND_MODULES = ("kb", "inventory", "orders", "tickets", "db", "report", "spin", "seats", "promotions")


def register_all(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> list[str]:
    """Register every command group that is present; returns the names registered."""
    names: list[str] = []
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue
            raise
        module.register(subparsers)
        names.append(name)
    return names
