"""`/loudspeaker` (the loa lưu động in a browser): compose an announcement — the text, who gets it
(the whole commune, or hamlets, teams, team kinds, groups), urgent or not, now or at a time —
and see the commune's recent announcements with how far each has gone on each messenger
(updated live while they go out: bot/web/live.py), cancelling one still waiting; and the
campaigns aimed at the commune (bot/web/campaigns.py) and its repeating and scheduled
announcements (bot/web/repeating.py).
It goes through the same BroadcastService as /thongbao in chat (signed "📢 Công an xã …",
audited with origin "web"), for a commune of the officer's only, checked at every request."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape
from typing import Any

from aiohttp import BodyPartReader, web
from markupsafe import Markup
from multidict import MultiDict, MultiMapping

from bot.markup import CAPTION_LIMIT, TEXT_LIMIT, visible_length
from bot.media import HEAD_BYTES, image_type_of
from bot.models import Audience, Channel, Commune
from bot.sending import OutMessage
from bot.services.broadcasts import PastMoment, parse_when
from bot.web import campaigns, repeating
from bot.web.context import WebContext, context_of, officer_of
from bot.web.progress import progress
from bot.web.security import check_csrf

RECENT = 15  # announcements listed
FIELD_LIMIT = 16 * 1024  # a field of the compose form (the text is at most 4,096 characters)
DONE = ("sent", "scheduled", "cancelled", "empty", "too_long", "past", "bad_time", "nobody",
        "not_allowed", "gone", "campaign_paused", "campaign_resumed", "repeat_stopped",
        "repeat_started", "repeating", "bad_repeat", "photo_too_big", "not_a_photo")


async def page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services = context.services
    store = services.store
    communes = officer.communes
    commune = next((c for c in communes if str(c.id) == request.query.get("commune")),
                   communes[0])
    teams = await store.areas.teams(commune.id)
    recent = []
    for broadcast in await store.broadcasts.recent(200):
        if broadcast.commune_id != commune.id or broadcast.lane != "announcement":
            continue
        when = datetime.fromisoformat(broadcast.send_at or broadcast.created_at).astimezone(
            services.config.locale.tz).strftime("%H:%M %d/%m/%Y")
        recent.append((broadcast, await progress(context, broadcast), Markup(
            services.broadcasts.excerpt(broadcast.payload, 60)), when))
        if len(recent) == RECENT:
            break
    done = request.query.get("done", "")
    whole = await services.broadcasts.reach(Audience(commune.id))
    return context.render(
        request, "loudspeaker.html", commune=commune, communes=communes,
        reach=_reach(context, whole),
        campaigns=await campaigns.rows(context, commune),
        repeating=await repeating.repeating(context, commune),
        waiting=await repeating.waiting(context, commune),
        hamlets=await store.areas.hamlets(commune.id), teams=teams,
        kinds=[(k, services.catalog.kind_name(k, services.i18n.default))
               for k in sorted({t.kind for t in teams})],
        tags=[(code, tag.name(services.i18n.default))
              for code, tag in services.catalog.tags.items()],
        recent=recent, done=done if done in DONE else "")


async def send(request: web.Request) -> web.Response:
    """Queue now or keep for later; back to the page, saying what came of it."""
    context, officer = context_of(request), officer_of(request)
    services = context.services
    limit = services.config.media.max_photo_bytes
    form, photo = await _read(request, limit)
    check_csrf(request, form)
    commune = next((c for c in officer.communes if str(c.id) == form.get("commune")), None)
    if commune is None or not await services.broadcasts.may_announce(
            officer.person.id, commune.id):
        return _back(None, "not_allowed")
    text = str(form.get("text") or "").strip()
    markup = escape(text, quote=False)  # what was typed, shown as typed
    if not text and photo is None:
        return _back(commune.id, "empty")
    room = CAPTION_LIMIT if photo is not None else TEXT_LIMIT
    if visible_length(markup) > room - 100:  # room for the header that signs it
        return _back(commune.id, "too_long")
    photo_path = None
    if photo is not None:
        if len(photo) > limit:
            return _back(commune.id, "photo_too_big")
        kind = image_type_of(photo[:HEAD_BYTES])
        if kind not in ("image/jpeg", "image/png"):  # what every messenger takes as a photo
            return _back(commune.id, "not_a_photo")
        stored = await services.media.files.put(photo, "photo", kind)
        photo_path = str(services.media.files.path(stored.key))
    audience = await _audience(context, commune, form)
    urgent = form.get("urgent") == "on"
    if await services.broadcasts.count(audience, urgent=urgent) == 0:
        return _back(commune.id, "nobody")
    message = services.broadcasts.signed(OutMessage(text=markup, photo_path=photo_path),
                                         commune)
    when = str(form.get("when") or "").strip()
    repeat = str(form.get("repeat") or "").strip()[:60]
    if repeat and not when:  # typed the chat's way: a repetition, or a moment
        try:
            parsed = parse_when(repeat, services.clock.now(), services.config.locale.tz)
        except PastMoment:
            return _back(commune.id, "past")
        if parsed is None:
            return _back(commune.id, "bad_repeat")
        if isinstance(parsed, str):
            await services.broadcasts.repeat(audience, message, parsed, officer.person.id)
            return _back(commune.id, "repeating")
        await services.broadcasts.schedule(audience, message, parsed, urgent=urgent,
                                           created_by=officer.person.id, origin="web")
        return _back(commune.id, "scheduled")
    if not when:
        await services.broadcasts.send(audience, message, urgent=urgent,
                                       created_by=officer.person.id, origin="web")
        return _back(commune.id, "sent")
    try:
        moment = datetime.fromisoformat(when).replace(tzinfo=services.config.locale.tz)
    except ValueError:
        return _back(commune.id, "bad_time")
    if moment <= services.clock.now():
        return _back(commune.id, "past")
    await services.broadcasts.schedule(audience, message, moment, urgent=urgent,
                                       created_by=officer.person.id, origin="web")
    return _back(commune.id, "scheduled")


async def _read(request: web.Request, limit: int) -> tuple[MultiDict[str], bytes | None]:
    """The compose form's fields and its photo (None if none was chosen): multipart read
    part by part, so a photo up to `limit` (and one byte more, to tell it is too large)
    passes the web server's small limit for forms."""
    if not request.content_type.startswith("multipart/"):
        posted = await request.post()
        return MultiDict((k, v) for k, v in posted.items() if isinstance(v, str)), None
    fields: MultiDict[str] = MultiDict()
    photo: bytes | None = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.name == "photo" and part.filename:
            data = bytearray()
            while chunk := await part.read_chunk():
                data += chunk
                if len(data) > limit:
                    break
            photo = bytes(data) if data else None
        elif part.name != "photo":
            value = await part.read(decode=True)
            if len(value) > FIELD_LIMIT:
                raise web.HTTPRequestEntityTooLarge(max_size=FIELD_LIMIT, actual_size=len(value))
            fields.add(part.name, value.decode("utf-8", "replace"))
    return fields, photo


