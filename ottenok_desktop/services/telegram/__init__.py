"""Telegram: a customer channel, the operators' group, the owner's chat, and a Bot API sandbox."""
