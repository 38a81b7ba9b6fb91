"""`/teams`: the teams of the officer's communes — kind, hamlet, join code, leader (and whether
the bot can reach them: never opened it, or blocked it), members and requests waiting — and
`/teams/<id>`: a team's members and its requests, as its leader sees them in /to, each
request with "Duyệt" and "Từ chối" (bot/web/team_requests.py). Read from
the same store as `anninh teams list` and the leader's card; another commune's team is 404."""

from __future__ import annotations

from aiohttp import web

from bot.web import team_requests
from bot.web.context import context_of, officer_of


async def teams_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services = context.services
    rows = []
    for commune in officer.communes:
        hamlets = {h.code: h.name for h in await services.store.areas.hamlets(commune.id)}
        for team in await services.store.memberships.team_summaries(commune.id):
            leader = await services.store.memberships.leader(team.id)
            rows.append((team, hamlets.get(team.hamlet or "", "—"), leader,
                         services.catalog.kind_name(team.kind, services.i18n.default)))
    return context.render(request, "teams.html", rows=rows)


async def team_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    value = request.match_info["team_id"]
    team = await context.services.store.areas.team(int(value)) if (
        value.isdigit() and len(value) < 10) else None
    if team is None or team.commune_id not in {c.id for c in officer.communes}:
        raise web.HTTPNotFound()
    view = await context.services.teams.leader_view(officer.person, team.id)
    if view is None:  # not an officer of its commune any more (checked in the database)
        raise web.HTTPNotFound()
    done = request.query.get("done", "")
    return context.render(request, "team.html", view=view, team=team,
                          done=done if done in team_requests.DONE else "")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/teams", teams_page)
    app.router.add_get("/teams/{team_id}", team_page)
    team_requests.add_routes(app)
