"""Telegram update handlers, one module per user-facing flow; `register` sets their order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, BaseHandler

from bot.config import Config
from bot.dialog import Action, Flow


def dialog_flows(config: Config) -> list[Flow]:
    """The flows written for every messenger (bot/dialog), handed to the runner by
    bot/app.py."""
    from handlers import (
        alarm,
        announce,
        campaigns,
        help,
        join,
        link,
        mydata,
        myreports,
        officer_tools,
        open_reports,
        reject,
        report,
        settings,
        start,
        stats,
        teams,
    )

    return [start.build_flow(),
            report.build_flow(config.reports.conversation_timeout_minutes),
            myreports.build_flow(), join.build_flow(), link.build_flow(), *help.build_flows(),
            *settings.build_flows(), *mydata.build_flows(), alarm.build_flow(),
            teams.build_flow(), *open_reports.build_flows(), reject.build_flow(),
            stats.build_flow(), *officer_tools.build_flows(), announce.build_flow(),
            campaigns.build_flow()]


def dialog_actions() -> list[Action]:
    """Choices that belong to no flow, for every messenger (bot/dialog's runner)."""
    from handlers import (
        alarm_answers,
        campaigns,
        officer_tools,
        quiz_answers,
        reject,
        stats,
        team_actions,
        triage,
    )

    return [*alarm_answers.actions(), *team_actions.actions(), *quiz_answers.actions(),
            *triage.actions(), *reject.actions(), *stats.actions(), *officer_tools.actions(),
            *campaigns.actions()]


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler. Order matters:

    0. the group gate (handlers.groups): in group chats only what belongs there goes on;
    1. an early group drops edits of old messages and lets any command end the sender's open
       flows (handlers.flows), so nothing after it ever sees an edit or a stale flow;
    2. the flows (conversations): while one is open its states own its person's input;
    3. plain commands, buttons and replies;
    4. the catch-all fallbacks last: unknown commands, messages outside any flow, stale
       buttons."""
    from handlers import (
        errors,
        flows,
        groups,
        relays,
    )

    app.add_handler(groups.build_gate(), group=groups.GATE_GROUP)
    for early in flows.build_early_handlers():
        app.add_handler(early, group=flows.EARLY_GROUP)
    later: list[BaseHandler[Any, Any, Any]] = [
        *relays.build_handlers(),
        *errors.build_fallbacks(),
    ]
    for handler in later:
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)
