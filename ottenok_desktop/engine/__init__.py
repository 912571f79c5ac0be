"""The bot's brain and rules. Never imports Qt; pure where it can be."""
