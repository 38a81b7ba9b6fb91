"""`anninh demo` and `anninh sandbox`: the real bot, offline, on the local Telegram, Zalo Bot
Platform and Zalo Official Account sandboxes."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from bot.app import build_application, running
from bot.catalog import Catalog
from bot.config import Config, ZaloBotConfig
from bot.context import AnninhApp
from bot.demo_broadcast import campaign_goes_out, officer_announces
from bot.demo_oa import connect_oa, oa_config, oa_follower_reports, oa_line
from bot.demo_team import officer_commends_a_reporter, patrol_checked_in_and_confirmed
from bot.demo_web import tell_console, with_console
from bot.sandbox import Event, Sandbox, SimGroup, SimUser, format_event
from bot.sandbox.console import InputFn, run_console
from bot.sandbox.zalo import ZaloSandbox
from bot.sandbox.zalo.console import run_zalo_console
from bot.sandbox.zalo.views import ZaloTranscript
from bot.sandbox.zalo_oa import OaSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store

DEMO_TOKEN = "123456:OFFLINE-SANDBOX"
Channel = Literal["telegram", "zalo"]


@dataclass(frozen=True)
class OfflineBot:
    """The bot running offline, and the messengers' sandboxes it talks to."""

    telegram: Sandbox
    zalo: ZaloSandbox
    oa: OaSandbox
    app: AnninhApp


def _offline_config(config: Config, telegram: Sandbox, zalo: ZaloSandbox, oa: OaSandbox,
                    folder: str) -> Config:
    """`config` pointed at the sandboxes and a temporary database; Zalo long-polls briefly,
    the OA emulator posts to the bot's webhook on a free local port."""
    zalo_bot = dataclasses.replace(
        config.zalo_bot or ZaloBotConfig(), enabled=True, mode="polling",
        api_base_url=zalo.api_base_url, poll_timeout_seconds=1.0)
    return dataclasses.replace(
        config,
        telegram=dataclasses.replace(config.telegram, api_base_url=telegram.api_base_url),
        database=dataclasses.replace(config.database, path=Path(folder) / "demo.sqlite3"),
        zalo_bot=zalo_bot,
        zalo_oa=oa_config(config, oa),
    )


@asynccontextmanager
async def offline_bot(config: Config) -> AsyncIterator[OfflineBot]:
    """The sandboxes, a temporary database holding the sample commune (its OA connected),
    and the bot running on Telegram, Zalo and the OA. The Zalo token and the OA's secrets are
    handed to the bot, not put in the environment."""
    with tempfile.TemporaryDirectory(prefix="anninh-") as folder:
        async with Sandbox() as sandbox, ZaloSandbox() as zalo, OaSandbox() as oa:
            offline = _offline_config(config, sandbox, zalo, oa, folder)
            store = await Store.open(offline.database.path)
            try:
                catalog = Catalog.load(offline.content.folder)
                sample = offline.content.folder / "areas.sample.toml"
                await load_areas(store, parse_areas(sample, catalog), "demo")
                await connect_oa(store, oa)
            finally:
                await store.close()
            app = build_application(offline, DEMO_TOKEN, zalo_token=zalo.token,
                                    zalo_oa_secrets=(oa.app_secret, oa.oa_secret))
            async with running(app, poll_timeout=1):
                yield OfflineBot(sandbox, zalo, oa, app)


Step = Callable[[OfflineBot], Awaitable[None]]


