"""`anninh demo` on the commune police's Zalo Official Account: the OA emulator wired to the
offline bot (the sample commune names its OA, whose tokens the bot holds), and the scene of
a follower who reports and hears the officer's decision."""

from __future__ import annotations

import dataclasses
import socket
from typing import TYPE_CHECKING

from bot.channels.zalo_oa.client import TokenPair
from bot.channels.zalo_oa.tokens import store_pair
from bot.clock import SystemClock
from bot.config import Config, ZaloOaConfig
from bot.sandbox.zalo.world import ZaloEvent
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox
from bot.store import Store

if TYPE_CHECKING:
    from bot.demo import OfflineBot

COMMUNE = "thong-nhat"  # the sample commune, whose OA the emulator runs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def oa_config(config: Config, oa: OaSandbox) -> ZaloOaConfig:
    """`[zalo_oa]` pointed at the emulator, its webhook on a free local port (the emulator
    posts there)."""
    section = dataclasses.replace(
        config.zalo_oa or ZaloOaConfig(), enabled=True, app_id=oa.app_id,
        api_base_url=oa.base_url, oauth_base_url=oa.base_url,
        business_api_base_url=oa.base_url, webhook_listen="127.0.0.1",
        webhook_port=_free_port())
    oa.webhook_url = f"http://127.0.0.1:{section.webhook_port}{section.webhook_path}"
    return section


async def connect_oa(store: Store, oa: OaSandbox) -> None:
    """The sample commune names the emulator's OA, and the bot holds its tokens (as after
    `anninh zalo connect`)."""
    found = await store.zalo_oa.oa_of_commune(COMMUNE)
    if found is None:
        raise LookupError(f"the sample areas file has no commune {COMMUNE!r}")
    async with store.db.transaction() as tx:
        await store.zalo_oa.set_commune_oa(tx, found[0], DEFAULT_OA)
    pair = oa.issue_tokens()
    await store_pair(store.zalo_oa, SystemClock(), DEFAULT_OA, TokenPair(
        str(pair["access_token"]), str(pair["refresh_token"]), int(pair["expires_in"])))


def oa_line(event: ZaloEvent) -> ZaloEvent:
    """An OA event as the Zalo transcript prints it: a follower's text plain, an image
    marked (a location, a press, a follow already say what they are)."""
    if event.kind != "user_message":
        return event
    return dataclasses.replace(event, detail="image" if event.detail == "user_send_image"
                               else "")


async def oa_follower_reports(offline: OfflineBot) -> None:
    """Anh Tư follows the commune police's OA, agrees by its button, reports a break-in
    anonymously with the place shared from Zalo's menu; officer Hùng accepts it in the staff
    group on Telegram and Anh Tư hears it on the OA."""
    officer = offline.telegram.user(1001, first_name="Cán bộ Hùng")
    staff = offline.telegram.group(-1001000000001, "Công an xã Thống Nhất", members=[officer])
    tu = offline.oa.user(5001, "Anh Tư", followed=False)
    tu.follow()  # following the OA starts onboarding
    await tu.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await tu.press("Đồng ý")  # an oa.query button under the message
    await tu.wait_for("ấp")
    await tu.choose("Ấp Dốc Mơ")
    await tu.wait_for("nhóm")
    await tu.send("xong")
    await tu.wait_for("Cảm ơn bạn")
    await tu.send("báo tin")
    await tu.wait_for("Sự việc thuộc loại nào")
    await tu.choose("Trộm cắp")
    await tu.wait_for("chuyện gì đã xảy ra")
    await tu.send("Đêm qua kẻ gian cạy cửa kho, lấy mất máy bơm nước.")
    await tu.wait_for("ở đâu")
    await tu.send_location(11.0698, 107.1687, "Kho nhà anh Tư, ấp Dốc Mơ")
    await tu.wait_for("Bạn có ảnh không")
    await tu.choose("Bỏ qua", by="label")
    await tu.wait_for("Bạn muốn gửi tin thế nào")
    await tu.press("Ẩn danh")
    await tu.wait_for("Kiểm tra lại tin báo")
    await tu.press("Gửi")
    sent = await tu.wait_for("Đã gửi tin báo")
    code = next(word.rstrip(".") for word in sent.text.split() if word.startswith("TB-"))
    await staff.wait_for(code)
    await officer.press("Tiếp nhận", chat=staff)
    await staff.wait_for(predicate=lambda card: code in card.text and "Đã tiếp nhận" in card.text)
    await tu.wait_for(f"Tin {code} của bạn đã được công an xã tiếp nhận")  # on the OA
