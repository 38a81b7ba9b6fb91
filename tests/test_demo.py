"""`anninh demo` and `anninh sandbox` run the real bot offline."""

from __future__ import annotations

import asyncio
import io

from bot.config import load_config_or_defaults
from bot.demo import offline_bot, run_console_session, run_demo


class Screen(io.StringIO):
    """A terminal a test can wait on: `printed` is set whenever something is written."""

    def __init__(self) -> None:
        super().__init__()
        self.printed = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        self.printed.set()
        return written

    async def wait_for(self, text: str) -> None:
        while text not in self.getvalue():
            self.printed.clear()
            await asyncio.wait_for(self.printed.wait(), timeout=5)


async def test_the_demo_plays_every_scene_and_exits_0() -> None:
    out = io.StringIO()
    assert await run_demo(load_config_or_defaults(None), output=out) == 0
    transcript = out.getvalue()
    assert "Lan → bot: /start join_HN01" in transcript
    assert "Tổ trưởng đã duyệt" in transcript
    assert "Demo finished" in transcript


async def test_the_console_chats_with_the_real_bot() -> None:
    screen = Screen()
    lines = iter(["/start", "1", "/quit"])

    async def person(prompt: str) -> str:
        line = next(lines)
        if line == "1":  # press "Đồng ý" once the consent question is on the screen
            await screen.wait_for("[1] ✅ Đồng ý")
        if line == "/quit":  # leave once the bot asked for the hamlet
            await screen.wait_for("Bạn ở ấp/khu phố nào")
        return line

    config = load_config_or_defaults(None)
    assert await run_console_session(config, 3001, input_fn=person, output=screen) == 0
    assert "[1] Ấp Dầu Giây" in screen.getvalue()


async def test_offline_bot_uses_its_own_database_and_the_sandbox() -> None:
    config = load_config_or_defaults(None)
    async with offline_bot(config) as (sandbox, app):
        assert app.bot.base_url.startswith(sandbox.api_base_url)
        assert app.bot_data["config"].database.path != config.database.path
