"""Shared test data and conversation steps."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from pathlib import Path

from bot.app import build_application, running
from bot.clock import Clock, SystemClock
from bot.config import Config, ContentConfig
from bot.context import AnninhApp, Services
from bot.media import MediaStore
from bot.sandbox import SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.services.media import MediaService
from bot.store import Store

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
# The suite's commune: the contract's example, Xã Hưng Lộc (the shipped sample is another).
SAMPLE_AREAS = ROOT / "tests" / "fixtures" / "areas.hung-loc.toml"
SHIPPED_AREAS = CONTENT / "areas.sample.toml"
TOKEN = "123456:TEST-TOKEN"

# People of the sample commune (tests/fixtures/areas.hung-loc.toml; the shipped sample
# keeps them too).
OFFICER_ID = 1001
LEADER_ID = 2001  # leader of "Tổ an ninh nhân dân số 1" (join code HN01)
STAFF_CHAT_ID = -1001000000001


def copy_content(tmp_path: Path) -> Path:
    """A copy of the shipped content folder, to add campaign files to (the shipped campaigns
    name no commune: they speak to the suite's, the only one)."""
    folder = tmp_path / "content"
    shutil.copytree(ContentConfig().folder, folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


def free_port() -> int:
    """A local TCP port nobody listens on (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def onboard(person: SimUser, hamlet: str = "Ấp Hưng Nhơn") -> None:
    """The shortest onboarding: /start, agree, pick the hamlet, no tags."""
    await person.command("start")
    await person.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await person.press("Đồng ý")
    await person.wait_for("ấp")
    await person.press(hamlet)
    await person.wait_for("nhóm")
    await person.press("Xong")
    await person.wait_for("Cảm ơn bạn")


async def onboard_on_zalo(person: SimZaloUser, first: str = "xin chào") -> None:
    """Whatever the first message says, onboarding starts; consent, hamlet, no groups."""
    await person.send(first)
    await person.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await person.choose("Đồng ý")
    await person.wait_for("ấp")
    await person.choose("Ấp Hưng Nhơn")
    await person.wait_for("nhóm")
    await person.choose("Xong")
    await person.wait_for("Cảm ơn bạn")


async def sound_gong(leader: SimUser, kind: str = "Trộm") -> None:
    """A leader's /keng of the given kind, to their team, up to "Phát kẻng" pressed."""
    await leader.command("keng")
    await leader.wait_for("Việc gì")
    await leader.press(kind)
    await leader.wait_for("Phát kẻng")
    await leader.press("Phát kẻng")


def zalo_section(zalo: ZaloSandbox, extra: str = "") -> str:
    """config.toml's [zalo_bot] for a bot talking to this Zalo sandbox (the token's variable
    must be set: see the `zalo_config` fixture)."""
    return f'[zalo_bot]\napi_base_url = "{zalo.api_base_url}"\npoll_timeout_seconds = 1\n{extra}'


class BotRunner:
    """Starts the real Application against the sandbox; stop and start again to restart."""

    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock
        self._running: list[contextlib.AbstractAsyncContextManager[AnninhApp]] = []

    async def start(self) -> AnninhApp:
        context = running(build_application(self.config, TOKEN, self.clock), poll_timeout=1)
        app = await context.__aenter__()
        self._running.append(context)
        # The bot caught up at start; from now on tests tick the schedules by hand, with the
        # clock they move, and nothing races them.
        scheduler = services_of(app).scheduler
        await asyncio.wait_for(scheduler.caught_up.wait(), 10)
        scheduler.by_hand = True
        return app

    async def stop(self) -> None:
        """Stops the newest running bot as SIGTERM would: persistence flushed, store closed."""
        await self._running.pop().__aexit__(None, None, None)

    async def stop_all(self) -> None:
        while self._running:
            await self.stop()


def services_of(app: AnninhApp) -> Services:
    services: Services = app.bot_data["services"]
    return services


def media_service(store: Store, config: Config, clock: Clock | None = None) -> MediaService:
    """The media service of a bot on this config (for services built by hand)."""
    return MediaService(store, MediaStore(config.media.folder, clock), config.media,
                        clock or SystemClock())