async def reach(request: web.Request) -> web.Response:
    """`GET /loudspeaker/reach?commune=…&hamlet=…`: how many the audience chosen so far
    would reach, on each messenger (the compose form asks as it changes)."""
    context, officer = context_of(request), officer_of(request)
    services = context.services
    commune = next((c for c in officer.communes if str(c.id) == request.query.get("commune")),
                   None)
    if commune is None or not await services.broadcasts.may_announce(
            officer.person.id, commune.id):
        raise web.HTTPNotFound()
    audience = await _audience(context, commune, request.query)
    counted = await services.broadcasts.reach(audience, urgent=request.query.get("urgent") == "on")
    return web.json_response(_reach(context, counted), headers={"Cache-Control": "no-store"})


def _reach(context: WebContext, counted: Mapping[Channel, int]) -> dict[str, Any]:
    total = sum(counted.values())
    return {"total": total, "text": context.t("web.loud_reach", count=total), "channels": [
        {"channel": channel, "label": context.t(f"web.fig_channel_{channel}"), "count": count}
        for channel, count in sorted(counted.items())]}


async def _audience(context: WebContext, commune: Commune, form: MultiMapping[Any]
                    ) -> Audience:
    """The audience a form chose: only this commune's areas and the catalog's groups count."""
    services, store = context.services, context.services.store
    hamlets = {h.id for h in await store.areas.hamlets(commune.id)}
    teams = {t.id for t in await store.areas.teams(commune.id)}
    return Audience(
        commune.id, tuple(i for i in _ids(_all(form, "hamlet")) if i in hamlets),
        tuple(i for i in _ids(_all(form, "team")) if i in teams),
        tuple(k for k in _all(form, "kind") if k in services.catalog.team_kinds),
        tuple(g for g in _all(form, "tag") if g in services.catalog.tags))


async def cancel(request: web.Request) -> web.Response:
    """Cancel an announcement still waiting for its time (an officer of its commune)."""
    context, officer = context_of(request), officer_of(request)
    form = await request.post()
    check_csrf(request, form)
    value = request.match_info["broadcast_id"]
    if not value.isdigit() or len(value) > 9:
        raise web.HTTPNotFound()
    broadcast = await context.services.store.broadcasts.get(int(value))
    if broadcast is None or broadcast.commune_id not in {c.id for c in officer.communes}:
        raise web.HTTPNotFound()
    broadcasts = context.services.broadcasts
    done = await broadcasts.cancel(broadcast.id, officer.person.id, origin="web")
    if done is not None:  # its "scheduled" message in chat says so, as a cancel there does
        await broadcasts.note_cancelled(done, context.t("campaign.cancelled_note"))
    return _back(broadcast.commune_id, "cancelled" if done is not None else "gone")


def _all(form: MultiMapping[Any], name: str) -> tuple[str, ...]:
    return tuple(v for v in form.getall(name, []) if isinstance(v, str))


def _ids(values: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(int(v) for v in values if v.isdigit() and len(v) < 10)


def _back(commune_id: int | None, done: str) -> web.Response:
    where = f"/loudspeaker?done={done}" + (f"&commune={commune_id}" if commune_id else "")
    return web.Response(status=303, headers={"Location": where})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/loudspeaker", page)
    app.router.add_post("/loudspeaker/send", send)
    app.router.add_get("/loudspeaker/reach", reach)
    app.router.add_post("/loudspeaker/cancel/{broadcast_id}", cancel)
