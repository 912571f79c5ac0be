"""Adapters to the outside world. Never imports Qt."""