async def _resident_joins_a_team(offline: OfflineBot) -> None:
    sandbox = offline.telegram
    lan = sandbox.user(3001, first_name="Lan", last_name="Nguyễn")
    binh = sandbox.user(2001, first_name="Bình", last_name="Trần")
    await binh.command("start")
    await binh.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await binh.press("Đồng ý")
    await binh.wait_for("ấp")
    await binh.press("Dốc Mơ")
    await binh.wait_for("nhóm")
    await binh.press("Xong")
    await binh.wait_for("Cảm ơn bạn")
    await lan.command("start", "join_HN01")
    await lan.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await lan.press("Đồng ý")
    await lan.wait_for("ấp")
    await lan.send("doc mo")
    await lan.wait_for("nhóm")
    await lan.press("Phụ nữ")
    await lan.wait_for("nhóm")
    await lan.press("Xong")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    await binh.wait_for("xin tham gia")
    await binh.press("Duyệt")
    await lan.wait_for("Tổ trưởng đã duyệt")
    await lan.command("to")
    await lan.wait_for("Tổ an ninh nhân dân số 1")


async def _leader_sounds_the_gong(offline: OfflineBot) -> None:
    sandbox = offline.telegram
    binh, lan = sandbox.user(2001), sandbox.user(3001)
    police = sandbox.group(-1001000000001, "Công an xã Thống Nhất",
                           members=[sandbox.user(1001, first_name="Cán bộ Hùng")])
    await binh.command("keng")
    await binh.wait_for("Việc gì")
    await binh.press("Trộm")
    await binh.wait_for("Phát kẻng")
    await binh.send("Nhà ông Tư, cuối hẻm 3")
    await binh.wait_for("Nhà ông Tư")
    await binh.press("Phát kẻng")
    await binh.wait_for("Đã phát kẻng")
    await police.wait_for("đã phát kẻng")
    await lan.wait_for("KẺNG AN NINH")
    await lan.answer_for(await lan.press("Đang đến"))
    await binh.wait_for("Đang đến (1)")
    await binh.press("Đã an toàn")
    await lan.wait_for("ĐÃ AN TOÀN")


async def _resident_reports_a_theft(offline: OfflineBot) -> None:
    sandbox = offline.telegram
    officer = sandbox.user(1001, first_name="Cán bộ Hùng")
    staff = sandbox.group(-1001000000001, "Công an xã Thống Nhất", members=[officer])
    minh = sandbox.user(3002, first_name="Minh", last_name="Lê")
    await minh.command("start")
    await minh.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await minh.press("Đồng ý")
    await minh.wait_for("ấp")
    await minh.press("Tân Yên")
    await minh.wait_for("nhóm")
    await minh.press("Xong")
    await minh.wait_for("Cảm ơn bạn")
    await minh.command("baotin")
    await minh.wait_for("Báo tin cho công an xã")
    await minh.press("Trộm cắp")
    await minh.wait_for("chuyện gì đã xảy ra")
    await minh.send("Đêm qua mất xe máy Wave màu đỏ trước cửa nhà, khoảng 2 giờ sáng.")
    await minh.wait_for("ở đâu")
    await minh.wait_for("Các nút gửi vị trí")
    await minh.tap("Gửi vị trí", latitude=11.0712, longitude=107.1723)
    await minh.wait_for("Bạn có ảnh không")
    await minh.send_photo()
    await minh.wait_for("Đã nhận ảnh 1")
    await minh.press("Xong")
    await minh.wait_for("Bạn muốn gửi tin thế nào")
    await minh.press("Ẩn danh")
    await minh.wait_for("Kiểm tra lại tin báo")
    await minh.press("Gửi")
    await minh.wait_for("Đã gửi tin báo")
    await staff.wait_for("Tin báo TB-")
    await officer.press("Tiếp nhận", chat=staff)
    await staff.wait_for("Đã tiếp nhận")
    await minh.wait_for("đã được công an xã tiếp nhận")


