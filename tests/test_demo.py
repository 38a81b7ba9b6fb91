"""`anninh demo` and `anninh sandbox` run the real bot offline."""

from __future__ import annotations

import asyncio
import io
import os
import re

import aiohttp
import pytest

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
    code = await run_demo(load_config_or_defaults(None), output=out)
    transcript = out.getvalue()
    assert code == 0, transcript[-4000:]  # the end of the transcript says where it stopped
    assert "[Telegram] Lan → bot: /start join_HN01" in transcript
    assert "Tổ trưởng đã duyệt" in transcript
    assert "Demo finished: 9 scene(s)" in transcript
    # Team life: a patrol checked in and confirmed; an officer's "Khen" for a report.
    scene = transcript.split("== Leader Bình plans a patrol shift")[1].split("\n== ")[0]
    assert "[Telegram] Lan presses [▶️ Bắt đầu]" in scene
    assert "📍 Đã lưu nơi bắt đầu: cổng chợ Dốc Mơ" in scene
    assert "[Telegram] Bình presses [✅ Lan Nguyễn (" in scene
    assert "+10 — Đi tuần tra (tổ trưởng xác nhận)" in scene
    scene = transcript.split("== Officer Hùng looks up Minh's")[1].split("\n== ")[0]
    assert "[Telegram] Cán bộ Hùng presses [🏅 Khen người báo tin]" in scene
    assert "bot → Minh: 🏅 Công an xã cảm ơn bạn" in scene
    officer_saw = scene.split("Cán bộ Hùng presses [🏅 Khen người báo tin]")[1].split(
        "bot → Minh: 🏅")[0]
    assert "Minh" not in officer_saw  # the officer is never told who it is
    assert re.search(r"Web console on the demo's data .*\n  http://127\.0\.0\.1:\d+/login/"
                     r"[\w-]{20,}\n.*anninh demo --serve", transcript)
    # A resident on Zalo and an officer on Telegram share one story.
    scene = transcript.split("== Chị Hoa, on Zalo")[1].split("\n== ")[0]
    assert "[Zalo] Chị Hoa → bot: báo tin" in scene
    assert "[Zalo] Chị Hoa → bot: 1 (= 🥷 Trộm cắp)" in scene  # a number, and what it picked
    assert "‹1. 🥷 Trộm cắp · 2. " in scene  # the choices the bot listed, numbered
    assert "[Zalo] Chị Hoa → bot: [image]" in scene
    code = scene.split("Mã tin của bạn: ")[1].split()[0]
    card = [line for line in scene.splitlines() if "[Telegram] bot ✎ Công an xã" in line][-1]
    assert code in card and "Người báo: Chị Hoa" in card and "Đã tiếp nhận" in card
    # A follower of the commune's Official Account: a follow, buttons pressed, a shared place.
    scene = transcript.split("== Anh Tư follows")[1].split("\n== ")[0]
    assert "[Zalo OA] Anh Tư → bot: [follow]" in scene
    assert "[Zalo OA] Anh Tư → bot: [✅ Đồng ý]" in scene  # an oa.query button pressed
    assert "[Zalo OA] Anh Tư → bot: [location] 11.0698, 107.1687" in scene
    code = scene.split("Mã tin của bạn: ")[1].split()[0]
    assert f"[Zalo OA] bot → Anh Tư: ✅ Tin {code} của bạn đã được công an xã tiếp nhận" \
        in scene
    assert "Zalo OA events, all offline." in transcript


