"""/thongke (/stats): the commune police's statistics, per commune and period, on every
messenger — in the officer's private chat, and in the commune's staff group (that commune).

The periods (and, for an officer of several communes, the other communes) are actions
(`tk:<commune>:<period>`): a button that works whenever it is pressed, by any officer of that
commune, and shows the figures in place of the pressed message; where choices are typed by
number, the figures come as a new message whose numbers stay open a while. The officer role
is read from the database at every choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.config import ZaloOaConfig
from bot.dialog import END, Action, Choice, Flow, Rows, Turn
from bot.dialog.turn import OFFER_HOURS
from bot.models.zalo_oa import OaUsage
from bot.services.oa_reach import cost_vnd
from bot.services.stats import Period, Statistics
from handlers.text import as_id, esc

PERIOD = "tk"  # an action: tk:<commune id>:<period>
TOP_CATEGORIES = 5


async def show(turn: Turn) -> str:
    """Officers only: the last 7 days of their (first) commune, with the other periods, and
    the other communes they serve, as choices."""
    communes = await turn.services.officers.acting_communes(turn.person, turn.channel,
                                                            turn.address)
    if not communes:
        await turn.say(turn.t("errors.not_allowed"))
        return END
    others = tuple((Choice(c.name, f"{PERIOD}:{c.id}:{Period.WEEK.value}"),)
                   for c in communes[1:])
    if turn.numbered:  # one message, so that each number means one thing
        await _render(turn, communes[0].id, Period.WEEK, others)
    elif await _render(turn, communes[0].id, Period.WEEK) and others:
        await turn.offer(turn.t("stats.other_communes"), others)
    return END


async def period_chosen(turn: Turn, parts: tuple[str, ...]) -> None:
    """A period or a commune chosen: the figures, checked again in the database."""
    commune_id = as_id(parts[0]) if len(parts) == 2 else None
    if commune_id is None or parts[1] not in {p.value for p in Period}:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    await _render(turn, commune_id, Period(parts[1]))


async def _render(turn: Turn, commune_id: int, period: Period, others: Rows = ()) -> bool:
    """The figures with a choice per period (the one shown marked), in place of a pressed
    message; False (and refused) when the person is no officer of the commune."""
    services = turn.services
    stats = await services.stats.for_commune(turn.person, commune_id, period)
    if stats is None:
        await turn.refuse(turn.t("errors.not_allowed"))
        return False
    periods = tuple(Choice(("• " if p is period else "") + turn.t(f"stats.period_{p.value}"),
                           f"{PERIOD}:{commune_id}:{p.value}") for p in Period)
    text = turn.t("stats.summary", **_values(turn, stats))
    if stats.oa is not None:
        text += "\n" + _oa_line(turn, stats.oa)
    if others:
        text = f"{text}\n\n{turn.t('stats.other_communes')}"
    until = services.clock.now() + timedelta(hours=OFFER_HOURS)
    await turn.post(text, (periods, *others), until=until, replace=True)
    return True


def _values(turn: Turn, stats: Statistics) -> dict[str, Any]:
    counts = stats.counts
    categories = turn.services.reports.categories
    top = ", ".join(f"{esc(categories.name(code, turn.lang))} {n}"
                    for code, n in list(counts.reports_by_category.items())[:TOP_CATEGORIES])
    median = stats.median_minutes_to_accept
    rate = stats.alarm_response_rate
    by_state = counts.reports_by_state
    return {
        "commune": esc(stats.commune.name),
        "period": turn.t(f"stats.period_{stats.period.value}"),
        "residents": counts.residents, "teams": counts.teams, "members": counts.members,
        "pending": counts.pending, "reports": stats.reports, "open": stats.open_reports,
        "resolved": by_state.get("resolved", 0), "rejected": by_state.get("rejected", 0),
        "top": top or "—",
        "accept_time": turn.t("stats.accept_none") if median is None else turn.t(
            "stats.accept_time", minutes=f"{median:.0f}"),
        "unopened": turn.t("stats.unopened", count=counts.leaders_unopened)
        if counts.leaders_unopened else "",
        "alarms": counts.alarms,
        "response": "—" if rate is None else f"{rate:.0%}",
        "broadcasts": counts.broadcasts, "sent": counts.messages_sent,
        "failed": counts.messages_failed,
    }


def _oa_line(turn: Turn, usage: OaUsage) -> str:
    """How the commune's Zalo OA followers were reached in the period, and the cost."""
    prices = turn.services.config.zalo_oa or ZaloOaConfig()
    cost = cost_vnd(usage, prices.price_zbs_vnd, prices.price_billable_vnd)
    return turn.t("stats.oa_line", free=usage.free, billable=usage.billable, zbs=usage.zbs,
                  cost=f"{cost:,.0f}".replace(",", "."), skipped=usage.outside_window,
                  waiting=usage.waiting, unreachable=usage.unreachable)


def build_flow() -> Flow:
    """/thongke answers at once (also in the staff group); its choices are actions."""
    return Flow(name="stats", commands=("thongke", "stats"), start=show, private=False)


def actions() -> list[Action]:
    return [Action(PERIOD, period_chosen)]