async def _zalo_resident_reports_to_telegram_officers(offline: OfflineBot) -> None:
    """Chị Hoa writes to the bot on Zalo — numbers and keywords, no buttons — and the officers
    take her report from the staff group on Telegram."""
    officer = offline.telegram.user(1001, first_name="Cán bộ Hùng")
    staff = offline.telegram.group(-1001000000001, "Công an xã Thống Nhất", members=[officer])
    hoa = offline.zalo.user(4001, "Chị Hoa")
    await hoa.send("xin chào")  # a first message, whatever it says, starts onboarding
    await hoa.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await hoa.choose("Đồng ý")  # types the choice's number
    await hoa.wait_for("ấp")
    await hoa.choose("Ấp Dốc Mơ")
    await hoa.wait_for("nhóm")
    await hoa.send("xong")  # a choice's words work as well as its number
    await hoa.wait_for("Cảm ơn bạn")
    await hoa.send("báo tin")  # a keyword: no slash commands on Zalo
    await hoa.wait_for("Sự việc thuộc loại nào")
    await hoa.choose("Trộm cắp")
    await hoa.wait_for("chuyện gì đã xảy ra")
    await hoa.send("Khoảng 7 giờ sáng, một thanh niên đi xe máy giật túi xách của tôi rồi "
                   "chạy về hướng quốc lộ 1.")
    await hoa.wait_for("ở đâu")
    await hoa.send("cổng chợ ấp Dốc Mơ")  # a landmark: Zalo bots cannot receive a location
    await hoa.wait_for("Bạn có ảnh không")
    await hoa.send_image(caption="ảnh camera của tiệm tạp hóa")
    await hoa.wait_for("Đã nhận ảnh 1")
    await hoa.send("Xong")
    await hoa.wait_for("Bạn muốn gửi tin thế nào")
    await hoa.choose("Gửi kèm tên")
    await hoa.wait_for("Kiểm tra lại tin báo")
    await hoa.send("Gửi")
    sent = await hoa.wait_for("Đã gửi tin báo")
    code = next(word.rstrip(".") for word in sent.text.split() if word.startswith("TB-"))
    await staff.wait_for(code)
    await officer.press("Tiếp nhận", chat=staff)
    await staff.wait_for(predicate=lambda card: code in card.text and "Đã tiếp nhận" in card.text)
    await hoa.wait_for(f"Tin {code} của bạn đã được công an xã tiếp nhận")  # on Zalo


SCENES: list[tuple[str, Step]] = [
    ("The team leader and a resident start the bot; she opens the team's invitation link, "
     "agrees, and the leader approves",
     _resident_joins_a_team),
    ("The leader sounds the security gong; Lan answers “Đang đến”; all clear",
     _leader_sounds_the_gong),
    ("A resident reports a theft anonymously; officer 1001 accepts it in the staff group; "
     "the reporter is told, with the tracking code",
     _resident_reports_a_theft),
    ("Chị Hoa, on Zalo, onboards and reports a bag snatching with numbers and keywords; "
     "officer Hùng accepts it in the staff group on Telegram",
     _zalo_resident_reports_to_telegram_officers),
    ("Anh Tư follows the commune police's Zalo Official Account, agrees by its button and "
     "reports a break-in anonymously, the place shared from Zalo; officer Hùng accepts it "
     "on Telegram and Anh Tư hears it on the OA",
     oa_follower_reports),
    ("Officer Hùng announces a meeting to the whole commune (/thongbao → Toàn xã → Gửi ngay); "
     "residents get it; his message turns into the delivery summary",
     officer_announces),
    ("The scheduler reaches a slot of the campaign “Cảnh giác lừa đảo qua điện thoại”; "
     "residents get it with its quiz",
     campaign_goes_out),
    ("Leader Bình plans a patrol shift; Lan presses “Bắt đầu”, says where she starts and "
     "finishes; Bình confirms her in “Ai đã đi tuần” and she earns the patrol's points",
     patrol_checked_in_and_confirmed),
    ("Officer Hùng looks up Minh's anonymous report, marks it resolved and presses “Khen "
     "người báo tin”: Minh is thanked and earns points, and Hùng never learns who he is",
     officer_commends_a_reporter),
]


