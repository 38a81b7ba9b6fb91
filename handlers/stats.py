"""/thongke (/stats): the commune police's statistics, per commune and period."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import AppContext
from bot.services.stats import Period, Statistics
from handlers.common import (
    acting_communes,
    answer,
    caller,
    esc,
    pressed,
    pressed_ids,
    refuse,
    stale,
    tr,
)


async def show(update: Update, context: AppContext) -> None:
    """Officers only: today's figures for their commune, with buttons for other periods."""
    who = await caller(update, context)
    communes = await acting_communes(update, context, who)  # in the staff group: its commune
    if not communes:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    await _render(update, context, who.lang, communes[0].id, Period.WEEK)
    if len(communes) > 1:
        rows = [[(c.name, f"tk:{c.id}:{Period.WEEK.value}")] for c in communes[1:]]
        await answer(update, context, who.lang, "stats.other_communes", rows, edit=False)


async def period_chosen(update: Update, context: AppContext) -> None:
    """A press on a period or commune button: checked again in the database."""
    ids, period = pressed_ids(update, 1), pressed(update)[-1]
    if ids is None or period not in {p.value for p in Period}:
        await stale(update, context)
        return
    who = await caller(update, context)
    await _render(update, context, who.lang, ids[0], Period(period))


async def _render(
    update: Update, context: AppContext, lang: str, commune_id: int, period: Period
) -> None:
    who = await caller(update, context)
    stats = await context.services.stats.for_commune(who.resident, commune_id, period)
    if stats is None:
        await refuse(update, context, lang, "errors.not_allowed")
        return
    rows = [[(("• " if p is period else "") + tr(context, lang, f"stats.period_{p.value}"),
              f"tk:{commune_id}:{p.value}") for p in Period]]
    await answer(update, context, lang, "stats.summary", rows, **_values(context, lang, stats))


def _values(context: AppContext, lang: str, stats: Statistics) -> dict[str, Any]:
    counts = stats.counts
    categories = context.services.reports.categories
    top = ", ".join(f"{esc(categories.name(code, lang))} {n}"
                    for code, n in list(counts.reports_by_category.items())[:5])
    median = stats.median_minutes_to_accept
    rate = stats.alarm_response_rate
    by_state = counts.reports_by_state
    return {
        "commune": esc(stats.commune.name),
        "period": tr(context, lang, f"stats.period_{stats.period.value}"),
        "residents": counts.residents, "teams": counts.teams, "members": counts.members,
        "pending": counts.pending, "reports": stats.reports, "open": stats.open_reports,
        "resolved": by_state.get("resolved", 0), "rejected": by_state.get("rejected", 0),
        "top": top or "—",
        "median": "—" if median is None else f"{median:.0f}",
        "alarms": counts.alarms,
        "response": "—" if rate is None else f"{rate:.0%}",
        "broadcasts": counts.broadcasts, "sent": counts.messages_sent,
        "failed": counts.messages_failed,
    }


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CommandHandler(["thongke", "stats"], show),
        CallbackQueryHandler(period_chosen, pattern=r"^tk:\d+:\w+$"),
    ]
