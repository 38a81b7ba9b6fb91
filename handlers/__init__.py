"""Telegram update handlers, one module per user-facing flow; `register` sets their order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

CANCEL_COMMANDS = ["huy", "cancel"]


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler. Order matters: conversations first (they own their users' input
    while running), then plain commands and buttons, then the catch-all fallbacks last."""
    from handlers import errors, help, start, teams

    app.add_handler(start.build_conversation(CANCEL_COMMANDS))
    for handler in [*teams.build_handlers(), *help.build_handlers()]:
        app.add_handler(handler)
    for handler in errors.build_fallbacks(CANCEL_COMMANDS):
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)