async def run_demo(
    config: Config, *, quiet: bool = False, output: TextIO | None = None, serve: bool = False,
) -> int:
    """Play every scene against the real bot and print the transcript on `output` (stdout),
    then a login link to the web console on the demo's data; with `quiet`, only the one-line
    summary, or the line saying where it failed; with `serve`, the link and the bot kept
    running until cancelled (Ctrl-C)."""
    output = sys.stdout if output is None else output  # looked up now, not when imported
    async with offline_bot(with_console(config)) as offline:
        if not quiet:
            offline.telegram.on_event(lambda event: _print_event(event, output))
            zalo_lines = ZaloTranscript()
            offline.zalo.on_event(lambda event: print("  " + zalo_lines.line(event), file=output))
            oa_lines = ZaloTranscript("[Zalo OA] ")
            offline.oa.on_event(
                lambda event: print("  " + oa_lines.line(oa_line(event)), file=output))
        for title, scene in SCENES:
            if not quiet:
                print(f"\n== {title} ==", file=output)
            try:
                await scene(offline)
            except (AssertionError, LookupError) as error:
                print(f"\nDemo failed in “{title}”: {error}", file=output)
                return 1
        gap = "" if quiet else "\n"
        print(f"{gap}Demo finished: {len(SCENES)} scene(s), {len(offline.telegram.log)} "
              f"Telegram, {len(offline.zalo.log)} Zalo and {len(offline.oa.log)} Zalo OA "
              "events, all offline.", file=output)
        if serve or not quiet:
            await tell_console(offline.app, serve, output)
    return 0


def _print_event(event: Event, output: TextIO) -> None:
    if event.kind == "callback_answer" and event.detail.startswith("("):
        return  # a silent answer to a press says nothing to a reader
    print("  [Telegram] " + format_event(event), file=output)


async def run_console_session(
    config: Config, user_id: int, *, channel: Channel = "telegram",
    input_fn: InputFn | None = None, output: TextIO | None = None,
) -> int:
    """An interactive chat with the offline bot: on Telegram as `user_id` (officer 1001,
    leader 2001, resident 3001), or on Zalo as a resident with the Zalo id `zalo_id(user_id)`."""
    output = sys.stdout if output is None else output
    async with offline_bot(config) as offline:
        sandbox = offline.telegram
        officer = sandbox.user(1001, first_name="Cán bộ Hùng")
        staff = sandbox.group(-1001000000001, "Công an xã Thống Nhất", members=[officer])
        if channel == "zalo":
            await _zalo_session(offline, staff, user_id, input_fn, output)
            return 0
        people: list[SimUser] = [sandbox.user(user_id, first_name=f"Người dùng {user_id}")]
        for person_id, name in ((1001, "Cán bộ Hùng"), (2001, "Tổ trưởng Bình"),
                                (3001, "Lan")):
            if person_id != user_id:
                people.append(sandbox.user(person_id, first_name=name))
        print("Offline sandbox: the real bot, a temporary database, the sample commune "
              "(officer 1001, leader 2001). Type /start to begin.", file=output)
        await run_console(sandbox, people, input_fn=input_fn, output=output)
    return 0


async def _zalo_session(
    offline: OfflineBot, staff: SimGroup, user_id: int, input_fn: InputFn | None,
    output: TextIO,
) -> None:
    """The console as Zalo residents; what the bot posts in the Telegram staff group shows."""
    print("Offline sandbox on Zalo: the real bot, a temporary database, the sample commune. "
          "Every Zalo persona is a resident; the police's staff group is on Telegram, and what "
          "the bot posts there is shown too. Say “xin chào” to begin.", file=output)
    personas = {user_id: f"Người dùng {user_id}"}
    personas.update({n: name for n, name in ((3001, "Lan"), (4001, "Chị Hoa")) if n != user_id})

    def show_staff(event: Event) -> None:
        if event.chat == staff.title and event.kind in ("bot_message", "edit"):
            print("  [Telegram] " + format_event(event), file=output)

    unsubscribe = offline.telegram.on_event(show_staff)
    try:
        await run_zalo_console(offline.zalo, personas, input_fn=input_fn, output=output)
    finally:
        unsubscribe()
