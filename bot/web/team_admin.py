"""Officers' team work from the console, as /taoto and /totruong do it in chat, by the same
OfficerService: `POST /teams/new` creates a team (hamlet, kind, name; a fresh join code shown
on its page; once per form however often it is sent) and `POST /teams/<id>/leader` makes one
of its active members its leader, who is told on their own messenger as from chat. The officer
role in the team's (or hamlet's) commune is read from the database on every request, every
form carries the session's CSRF token, and both are audited with origin "web". Another
commune's team or hamlet is "not found"."""

from __future__ import annotations

import re

from aiohttp import web

from bot.services.officers import NotAllowed, NotAMember
from bot.services.residents import PhoneError, normalise_phone
from bot.services.team_notices import tell_member
from bot.text import clean
from bot.web.context import context_of, officer_of
from bot.web.security import check_csrf

MIN_NAME = 3  # as /taoto
TOKEN = re.compile(r"[0-9a-f]{32}")
ERRORS = ("name", "choice")
DONE = ("created", "leader", "not_member", "bad_phone", "no_phone")


def _id(value: object) -> int | None:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 19 else None


async def create(request: web.Request) -> web.Response:
    """"Lập tổ": the team in a hamlet of one of the officer's communes."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    services = context.services
    token = str(form.get("token", ""))
    if not TOKEN.fullmatch(token):
        raise web.HTTPForbidden()
    hamlet_id, kind = _id(form.get("hamlet")), str(form.get("kind", ""))
    hamlet = await services.store.areas.hamlet(hamlet_id) if hamlet_id else None
    if hamlet is None or not officer.serves(hamlet.commune_id) or (
            kind not in services.catalog.team_kinds):
        return _back("choice")
    name = " ".join(clean(str(form.get("name", ""))).split())
    if len(name) < MIN_NAME:
        return _back("name")
    try:
        team = await services.officers.create_team(officer.person, hamlet, kind, name,
                                                   origin="web", token=token)
    except NotAllowed:  # no longer an officer of that commune (read from the database)
        raise web.HTTPNotFound() from None
    return web.Response(status=303, headers={"Location": f"/teams/{team.id}?done=created"})


async def appoint(request: web.Request) -> web.Response:
    """"Đặt làm tổ trưởng": an active member of the team; told as /totruong tells them."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    services = context.services
    team_id = _id(request.match_info["team_id"])
    team = await services.store.areas.team(team_id) if team_id else None
    if team is None or not officer.serves(team.commune_id):
        raise web.HTTPNotFound()
    member_id = _id(form.get("member"))
    # As /totruong: a leading 0 or + is a phone number the person sent the bot, other digits
    # a Telegram id; without either, the member chosen.
    typed = "".join(str(form.get("phone") or "").split())[:40]
    officers = services.officers
    try:
        if typed[:1] in ("0", "+"):
            done = await officers.appoint_by_phone(officer.person, team.id,
                                                   normalise_phone(typed), origin="web")
        elif typed:
            if (telegram_id := _id(typed)) is None:
                return _done(team.id, "bad_phone")
            done = await officers.appoint_telegram_user(officer.person, team.id, telegram_id,
                                                        origin="web")
        elif member_id is not None:
            done = await officers.appoint_member(officer.person, team.id, member_id,
                                                 origin="web")
        else:
            return _done(team.id, "not_member")
    except PhoneError:
        return _done(team.id, "bad_phone")
    except NotAllowed:
        raise web.HTTPNotFound() from None
    except NotAMember:
        return _done(team.id, "no_phone" if typed else "not_member")
    if done.changed:  # a second press appoints and tells nobody again
        await tell_member(services.relays, services.delivery, services.i18n, done.leader,
                          team, "officer_tools.you_lead",
                          f"team:{team.id}:leader:{done.leader.id}")
    return _done(team.id, "leader")


def _back(error: str) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/teams?error={error}#new"})


def _done(team_id: int, done: str) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/teams/{team_id}?done={done}"})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/teams/new", create)
    app.router.add_post(r"/teams/{team_id:\d+}/leader", appoint)
