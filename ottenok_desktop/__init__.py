"""Ottenok Desktop: the AI sales manager «Алина» and the shop's operator console."""

__version__ = "0.1.0"
APP_NAME = "Ottenok"
