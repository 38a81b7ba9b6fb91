"""`anninh demo` and `anninh sandbox`: the real bot, offline, on the local Telegram sandbox."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO

from bot.app import build_application, running
from bot.catalog import Catalog
from bot.config import Config
from bot.context import AnninhApp
from bot.demo_broadcast import APP as DEMO_APP
from bot.demo_broadcast import campaign_goes_out, officer_announces
from bot.sandbox import Event, Sandbox, SimUser, format_event
from bot.sandbox.console import InputFn, run_console
from bot.services.areas import load_areas, parse_areas
from bot.store import Store

DEMO_TOKEN = "123456:OFFLINE-SANDBOX"


@asynccontextmanager
async def offline_bot(config: Config) -> AsyncIterator[tuple[Sandbox, AnninhApp]]:
    """The sandbox, a temporary database holding the sample commune, and the bot running."""
    with tempfile.TemporaryDirectory(prefix="anninh-") as folder:
        async with Sandbox() as sandbox:
            offline = dataclasses.replace(
                config,
                telegram=dataclasses.replace(config.telegram, api_base_url=sandbox.api_base_url),
                database=dataclasses.replace(config.database, path=Path(folder) / "demo.sqlite3"),
            )
            store = await Store.open(offline.database.path)
            try:
                catalog = Catalog.load(offline.content.folder)
                sample = offline.content.folder / "areas.sample.toml"
                await load_areas(store, parse_areas(sample, catalog), "demo")
            finally:
                await store.close()
            app = build_application(offline, DEMO_TOKEN)
            async with running(app, poll_timeout=1):
                yield sandbox, app


Step = Callable[[Sandbox], Awaitable[None]]


async def _resident_joins_a_team(sandbox: Sandbox) -> None:
    lan = sandbox.user(3001, first_name="Lan", last_name="Nguyễn")
    binh = sandbox.user(2001, first_name="Bình", last_name="Trần")
    await binh.command("start")
    await binh.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await binh.press("Đồng ý")
    await binh.wait_for("ấp")
    await binh.press("Hưng Nhơn")
    await binh.wait_for("nhóm")
    await binh.press("Xong")
    await binh.wait_for("Cảm ơn bạn")
    await lan.command("start", "join_HN01")
    await lan.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await lan.press("Đồng ý")
    await lan.wait_for("ấp")
    await lan.send("hung nhon")
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


async def _leader_sounds_the_gong(sandbox: Sandbox) -> None:
    binh, lan = sandbox.user(2001), sandbox.user(3001)
    police = sandbox.group(-1001000000001, "Công an xã Hưng Lộc",
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


async def _resident_reports_a_theft(sandbox: Sandbox) -> None:
    officer = sandbox.user(1001, first_name="Cán bộ Hùng")
    staff = sandbox.group(-1001000000001, "Công an xã Hưng Lộc", members=[officer])
    minh = sandbox.user(3002, first_name="Minh", last_name="Lê")
    await minh.command("start")
    await minh.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await minh.press("Đồng ý")
    await minh.wait_for("ấp")
    await minh.press("Hưng Hiệp")
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
    await minh.tap("Gửi vị trí", latitude=10.9512, longitude=107.1623)
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


SCENES: list[tuple[str, Step]] = [
    ("The team leader and a resident start the bot; she opens the team's invitation link, "
     "agrees, and the leader approves",
     _resident_joins_a_team),
    ("The leader sounds the security gong; Lan answers “Đang đến”; all clear",
     _leader_sounds_the_gong),
    ("A resident reports a theft anonymously; officer 1001 accepts it in the staff group; "
     "the reporter is told, with the tracking code",
     _resident_reports_a_theft),
    ("Officer Hùng announces a meeting to the whole commune (/thongbao → Toàn xã → Gửi ngay); "
     "residents get it; his message turns into the delivery summary",
     officer_announces),
    ("The scheduler reaches a slot of the campaign “Cảnh giác lừa đảo qua điện thoại”; "
     "residents get it with its quiz",
     campaign_goes_out),
]


async def run_demo(config: Config, *, quiet: bool = False, output: TextIO = sys.stdout) -> int:
    """Play every scene against the real bot and print the transcript."""
    async with offline_bot(config) as (sandbox, app):
        DEMO_APP.set(app)
        if not quiet:
            sandbox.on_event(lambda event: _print_event(event, output))
        for title, scene in SCENES:
            print(f"\n== {title} ==", file=output)
            try:
                await scene(sandbox)
            except (AssertionError, LookupError) as error:
                print(f"\nDemo failed in “{title}”: {error}", file=output)
                return 1
        print(f"\nDemo finished: {len(SCENES)} scene(s), {len(sandbox.log)} events, "
              "all offline.", file=output)
    return 0


def _print_event(event: Event, output: TextIO) -> None:
    if event.kind == "callback_answer" and event.detail.startswith("("):
        return  # a silent answer to a press says nothing to a reader
    print("  " + format_event(event), file=output)


async def run_console_session(
    config: Config, user_id: int, *, input_fn: InputFn | None = None, output: TextIO = sys.stdout
) -> int:
    """An interactive chat with the offline bot (officer 1001, leader 2001, resident 3001)."""
    async with offline_bot(config) as (sandbox, _):
        people: list[SimUser] = [sandbox.user(user_id, first_name=f"Người dùng {user_id}")]
        for person_id, name in ((1001, "Cán bộ Hùng"), (2001, "Tổ trưởng Bình"),
                                (3001, "Lan")):
            if person_id != user_id:
                people.append(sandbox.user(person_id, first_name=name))
        officer = sandbox.user(1001, first_name="Cán bộ Hùng")
        sandbox.group(-1001000000001, "Công an xã Hưng Lộc", members=[officer])
        print("Offline sandbox: the real bot, a temporary database, the sample commune "
              "(officer 1001, leader 2001). Type /start to begin.", file=output)
        await run_console(sandbox, people, input_fn=input_fn, output=output)
    return 0
