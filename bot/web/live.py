"""Live updates (`GET /live`, server-sent events): each open queue page hears of every report
of its officer's communes that is filed or changes, and fetches its table again. The session
is checked again before each event and each keep-alive, so a removed officer's stream ends
within a keep-alive."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from aiohttp import web

from bot.models import Report
from bot.services.report_values import ReportChange
from bot.web.context import context_of
from bot.web.security import cookie_name

KEEP_ALIVE_SECONDS = 15.0
CLOSE = -1  # a client's queue: the server is stopping
BACKLOG = 64  # events a slow page may lag behind (it refetches everything on any one)


@dataclass(eq=False)
class Client:
    communes: frozenset[int]
    events: asyncio.Queue[int] = field(default_factory=lambda: asyncio.Queue(BACKLOG))


class Live:
    """The open streams, and the listeners the services' events call."""

    def __init__(self) -> None:
        self._clients: set[Client] = set()

    def join(self, communes: frozenset[int]) -> Client:
        client = Client(communes)
        self._clients.add(client)
        return client

    def leave(self, client: Client) -> None:
        self._clients.discard(client)

    async def filed(self, report: Report, duplicate: Report | None) -> None:
        del duplicate
        self._tell(report)

    async def changed(self, change: ReportChange) -> None:
        self._tell(change.report)

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
    client = context.live.join(frozenset(commune.id for commune in staff.communes))
    try:
        await response.write(b"retry: 3000\n\n")
        while True:
            try:
                report_id: int | None = await asyncio.wait_for(client.events.get(),
                                                               KEEP_ALIVE_SECONDS)
            except TimeoutError:
                report_id = None
            if report_id == CLOSE or await context.services.web_auth.staff(token) is None:
                break
            await response.write(b": keep-alive\n\n" if report_id is None
                                 else f"event: report\ndata: {report_id}\n\n".encode())
    except ConnectionResetError:
        pass
    finally:
        context.live.leave(client)
    return response
