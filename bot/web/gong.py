"""`/gong`: the security gong (kẻng an ninh) sounded from the console, as /keng sounds it in
chat — the scopes the officer may use (a team they lead, a hamlet or the whole of one of their
communes, read from the database), a kind (content/alarm_kinds.toml), an optional note, "Phát
kẻng". The same AlarmService.sound: its rules (an hour's limit, nobody to tell), once per form
however often it is pressed (the form's draft token), audited with origin "web"; the members
told on their own messenger and the police group's copy, by the same functions the chat uses.

`/gong/<id>`: the gong with its count — who answered "Đang đến", "Không thể", who is silent —
refreshed every few seconds while it sounds, and "Đã an toàn" to end it (the caller or an
officer of its commune, as in chat; everyone told). Once it is over, each member who answered
"Đang đến" can be confirmed as having come (`/gong/<id>/thank/<person>`): thanked on their own
messenger with the gong's points, once — handlers/alarm_thanks.py's `thank`, as in chat.
Another commune's gong is "not found"."""

from __future__ import annotations

import re
from datetime import timedelta

from aiohttp import web

from bot.models import Alarm
from bot.services import draft_token
from bot.services.alarms import RaiseResult, Scope
from bot.text import clean
from bot.web.context import WebContext, context_of, officer_of
from bot.web.security import check_csrf
from handlers.alarm_answers import deliver_alarm, tell_staff, tell_staff_ended
from handlers.alarm_count import MAX_NAMED
from handlers.alarm_thanks import thank as thank_member

NOTE_LIMIT = 200  # as /keng's note
TOKEN = re.compile(r"[0-9a-f]{32}")
ERRORS = ("stale", "too_many", "nobody", "note_too_long", "no_kind", "bad_place")
PLACE = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
DONE = ("ended", "over", "thanked", "not_thanked")
REFRESH_SECONDS = 5
RECENT_HOURS = 24


def _scope_label(context: WebContext, scope: Scope) -> str:
    if scope.kind == "commune":
        return f"{context.t('alarm.whole_commune')} ({scope.name})"
    return scope.name


async def gong_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services = context.services
    scopes = await services.alarms.scopes(officer.person)
    lang = services.i18n.default
    kinds = [(k.code, f"{k.emoji} {k.name(lang)}") for k in services.catalog.alarm_kinds.values()]
    since = (services.clock.now() - timedelta(hours=RECENT_HOURS)).isoformat(timespec="seconds")
    recent = await services.console.alarms(officer.communes, since)
    error = request.query.get("error", "")
    return context.render(
        request, "gong.html", scopes=[(f"{s.kind}:{s.id}", _scope_label(context, s), s.kind)
                                      for s in scopes],
        kinds=kinds, kind_names=dict(kinds), token=draft_token(), recent=recent,
        note_limit=NOTE_LIMIT,
        error=error if error in ERRORS else "",
        limit=services.config.alarms.max_per_hour)


async def sound(request: web.Request) -> web.Response:
    """"Phát kẻng": recorded once per form, then queued for the members and the group."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    services = context.services
    token, scope, kind = (str(form.get(name, "")) for name in ("token", "scope", "kind"))
    if not TOKEN.fullmatch(token):
        raise web.HTTPForbidden()
    note = clean(str(form.get("note", ""))).strip()
    if len(note) > NOTE_LIMIT:
        return _back("note_too_long")
    if kind not in services.catalog.alarm_kinds:
        return _back("no_kind")
    try:
        place = _place(str(form.get("place", "")))
    except ValueError:
        return _back("bad_place")
    scope_kind, _, scope_id = scope.partition(":")
    person = officer.person
    latitude, longitude = place if place else (None, None)
    raised = await services.alarms.sound(
        person, officer.name, kind, scope_kind, _id(scope_id) or 0, note or None,
        latitude=latitude, longitude=longitude, token=token, origin="web")
    if raised.result is RaiseResult.ALREADY and raised.alarm is not None:
        return _to(raised.alarm)
    if raised.result is not RaiseResult.RAISED or raised.alarm is None:
        return _back("stale" if raised.result is RaiseResult.NOT_ALLOWED else raised.result.value)
    alarm, recipients = raised.alarm, list(raised.recipients)
    await deliver_alarm(services, alarm, recipients)
    await tell_staff(services, alarm, "alarm.staff_notice", len(recipients))
    return _to(alarm)


async def _alarm(request: web.Request) -> Alarm:
    """The gong in the path, of one of the officer's communes (404 otherwise)."""
    context, officer = context_of(request), officer_of(request)
    alarm_id = _id(request.match_info["alarm_id"])
    alarm = await context.services.alarms.get(alarm_id) if alarm_id else None
    if alarm is None or not officer.serves(alarm.commune_id):
        raise web.HTTPNotFound()
    return alarm


