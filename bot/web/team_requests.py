"""Join requests decided from a team's page (`POST /teams/<id>/requests/<person>/<approve|
reject>`): the same TeamService.decide as the leader's "Duyệt" / "Từ chối" in chat — the
officer's role in the team's commune read from the database, decided once however many
presses, audited with origin "web" — and the applicant told on their own messenger, as the
chat tells them (bot/services/team_notices.py). A team of another commune is "not found"."""

from __future__ import annotations

from aiohttp import web

from bot.services.team_notices import tell_member
from bot.services.teams import Decision
from bot.web.context import context_of, officer_of
from bot.web.security import check_csrf

DONE = ("approved", "rejected", "full", "gone", "not_allowed")


def _id(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise web.HTTPNotFound()
    return int(value)


async def decide(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    services = context.services
    team = await services.store.areas.team(_id(request.match_info["team_id"]))
    if team is None or team.commune_id not in {c.id for c in officer.communes}:
        raise web.HTTPNotFound()
    approve = request.match_info["action"] == "approve"
    outcome = await services.teams.decide(officer.person, team.id,
                                          _id(request.match_info["resident_id"]), approve,
                                          origin="web")
    done = {Decision.APPROVED: "approved", Decision.REJECTED: "rejected",
            Decision.FULL: "full", Decision.NOT_LEADER: "not_allowed"}.get(outcome.result, "gone")
    if outcome.result in (Decision.APPROVED, Decision.REJECTED) and outcome.applicant:
        key = "team.approved_you_by_officer" if approve else "team.rejected_you"
        await tell_member(services.relays, services.delivery, services.i18n, outcome.applicant,
                          team, key, f"join:{team.id}:{outcome.applicant.id}")
    return web.Response(status=303, headers={"Location": f"/teams/{team.id}?done={done}"})


def add_routes(app: web.Application) -> None:
    app.router.add_post(
        r"/teams/{team_id}/requests/{resident_id}/{action:approve|reject}", decide)