async def test_the_quiet_demo_prints_one_line() -> None:
    out = io.StringIO()
    assert await run_demo(load_config_or_defaults(None), quiet=True, output=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Demo finished: 9 scene(s)"), lines


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
    assert "[1] Ấp Dốc Mơ" in screen.getvalue()


async def test_the_zalo_console_files_a_report_the_telegram_staff_group_gets() -> None:
    """On Zalo a number is typed, not pressed; the card in the officers' Telegram group is
    shown as it arrives."""
    screen = Screen()
    script = iter([
        ("", "xin chào"),
        ("1. ✅ Đồng ý", "1"),
        ("1. Ấp Dốc Mơ", "1"),
        ("9. Xong", "xong"),
        ("Cảm ơn bạn", "báo tin"),
        ("1. 🥷 Trộm cắp", "1"),
        ("chuyện gì đã xảy ra", "Mất trộm con gà trong chuồng"),
        ("ở đâu", "sau nhà văn hóa ấp Dốc Mơ"),
        ("Bạn có ảnh không", "/photo chuồng gà"),
        ("Đã nhận ảnh 1", "Xong"),
        ("1. 🙈 Ẩn danh", "1"),
        ("Kiểm tra lại tin báo", "1"),
        ("[Telegram] bot → Công an xã Thống Nhất: 📣 Tin báo TB-", "/sticker"),
        ("Để báo tin về an ninh, trật tự", "/quit"),  # a sticker outside a flow
    ])

    async def person(prompt: str) -> str:
        wait, line = next(script)
        if wait:
            await screen.wait_for(wait)
        return line

    config = load_config_or_defaults(None)
    assert await run_console_session(config, 3001, channel="zalo", input_fn=person,
                                     output=screen) == 0
    shown = screen.getvalue()
    assert "bot: Bạn ở ấp/khu phố nào" in shown and "\n  1. Ấp Dốc Mơ   2. " in shown
    assert "Đã gửi tin báo" in shown and "Người báo: ẩn danh" in shown


async def test_offline_bot_uses_its_own_database_and_the_sandbox() -> None:
    config = load_config_or_defaults(None)
    async with offline_bot(config) as offline:
        app = offline.app
        assert app.bot.base_url.startswith(offline.telegram.api_base_url)
        running_config = app.bot_data["config"]
        assert running_config.database.path != config.database.path
        assert running_config.zalo_bot.api_base_url == offline.zalo.api_base_url
        assert running_config.zalo_oa.api_base_url == offline.oa.base_url
        assert "ZALO_BOT_TOKEN" not in os.environ  # the token was handed over, not exported
        assert "ZALO_APP_SECRET" not in os.environ and "ZALO_OA_SECRET_KEY" not in os.environ


async def test_the_console_numbers_once_a_screen_and_the_officer_acts_in_the_group() -> None:
    """Lan reports: at the place the hamlets and the location keyboard are numbered on (not
    two [1]s), and the location button's number asks for /loc rather than making one up;
    then the officer, in the police's group, accepts the card by its number."""
    screen = Screen()
    script = iter([
        (None, "/start"), ("[1] ✅ Đồng ý", "1"), ("Bạn ở ấp/khu phố nào", "/baotin"),
        ("Trộm cắp", "1"), ("chuyện gì đã xảy ra", "Mất xe đạp trước cổng"),
        ("📍 Gửi vị trí", "5"), ("/loc LAT LON", "/loc 11.07 107.17"),
        ("Bạn có ảnh không", "2"), ("Bạn muốn gửi tin thế nào", "1"),
        ("Kiểm tra lại tin báo", "1"), ("Đã gửi tin báo", "/as 1001"),
        ("now chatting as", "/group"), ("[1] ✅ Tiếp nhận", "1"),
        ("đã được công an xã tiếp nhận", "/quit"),  # Lan told, shown on this screen too
    ])

    async def person(prompt: str) -> str:
        wait, line = next(script)
        if wait:
            await screen.wait_for(wait)
        return line

    assert await run_console_session(load_config_or_defaults(None), 3001, input_fn=person,
                                     output=screen) == 0
    shown = screen.getvalue()
    place = shown[shown.index("Sự việc xảy ra ở đâu"):shown.index("to share a location")]
    assert "[1] Ấp Dốc Mơ" in place and "[5] 📍 Gửi vị trí" in place
    assert place.count("[1]") == 1  # numbered once on the screen
    assert "\n  Bấm Gửi vị trí" in shown  # the message's own line breaks are kept
    assert "✅ Đã tiếp nhận — Cán bộ Hùng" in shown  # the card, accepted in the group


async def test_the_served_demo_keeps_its_console_open_until_ctrl_c() -> None:
    """`anninh demo --serve`: after the scenes, a login link that opens the console on the
    demo's reports; the bot runs on until it is cancelled, as Ctrl-C does."""
    screen = Screen()
    demo = asyncio.create_task(run_demo(load_config_or_defaults(None), quiet=True,
                                        serve=True, output=screen))
    while "Serving until Ctrl-C" not in screen.getvalue():
        screen.printed.clear()
        await asyncio.wait_for(screen.printed.wait(), timeout=120)  # the scenes take a while
    link = re.search(r"(http://127\.0\.0\.1:\d+)/login/[\w-]+", screen.getvalue())
    assert link is not None
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        page = await (await browser.get(link[0])).text()
        nonce = re.search(r'name="nonce" value="([^"]+)"', page)
        assert nonce is not None
        queue = await browser.post(f"{link[1]}/login", data={
            "token": link[0].rsplit("/", 1)[1], "nonce": nonce[1]})
        listed = await queue.text()
        assert queue.status == 200 and "Cán bộ Hùng" in listed and "TB-000002" in listed
    assert not demo.done()  # still serving
    demo.cancel()
    with pytest.raises(asyncio.CancelledError):
        await demo
