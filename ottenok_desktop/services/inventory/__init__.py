"""The stock file: reading, validation, the in-memory StockIndex, the watcher and reservations.

Import the parts you need from their modules (`index`, `service`, ...); this package
imports nothing heavy at import time.
"""
