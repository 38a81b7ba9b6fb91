"""The conversations, written once for every messenger: one module per user-facing flow, and
the choices that belong to no flow (actions). bot/app.py hands them to bot/dialog's runner;
no messenger library is imported here (tests/test_layers.py)."""

from __future__ import annotations

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
        honour,
        join,
        link,
        mydata,
        myreports,
        officer_tools,
        open_reports,
        patrol,
        patrol_actions,
        patrol_checkin,
        patrol_plan,
        pledge,
        points,
        reject,
        report,
        settings,
        start,
        stats,
        team_message,
        teams,
        to_leader,
        web,
    )

    return [start.build_flow(),
            report.build_flow(config.reports.conversation_timeout_minutes),
            myreports.build_flow(), join.build_flow(), link.build_flow(), *help.build_flows(),
            *settings.build_flows(), *mydata.build_flows(), alarm.build_flow(),
            teams.build_flow(), to_leader.build_flow(), *open_reports.build_flows(),
            reject.build_flow(), stats.build_flow(), *officer_tools.build_flows(),
            announce.build_flow(), campaigns.build_flow(), web.build_flow(),
            team_message.build_flow(), patrol.build_flow(), patrol_plan.build_flow(),
            points.build_flow(), honour.build_flow(), pledge.build_flow(),
            *patrol_actions.build_flows(), patrol_checkin.build_flow()]


def dialog_actions() -> list[Action]:
    """Choices that belong to no flow, for every messenger (bot/dialog's runner)."""
    from handlers import (
        alarm_answers,
        alarm_thanks,
        campaigns,
        officer_tools,
        patrol_actions,
        patrol_leader,
        patrol_swap,
        quiz_answers,
        received,
        reject,
        stats,
        team_actions,
        triage,
    )

    return [*alarm_answers.actions(), *alarm_thanks.actions(), *team_actions.actions(),
            *quiz_answers.actions(),
            *triage.actions(), *reject.actions(), *stats.actions(), *officer_tools.actions(),
            *campaigns.actions(), *received.actions(), *patrol_actions.actions(),
            *patrol_leader.actions(), *patrol_swap.actions()]
