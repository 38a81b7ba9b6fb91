"""/thongbao by an officer on Zalo: the content, the audience as numbered choices toggled one
at a time, the preview, "Gửi ngay" or "Hẹn giờ"; the summary comes as a message once it has
gone out (Zalo cannot edit the "sending" message); a photo reaches Telegram, and the preview
says that Zalo's residents get its caption alone."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Config
from bot.models import Broadcast
from bot.sandbox import Sandbox
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from tests.test_announce import resident
from tests.test_zalo_triage import zalo_staff

SIGNED = "📢 Công an xã Hưng Lộc\n"  # who sends an announcement, above its text

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def compose(hai: SimZaloUser, text: str, command: str = "thong bao") -> None:
    """The command as a keyword, then a text: up to the audience's choices."""
    await hai.send(command)
    await hai.wait_for("Soạn thông báo")
    await hai.send(text)


async def ask_when(hai: SimZaloUser, text: str, command: str = "thong bao") -> None:
    """An announcement to the whole commune, up to "Gửi lúc nào"."""
    await compose(hai, text, command)
    for asked, answer in (("Gửi tới ai", "Toàn xã"), ("Sẽ gửi tới", "Hẹn giờ")):
        await hai.wait_for(asked)
        await hai.choose(answer)
    await hai.wait_for("Gửi lúc nào")


async def test_a_zalo_officer_announces_to_a_hamlet_by_numbers(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    an = await resident(store, sandbox, 3101, "hung-nhon")
    chi = await resident(store, sandbox, 3103, "hung-hiep")
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await compose(hai, "Họp dân lúc 19:00 <nhà văn hóa>")
    asked = await hai.wait_for("Gửi tới ai")
    assert "📢 Toàn xã" in asked.labels and "Gõ số" in asked.text
    assert {"🛡 Tổ an ninh nhân dân số 1", "🧩 Loại tổ: Đội dân phòng",
            "👥 Nhóm: Thanh niên"} <= set(asked.labels)  # each names its group
    await hai.choose("Ấp Hưng Nhơn")
    again = await hai.wait_for("Gửi tới ai")
    assert "✓ Ấp Hưng Nhơn" in again.labels
    await hai.choose("Tiếp tục")
    preview = await hai.wait_for("Sẽ gửi tới")
    assert hai.messages[-2].text == SIGNED + "Họp dân lúc 19:00 <nhà văn hóa>"  # as they get it
    assert preview.labels == ["✅ Gửi ngay", "⏰ Hẹn giờ", "Hủy"]
    assert "Ấp Hưng Nhơn" in preview.text and "Zalo" not in preview.text
    await hai.choose("Gửi ngay")
    await hai.wait_for("Đang gửi")
    done = await hai.wait_for("đã gửi xong", timeout=10)
    assert "Đã gửi: 2/2" in done.text  # Ân on Telegram, and Hải himself lives there
    assert (await an.wait_for("Họp dân")).text == SIGNED + "Họp dân lúc 19:00 <nhà văn hóa>"
    assert not [m for m in chi.inbox if "Họp dân" in m.text]


async def test_a_zalo_officer_s_photo_and_a_scheduled_announcement(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    an = await resident(store, sandbox, 3101, "hung-nhon")
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await hai.send("thông báo")
    await hai.wait_for("Soạn thông báo")
    await hai.send_photo("Đối tượng trộm chó, ai thấy báo công an xã")
    await hai.wait_for("Gửi tới ai")
    await hai.choose("Toàn xã")
    preview = await hai.wait_for("Sẽ gửi tới")
    assert "Người nhận trên Zalo chỉ nhận phần chữ" in preview.text
    await hai.choose("Gửi ngay")
    await hai.wait_for("đã gửi xong", timeout=10)
    photo = await an.wait_for("trộm chó")
    assert photo.kind == "photo"
    got = [m for m in hai.messages if "trộm chó" in m.text and "đã gửi xong" not in m.text]
    assert len(got) == 2  # the preview and the announcement: the caption alone on Zalo
    done = next(m for m in hai.messages if "đã gửi xong" in m.text)
    assert "«Đối tượng trộm chó, ai thấy báo công an…»" in done.text  # which one, by its text

    await ask_when(hai, "Sáng mai tiêm phòng dại", "/thongbao")
    await hai.send("hom nay luc 25h")  # not a time
    await hai.wait_for("Không hiểu")
    await hai.choose("Sau 1 giờ")
    await hai.wait_for("Đã hẹn gửi lúc")
    waiting = await scheduled(store)  # written just after the officer is told
    assert len(waiting) == 1 and waiting[0].origin == f"chat:zalo:{hai.id}"

    await hai.send("xoa du lieu")  # the origin named his chat: it goes with his data
    await hai.wait_for("Xóa")
    await hai.choose("Xóa")
    await hai.wait_for("đã xóa")
    assert [b.origin for b in await scheduled(store)] == ["chat"]


async def test_a_zalo_officer_no_longer_is_refused_at_the_next_step(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    bot: object,
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await compose(hai, "Họp dân tuần trước")
    await hai.wait_for("Gửi tới ai")
    officer_id = await store.accounts.resident_of("zalo", hai.id)
    assert officer_id is not None
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    async with store.db.transaction() as tx:
        await store.residents.revoke_role(tx, officer_id, "officer", commune.id)
    await hai.choose("Toàn xã")
    await hai.wait_for("Chỉ cán bộ")
    await hai.send("1")
    assert await store.db.scalar("SELECT count(*) FROM broadcasts") == 0
    del bot


async def scheduled(store: Store) -> list[Broadcast]:
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    for _ in range(100):
        if found := await store.broadcasts.scheduled(commune.id):
            return found
        await asyncio.sleep(0.02)
    return []


async def test_a_zalo_officer_manages_schedules_by_numbers(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    del sandbox
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await ask_when(hai, "Họp dân tối thứ Sáu")
    await hai.send("19:00 27/11")
    await hai.wait_for("Đã hẹn gửi lúc")
    await hai.send("lich phat")
    listing = await hai.wait_for("Lịch phát tuyên truyền")
    assert "Họp dân tối thứ Sáu" in listing.text
    assert any(label.startswith("⏸ Tạm dừng: Thanh niên") for label in listing.labels)
    await hai.choose("Tạm dừng: Thanh niên")
    paused = await hai.wait_for("Lịch phát tuyên truyền")
    assert "đang tạm dừng" in paused.text
    assert await store.schedules.paused() == {"phong-chong-ma-tuy-thanh-nien"}
    await hai.choose("Hủy hẹn")
    after = await hai.wait_for("Lịch phát tuyên truyền")
    assert "Thông báo hẹn giờ #" not in after.text
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None and await store.broadcasts.scheduled(commune.id) == []
    await hai.choose("Xem trước: Thanh niên")
    await hai.wait_for("ma túy")
    await hai.wait_for("Lịch phát tuyên truyền")  # the list again, below the preview
