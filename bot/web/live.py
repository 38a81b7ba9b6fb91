"""Live updates (`GET /live`, server-sent events): each open queue page hears of every report
of its officer's communes that is filed or changes, and fetches its table again; the
loudspeaker page (`/live?broadcasts=ID,…`: the ones it shows still going, told at once) hears
how far each of its communes' broadcasts has gone — sent / total per messenger, as the
delivery engine records them (bot/web/progress.py).
The session is checked again before each event and each keep-alive, so a removed officer's
stream ends within a keep-alive."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field

from aiohttp import web

from bot.models import Report
from bot.services.report_values import ReportChange
from bot.web.context import WebContext, context_of
from bot.web.progress import progress
from bot.web.security import cookie_name

KEEP_ALIVE_SECONDS = 15.0
CLOSE = -1  # a client's queue: the server is stopping
BROADCASTS = -2  # a client's queue: broadcasts moved (the ids wait in Client.broadcasts)
BACKLOG = 64  # events a slow page may lag behind (it refetches everything on any one)
MAX_WATCHED = 20  # broadcasts a page may ask the state of when its stream starts


@dataclass(eq=False)
class Client:
    communes: frozenset[int]
    wants_broadcasts: bool = False
    events: asyncio.Queue[int] = field(default_factory=lambda: asyncio.Queue(BACKLOG))
    # Broadcasts that moved since the stream last told them: each is told once however many
    # times it moved meanwhile (a large broadcast records outcomes many times a second).
    broadcasts: set[int] = field(default_factory=set)


class Live:
    """The open streams, and the listeners the services' events call."""

    def __init__(self) -> None:
        self._clients: set[Client] = set()

    def join(self, communes: frozenset[int], broadcasts: bool = False) -> Client:
        client = Client(communes, broadcasts)
        self._clients.add(client)
        return client

    def leave(self, client: Client) -> None:
        self._clients.discard(client)

    async def filed(self, report: Report, duplicate: Report | None) -> None:
        del duplicate
        self._tell(report)

    async def changed(self, change: ReportChange) -> None:
        self._tell(change.report)

    def progressed(self, broadcast_ids: set[int]) -> None:
        """The delivery engine recorded outcomes of these broadcasts (their communes are
        checked by each stream, which reads them anyway)."""
        for client in list(self._clients):
            if not client.wants_broadcasts:
                continue
            waiting = bool(client.broadcasts)
            client.broadcasts.update(broadcast_ids)
            if not waiting:  # else a marker is queued already
                with contextlib.suppress(asyncio.QueueFull):  # told after the next event
                    client.events.put_nowait(BROADCASTS)

    def _tell(self, report: Report) -> None:
        for client in list(self._clients):
            if report.commune_id in client.communes:
                with contextlib.suppress(asyncio.QueueFull):
                    client.events.put_nowait(report.id)

    async def close(self, _app: web.Application | None = None) -> None:
        """End every stream (the server is stopping: it must not wait for them)."""
        for client in list(self._clients):
            with contextlib.suppress(asyncio.QueueFull):
                client.events.put_nowait(CLOSE)


async def stream(request: web.Request) -> web.StreamResponse:
    context = context_of(request)
    token = request.cookies.get(cookie_name(context.config.secure), "")
    staff = await context.services.web_auth.staff(token)
    if staff is None:
        raise web.HTTPUnauthorized()
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no"})
    await response.prepare(request)
    watched = request.query.get("broadcasts")
    client = context.live.join(frozenset(commune.id for commune in staff.communes),
                               broadcasts=watched is not None)
    # The broadcasts the page shows still going: their state now, for what moved between
    # the page's rendering and this stream's start (or while it reconnected).
    client.broadcasts.update(int(i) for i in (watched or "").split(",")[:MAX_WATCHED]
                             if i.isdigit() and len(i) < 10)
    try:
        await response.write(b"retry: 3000\n\n")
        if client.broadcasts:
            await response.write(await _progress(context, client))
        while True:
            try:
                event: int | None = await asyncio.wait_for(client.events.get(),
                                                           KEEP_ALIVE_SECONDS)
            except TimeoutError:
                event = None
            if event == CLOSE or await context.services.web_auth.staff(token) is None:
                break
            if event is None:
                await response.write(b": keep-alive\n\n")
            elif event != BROADCASTS:
                await response.write(f"event: report\ndata: {event}\n\n".encode())
            if client.broadcasts:
                await response.write(await _progress(context, client))
    except ConnectionResetError:
        pass
    finally:
        context.live.leave(client)
    return response


async def _progress(context: WebContext, client: Client) -> bytes:
    """The events of the client's broadcasts that moved, of its communes only."""
    moved, client.broadcasts = client.broadcasts, set()
    events = []
    for broadcast_id in sorted(moved):
        broadcast = await context.services.store.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.commune_id not in client.communes:
            continue
        data = json.dumps(await progress(context, broadcast), ensure_ascii=False)
        events.append(f"event: broadcast\ndata: {data}\n\n")
    return "".join(events).encode()
