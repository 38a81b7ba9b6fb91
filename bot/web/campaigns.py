"""The campaigns on the loudspeaker page: each campaign file aimed at the officer's commune
with its schedule in words, its next slots, and whether it is paused; **Tạm dừng** and
**Tiếp tục** (POST, CSRF) and a preview page (`/loudspeaker/campaigns/<id>`) — through the
same CampaignService as /lichphat in chat, which checks the officer's role in the database
and audits each change (origin "web"). Another commune's campaign is "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from aiohttp import web
from markupsafe import Markup

from bot.markup import visible_text
from bot.models import Commune
from bot.scheduler import slots_between
from bot.services.campaigns import Campaign, commune_of
from bot.services.cron_words import describe_cron
from bot.web.context import WebContext, context_of, officer_of
from bot.web.security import check_csrf

NEXT_SLOTS = 3
LOOK_AHEAD = timedelta(days=400)  # a yearly campaign's next slot still shows


@dataclass(frozen=True)
class Row:
    campaign: Campaign
    paused: bool
    schedule: list[Markup]  # each cron expression in words
    next_slots: list[str]  # local times


async def rows(context: WebContext, commune: Commune) -> list[Row]:
    """The campaigns aimed at `commune`, with their state and next slots."""
    services = context.services
    paused = await services.store.schedules.paused()
    now, tz = services.clock.now(), services.config.locale.tz
    found = []
    for campaign in services.scheduler.campaigns():
        aimed = await commune_of(services.store, campaign)
        if aimed is None or aimed.id != commune.id:
            continue
        upcoming = [s.astimezone(tz) for s in slots_between(
            campaign.schedule, now, now + LOOK_AHEAD, services.config, limit=50)]
        valid = [s for s in upcoming if campaign.valid_on(s.date())][:NEXT_SLOTS]
        found.append(Row(
            campaign, campaign.id in paused,
            [Markup(describe_cron(services.i18n, services.i18n.default, expression))
             for expression in campaign.schedule],
            [slot.strftime("%H:%M %d/%m/%Y") for slot in valid]))
    return found


async def _find(request: web.Request) -> tuple[Campaign, Commune]:
    """The campaign named in the path, of one of the officer's communes (404 otherwise)."""
    context, officer = context_of(request), officer_of(request)
    wanted = request.match_info["campaign_id"]
    campaign = next((c for c in context.services.scheduler.campaigns() if c.id == wanted), None)
    aimed = None if campaign is None else await commune_of(context.services.store, campaign)
    commune = next((c for c in officer.communes if aimed is not None and c.id == aimed.id),
                   None)
    if campaign is None or commune is None:
        raise web.HTTPNotFound()
    return campaign, commune


async def preview(request: web.Request) -> web.Response:
    """What each resident gets: the text (as they read it), the photo's name, the quiz."""
    context, officer = context_of(request), officer_of(request)
    campaign, commune = await _find(request)
    if not await context.services.campaigns.may_manage(officer.person, campaign):
        raise web.HTTPNotFound()
    row = next(r for r in await rows(context, commune) if r.campaign.id == campaign.id)
    return context.render(request, "campaign.html", row=row, commune=commune,
                          body=visible_text(campaign.body),
                          photo=campaign.photo.name if campaign.photo else None)


async def pause_or_resume(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    campaign, commune = await _find(request)
    paused = request.match_info["action"] == "pause"
    done = await context.services.campaigns.set_paused(campaign, paused, officer.person,
                                                       origin="web")
    outcome = ("campaign_paused" if paused else "campaign_resumed") if done else "not_allowed"
    return web.Response(status=303, headers={
        "Location": f"/loudspeaker?done={outcome}&commune={commune.id}#campaigns"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/loudspeaker/campaigns/{campaign_id}", preview)
    app.router.add_post(r"/loudspeaker/campaigns/{campaign_id}/{action:pause|resume}",
                        pause_or_resume)
