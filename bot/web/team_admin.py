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
    typed = "".join(str(form.get("phone") or "").split())[:40]
    phone = None
    if typed and typed[:1] not in ("0", "+"):  # a Telegram id, as /totruong TEAM 123… takes
        telegram_id = _id(typed)
        if telegram_id is None:
            return _done(team.id, "bad_phone")
        now_leading = await services.store.memberships.leader(team.id)
        leading = None if now_leading is None else await services.store.residents.get(
            now_leading.resident_id)
        if leading is not None and leading.telegram_id == telegram_id:
            return _done(team.id, "leader")  # pressed again: appointed and told once
        try:
            done = await services.officers.appoint_telegram_user(
                officer.person, team.id, telegram_id, origin="web")
        except NotAllowed:
            raise web.HTTPNotFound() from None
        await tell_member(services.relays, services.delivery, services.i18n, done.leader,
                          team, "officer_tools.you_lead",
                          f"team:{team.id}:leader:{done.leader.id}")
        return _done(team.id, "leader")
    if typed:  # someone who shared this number with the bot, as /totruong TEAM 0912… does
        try:
            phone = normalise_phone(typed)
        except PhoneError:
            return _done(team.id, "bad_phone")
    leader = await services.store.memberships.leader(team.id)
    if phone is None and member_id is not None and leader is not None \
            and leader.resident_id == member_id:
        return _done(team.id, "leader")  # pressed again: appointed and told once
    try:
        if phone is not None:
            if leader is not None and (current := await services.store.residents.get(
                    leader.resident_id)) is not None and current.phone == phone:
                return _done(team.id, "leader")
            done = await services.officers.appoint_by_phone(officer.person, team.id, phone,
                                                            origin="web")
        elif member_id is None:
            raise NotAMember("no member chosen")
        else:
            done = await services.officers.appoint_member(officer.person, team.id, member_id,
                                                          origin="web")
    except NotAllowed:
        raise web.HTTPNotFound() from None
    except NotAMember:
        return _done(team.id, "no_phone" if phone is not None else "not_member")
    await tell_member(services.relays, services.delivery, services.i18n, done.leader, team,
                      "officer_tools.you_lead", f"team:{team.id}:leader:{done.leader.id}")
    return _done(team.id, "leader")


def _back(error: str) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/teams?error={error}#new"})


def _done(team_id: int, done: str) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/teams/{team_id}?done={done}"})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/teams/new", create)
    app.router.add_post(r"/teams/{team_id:\d+}/leader", appoint)
