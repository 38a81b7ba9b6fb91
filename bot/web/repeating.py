"""The repeating and scheduled announcements on the loudspeaker page, as /lichphat lists
them: each repeating one with its schedule in words and whether it runs, stopped or held
(its creator no longer an officer), with **Dừng lặp lại** / **Chạy lại** (POST, CSRF:
`/loudspeaker/repeating/<id>/stop|start`, through CampaignService.set_schedule_active, as
the chat; restarting a held one takes it over); each one-off waiting for its time with
**Hủy hẹn** (bot/web/loudspeaker.py's cancel). The role is read from the database by the
service; a schedule of another commune is "not found"; each change audited "web"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from markupsafe import Markup

from bot.models import Broadcast, BroadcastSchedule, Commune
from bot.services.cron_words import describe_cron
from bot.web.context import WebContext, context_of, officer_of
from bot.web.security import check_csrf

EXCERPT = 60  # characters of an announcement's text shown


@dataclass(frozen=True)
class Repeating:
    schedule: BroadcastSchedule
    when: Markup  # the schedule in words
    excerpt: Markup


@dataclass(frozen=True)
class Waiting:
    broadcast: Broadcast
    when: str  # local time
    excerpt: Markup


async def repeating(context: WebContext, commune: Commune) -> list[Repeating]:
    services = context.services
    language = services.i18n.default
    return [Repeating(schedule, Markup(describe_cron(services.i18n, language, schedule.cron)),
                      Markup(services.broadcasts.excerpt(schedule.payload, EXCERPT)))
            for schedule in await services.store.schedules.all(commune.id)]


async def waiting(context: WebContext, commune: Commune) -> list[Waiting]:
    services = context.services
    tz = services.config.locale.tz
    return [Waiting(broadcast, datetime.fromisoformat(broadcast.send_at or "").astimezone(
                tz).strftime("%H:%M %d/%m/%Y"),
                    Markup(services.broadcasts.excerpt(broadcast.payload, EXCERPT)))
            for broadcast in await services.broadcasts.scheduled(commune.id)]


async def stop_or_start(request: web.Request) -> web.Response:
    """Stop or restart a repeating announcement of one of the officer's communes; back to the
    loudspeaker page, saying what came of it."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    value = request.match_info["schedule_id"]
    schedule = await context.services.store.schedules.get(int(value)) if (
        value.isdigit() and len(value) < 10) else None
    if schedule is None or schedule.commune_id not in {c.id for c in officer.communes}:
        raise web.HTTPNotFound()
    start = request.match_info["action"] == "start"
    changed = await context.services.campaigns.set_schedule_active(
        schedule.id, start, officer.person, origin="web")
    done = ("repeat_started" if start else "repeat_stopped") if changed else "not_allowed"
    return web.Response(status=303, headers={
        "Location": f"/loudspeaker?done={done}&commune={schedule.commune_id}#repeating"})


def add_routes(app: web.Application) -> None:
    app.router.add_post(r"/loudspeaker/repeating/{schedule_id}/{action:stop|start}",
                        stop_or_start)
