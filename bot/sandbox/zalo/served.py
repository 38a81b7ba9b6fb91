"""The lifecycle both Zalo emulators share: serve their aiohttp app on a local port, push
webhooks while running, end pending long polls and close on stop."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from aiohttp import web


class _World(Protocol):
    base_url: str
    closing: bool

    def wake(self) -> None: ...


class _Pusher(Protocol):
    def start(self) -> None: ...

    async def stop(self) -> None: ...


class Served:
    """`start`/`stop`, or `async with`, around the app `app()` builds."""

    world: _World
    webhook: _Pusher
    _runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on `host:port` (port 0 picks a free one)."""
        # A request whose client hung up (a bot stopped mid-poll) is cancelled: the update it
        # waited for stays queued for the next poll (ZALO.md notes consumed updates coming
        # back on the real platform), so an update is not lost to a dropped connection.
        runner = web.AppRunner(self.app(), access_log=None, handle_signals=False,
                               shutdown_timeout=1.0, handler_cancellation=True)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self.world.base_url = f"http://{host}:{runner.addresses[0][1]}"
        self.world.closing = False
        self.webhook.start()

    async def stop(self) -> None:
        """End pending long polls, then close the server."""
        self.world.closing = True
        self.world.wake()
        await self.webhook.stop()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.stop()