async def alarm_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services = context.services
    alarm = await _alarm(request)
    tally = await services.alarms.tally(alarm.id)
    kind = services.catalog.alarm_kinds.get(alarm.kind)
    done = request.query.get("done", "")
    thanks: list[tuple[int, str]] = []
    if alarm.state != "active" and await services.alarms.may_end(alarm, officer.person):
        confirmed = await services.alarms.confirmed(alarm)
        thanks = [(r.resident_id, r.display_name or "?")
                  for r in await services.alarms.recipients(alarm)
                  if r.response == "coming" and r.resident_id not in confirmed]
    return context.render(
        request, "gong_alarm.html", alarm=alarm, tally=tally, thanks=thanks,
        coming=tally.coming[:MAX_NAMED * 3], cannot=tally.cannot[:MAX_NAMED * 3],
        kind=f"{kind.emoji} {kind.name(services.i18n.default)}" if kind else alarm.kind,
        sent=services.console.local(alarm.sent_at),
        may_end=alarm.state == "active" and await services.alarms.may_end(alarm, officer.person),
        refresh=REFRESH_SECONDS if alarm.state == "active" else 0,
        done=done if done in DONE else "")


async def end(request: web.Request) -> web.Response:
    """"Đã an toàn": ended once (the service checks the role and the state); everyone told."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    services = context.services
    alarm = await _alarm(request)
    ended = await services.alarms.all_clear(alarm.id, officer.person, origin="web")
    if ended is None:
        return web.Response(status=303, headers={"Location": f"/gong/{alarm.id}?done=over"})
    recipients = await services.alarms.recipients(ended)
    await services.events.alarm_ended(ended)
    await deliver_alarm(services, ended, recipients, all_clear=True)
    await tell_staff_ended(services, ended)
    return web.Response(status=303, headers={"Location": f"/gong/{alarm.id}?done=ended"})


async def thank(request: web.Request) -> web.Response:
    """A member who answered "Đang đến" confirmed as having come (after the all clear)."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    alarm = await _alarm(request)
    member_id = _id(request.match_info["resident_id"])
    done = member_id is not None and await thank_member(
        context.services, officer.person, alarm, member_id) is not None
    return web.Response(status=303, headers={
        "Location": f"/gong/{alarm.id}?done={'thanked' if done else 'not_thanked'}"})


def _place(typed: str) -> tuple[float, float] | None:
    """Where, typed as "latitude, longitude" (as a map app copies it: "10.9512, 107.1623");
    None when left empty; ValueError when it is not a place on Earth."""
    if not typed.strip():
        return None
    found = PLACE.match(typed)
    latitude, longitude = (float(found[1]), float(found[2])) if found else (999.0, 999.0)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"not a place: {typed!r}")
    return latitude, longitude


def _back(error: str) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/gong?error={error}"})


def _to(alarm: Alarm) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/gong/{alarm.id}"})


def _id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 19 else None


def add_routes(app: web.Application) -> None:
    app.router.add_get("/gong", gong_page)
    app.router.add_post("/gong", sound)
    app.router.add_get("/gong/{alarm_id}", alarm_page)
    app.router.add_post("/gong/{alarm_id}/end", end)
    app.router.add_post("/gong/{alarm_id}/thank/{resident_id}", thank)
