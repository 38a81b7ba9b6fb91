"""The python-telegram-bot handlers, in the order that matters (bot/app.py adds them):

-3. the group gate (groups.py): in group chats only what belongs there goes on;
-2. the early group (flows.py): edits of old messages are dropped, a command ends the sender's
    open flows (and /huy answers), so nothing after it sees an edit or a stale flow;
-1. the runner (dialog.py): the flows and actions written for every messenger (handlers/);
 0. what only Telegram has: replies to relayed messages (relays.py), quiz-poll answers and
    block/unblock updates (members.py); then the fallbacks (errors.py): unknown commands,
    messages outside any flow, stale buttons; and the error handler."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from bot.channels.telegram import dialog, errors, flows, groups, members, relays


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(groups.build_gate(), group=groups.GATE_GROUP)
    for early in flows.build_early_handlers():
        app.add_handler(early, group=flows.EARLY_GROUP)
    app.add_handler(dialog.build_handler(), group=dialog.DIALOG_GROUP)
    # One group: the first handler that matches takes the update, so the fallbacks come last.
    for handler in [*relays.build_handlers(), *members.build_handlers(),
                    *errors.build_fallbacks()]:
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)
