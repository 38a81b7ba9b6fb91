"""`/teams`: the teams of the officer's communes — kind, hamlet, join code, leader (and whether
the bot can reach them: never opened it, or blocked it), members and requests waiting — and
`/teams/<id>`: a team's members and its requests, as its leader sees them in /to, each
request with "Duyệt" and "Từ chối" (bot/web/team_requests.py), and its patrol log of a month
(`?month=YYYY-MM`, the current one by default) with the same rows as `anninh export patrols`,
downloadable as that CSV (`/teams/<id>/patrols.csv?month=…`). Read from the same store as
`anninh teams list` and the leader's card; another commune's team is 404. A new team and a
team's leader are bot/web/team_admin.py's."""

from __future__ import annotations

from aiohttp import web

from bot.models import Team
from bot.services import draft_token
from bot.services.export import ExportError
from bot.services.patrol_export import as_csv, month_of, patrol_rows
from bot.web import team_admin, team_requests
from bot.web.context import context_of, officer_of
from bot.web.figures import BOM, download


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
    several = len(officer.communes) > 1
    places = [(h.id, f"{h.name} ({commune.name})" if several else h.name)
              for commune in officer.communes
              for h in await services.store.areas.hamlets(commune.id)]
    kinds = [(k.code, k.name(services.i18n.default)) for k in services.catalog.team_kinds.values()]
    error = request.query.get("error", "")
    return context.render(request, "teams.html", rows=rows, places=places, kinds=kinds,
                          token=draft_token(), min_name=team_admin.MIN_NAME,
                          error=error if error in team_admin.ERRORS else "")


async def _team(request: web.Request) -> Team:
    """The team in the path, of one of the officer's communes (404 otherwise)."""
    context, officer = context_of(request), officer_of(request)
    value = request.match_info["team_id"]
    team = await context.services.store.areas.team(int(value)) if (
        value.isdigit() and len(value) < 10) else None
    if team is None or team.commune_id not in {c.id for c in officer.communes}:
        raise web.HTTPNotFound()
    return team


def _month(request: web.Request) -> tuple[int, int]:
    """The month asked for (`?month=YYYY-MM`), else the current one in local time."""
    try:
        return month_of(request.query.get("month", ""))
    except ExportError:
        services = context_of(request).services
        today = services.clock.now().astimezone(services.config.locale.tz)
        return today.year, today.month


async def team_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    team = await _team(request)
    view = await context.services.teams.leader_view(officer.person, team.id)
    if view is None:  # not an officer of its commune any more (checked in the database)
        raise web.HTTPNotFound()
    done = request.query.get("done", "")
    year, month = _month(request)
    services = context.services
    patrols = await patrol_rows(services.store, services.config.locale.tz, team,
                                f"{year:04d}-{month:02d}")
    before, after = (year - 1, 12) if month == 1 else (year, month - 1), (
        (year + 1, 1) if month == 12 else (year, month + 1))
    return context.render(
        request, "team.html", view=view, team=team, patrols=patrols,
        month=f"{year:04d}-{month:02d}", month_label=f"{month:02d}/{year}",
        previous=f"{before[0]:04d}-{before[1]:02d}", following=f"{after[0]:04d}-{after[1]:02d}",
        done=done if done in (*team_requests.DONE, *team_admin.DONE) else "",
        candidates=[m for m in view.members if m.state == "active" and m.role != "leader"])


async def patrols_csv(request: web.Request) -> web.Response:
    """The month's patrol log as `anninh export patrols` writes it."""
    context, officer = context_of(request), officer_of(request)
    team = await _team(request)
    if await context.services.teams.leader_view(officer.person, team.id) is None:
        raise web.HTTPNotFound()
    year, month = _month(request)
    services = context.services
    rows = await patrol_rows(services.store, services.config.locale.tz, team,
                             f"{year:04d}-{month:02d}")
    return download(BOM + as_csv(rows), "text/csv",
                    f"patrols-{team.code}-{year:04d}-{month:02d}.csv")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/teams", teams_page)
    app.router.add_get("/teams/{team_id}", team_page)
    app.router.add_get("/teams/{team_id}/patrols.csv", patrols_csv)
    team_requests.add_routes(app)
    team_admin.add_routes(app)
