"""Telegram update handlers, one module per user-facing flow; `register` sets their order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

CANCEL_COMMANDS = ["huy", "cancel"]


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler. Order matters: conversations first (they own their users' input
    while running), then plain commands and buttons, then the catch-all fallbacks last."""
    from handlers import errors, groups, help, start, teams

    # Before everything: in group chats only what belongs there goes on (handlers/groups.py).
    app.add_handler(groups.build_gate(), group=-1)
    app.add_handler(start.build_conversation(CANCEL_COMMANDS))
    for handler in [*teams.build_handlers(), *help.build_handlers()]:
        app.add_handler(handler)
    from handlers import mydata, officer_tools, settings

    for people_handler in [*settings.build_handlers(CANCEL_COMMANDS),
                           *officer_tools.build_handlers(CANCEL_COMMANDS),
                           *mydata.build_handlers()]:
        app.add_handler(people_handler)
    from handlers import alarm

    app.add_handler(alarm.build_conversation(CANCEL_COMMANDS))
    for alarm_handler in alarm.build_handlers():
        app.add_handler(alarm_handler)
    alarm.schedule(app)
    from handlers import stats

    for stats_handler in stats.build_handlers():
        app.add_handler(stats_handler)
    from handlers import myreports, open_reports, relays, report, triage

    app.add_handler(report.build_conversation(
        CANCEL_COMMANDS, app.bot_data["config"].reports.conversation_timeout_minutes))
    app.add_handler(myreports.build_conversation(CANCEL_COMMANDS))
    for report_handler in [*triage.build_handlers(), *relays.build_handlers(),  # after the flows
                           *open_reports.build_handlers()]:
        app.add_handler(report_handler)
    triage.schedule(app)
    from handlers import announce, campaigns

    app.add_handler(announce.build_conversation(CANCEL_COMMANDS))
    for campaign_handler in campaigns.build_handlers():
        app.add_handler(campaign_handler)
    for handler in errors.build_fallbacks(CANCEL_COMMANDS):
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)
