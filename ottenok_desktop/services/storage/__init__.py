"""Storage: peewee models on SQLite (WAL), all work on one dedicated DB thread."""

from .database import Database

__all__ = ["Database"]
