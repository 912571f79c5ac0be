"""Colours shared by the painting delegates and the style sheet (resources/style.qss)."""

from __future__ import annotations

TEXT = "#1f2933"
MUTED = "#66727f"
DIVIDER = "#e6e9ee"
SELECTION = "#dcebff"
ALERT = "#d93025"
ALERT_BG = "#fff1f0"
WAIT = "#b06000"
BADGE = "#1a73e8"
TICKET = "#8e44ad"
ORDER = "#188038"
WHATSAPP = "#25a366"  # channel badges (issue 15)
TELEGRAM = "#2aa1da"
BOT = "#34a853"
MANAGER = "#1a73e8"

# chat bubbles per sender kind: (background, header colour)
BUBBLES = {
    "customer": ("#ffffff", "#5f6368"),
    "bot": ("#dcf8c6", "#188038"),
    "manager_app": ("#d6e8ff", "#1a56b0"),
    "manager_phone": ("#fff3c4", "#9a6700"),
    "manager_tg": ("#d6e8ff", "#1a56b0"),  # an operator writing through the Telegram bot
    "system": ("#eceff1", "#5f6368"),
}
TICK_READ = "#34b7f1"
TICK = "#8696a0"
FAILED = "#d93025"
LOW_STOCK_BG = "#fff4e5"
OUT_OF_STOCK_BG = "#fde7e9"
RESERVED_BG = "#e8f0fe"
