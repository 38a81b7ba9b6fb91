"""/nhantin (/teammsg): a leader writes to the whole team — not the gong — on Telegram and on
Zalo: each member on their own channel, muted ones and quiet hours respected unless "Khẩn",
the role checked at every step, audited."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import CONTENT, SAMPLE_AREAS, onboard_on_zalo
from tests.test_alarm import add_member

pytestmark = pytest.mark.usefixtures("bot")

SIGNED = "Tổ trưởng Tổ an ninh nhân dân số 1"


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


@pytest.fixture
async def members(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store
) -> tuple[SimUser, SimUser, SimZaloUser]:
    """HN01's members: An on Telegram, Chi on Telegram with announcements muted, Lan on Zalo;
    and someone of another team."""
    await add_member(store, "hn-01", 4001, "An")
    await add_member(store, "hn-01", 4003, "Chi", muted=True)
    await add_member(store, "hh-01", 4009, "Người tổ khác")
    lan = zalo.user(32, "Lan")
    await onboard_on_zalo(lan)
    await join(store, "zalo", lan.id, "HN01")
    return sandbox.user(4001, first_name="An"), sandbox.user(4003, first_name="Chi"), lan


async def join(store: Store, channel: str, external_id: str, code: str,
               role: str = "member") -> None:
    team = await store.areas.team_by_join_code(code)
    resident_id = await store.accounts.resident_of(channel, external_id)  # type: ignore[arg-type]
    assert team is not None and resident_id is not None
    async with store.db.transaction() as tx:
        if role == "leader":
            await store.memberships.set_leader(tx, team.id, resident_id, None)
        else:
            await store.memberships.add(tx, team.id, resident_id, "member", "active")


async def test_a_leader_writes_to_the_team_on_every_channel_once(
    leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser], sandbox: Sandbox,
    store: Store,
) -> None:
    an, chi, lan = members
    await leader.command("nhantin")
    await leader.wait_for("Nhắn tin cho cả Tổ an ninh nhân dân số 1")
    await leader.send("Tối nay họp tổ lúc 19:30 tại nhà văn hóa ấp.")
    preview = await leader.wait_for("Bản xem trước")
    assert "tới 2 thành viên" in preview.text
    shown = next(m for m in leader.inbox if SIGNED in m.text)  # as the members get it
    assert "họp tổ lúc 19:30" in shown.text
    data = next(d for row in preview.inline for label, d in row if "Gửi" in label)
    await leader.press("Gửi")
    again = await leader.answer_for(await leader.press_data(str(data)))  # in the same instant
    await leader.wait_for("Đã gửi tin nhắn tới 2 thành viên")
    assert again.show_alert or "cũ" in again.text
    got = await an.wait_for(SIGNED)
    assert "💬" in got.text and "họp tổ lúc 19:30" in got.text and not got.buttons
    on_zalo = await lan.wait_for(SIGNED)
    assert "họp tổ lúc 19:30" in on_zalo.text
    assert all(SIGNED not in m.text for m in chi.inbox)  # muted: announcements not wanted
    outsider = sandbox.user(4009, first_name="Người tổ khác")
    assert all(SIGNED not in m.text for m in outsider.inbox)
    assert all("KẺNG" not in m.text for m in an.inbox)  # not the gong
    (entry,) = [e for e in await store.audit.entries("team") if e.action == "team.message"]
    assert entry.actor_label == "leader" and '"recipients": 2' in entry.detail
    sent = [b for b in await store.broadcasts.recent(10) if b.origin.startswith("team-message")]
    assert len(sent) == 1 and sent[0].lane == "announcement"


async def test_urgent_reaches_the_muted_and_rings_at_night_quiet_otherwise(
    leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser], clock: FakeClock,
) -> None:
    an, chi, _ = members
    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=UTC))  # 22:00 in Vietnam: quiet hours
    await leader.command("nhantin")
    await leader.wait_for("Nhắn tin cho cả")
    await leader.send("Nhắc cả tổ: khóa cửa cẩn thận.")
    await leader.wait_for("Bản xem trước")
    await leader.press("Gửi")
    quiet = await an.wait_for("khóa cửa cẩn thận")
    assert quiet.disable_notification

    await leader.command("teammsg")
    await leader.wait_for("Nhắn tin cho cả")
    await leader.send("Mất điện cả ấp, mọi người chú ý.")
    await leader.wait_for("tới 2 thành viên")
    await leader.press("Khẩn")
    urgent = await leader.wait_for("Khẩn: gửi cả người đã tắt")
    assert "tới 3 thành viên" in urgent.text
    await leader.press("Gửi")
    await leader.wait_for("Đã gửi tin nhắn tới 3 thành viên")
    rings = await an.wait_for("Mất điện cả ấp")
    assert not rings.disable_notification
    await chi.wait_for("Mất điện cả ấp")


async def test_only_a_leader_writes_and_the_role_is_read_at_every_step(
    leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser], store: Store,
) -> None:
    an, _, lan = members
    await an.command("nhantin")
    await an.wait_for("Chỉ tổ trưởng mới nhắn được")
    await lan.send("nhắn tin")
    await lan.wait_for("Chỉ tổ trưởng mới nhắn được")

    await leader.command("nhantin")
    await leader.wait_for("Nhắn tin cho cả")
    await leader.send("Tin thử")
    await leader.wait_for("Bản xem trước")
    await join(store, "zalo", lan.id, "HN01", role="leader")  # an officer appointed Lan
    refused = await leader.answer_for(await leader.press("Gửi"))
    assert "Chỉ tổ trưởng" in refused.text
    assert all("Tin thử" not in m.text for m in an.inbox)


async def test_a_zalo_leader_of_two_teams_picks_one_and_sends_by_number(
    zalo: ZaloSandbox, sandbox: Sandbox, store: Store, tmp_path: Path,
) -> None:
    binh = zalo.user(31, "Bình")
    areas = tmp_path / "areas.toml"
    areas.write_text(SAMPLE_AREAS.read_text(encoding="utf-8").replace(
        "leader = 2001", f'leader = "zalo:{binh.id}"'), encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(CONTENT)), "test")
    await onboard_on_zalo(binh)
    other = next(t for t in await store.areas.teams() if t.join_code != "HN01")
    await join(store, "zalo", binh.id, other.join_code, role="leader")
    await add_member(store, "hn-01", 4001, "An")
    an = sandbox.user(4001, first_name="An")

    await binh.send("nhan tin")
    ask = await binh.wait_for("Bạn nhắn cho tổ nào")
    assert sorted(ask.labels) == sorted(["Tổ an ninh nhân dân số 1", other.name])
    await binh.choose("Tổ an ninh nhân dân số 1")
    await binh.wait_for("Gửi nội dung")
    await binh.send("Sáng mai 6 giờ dọn vệ sinh đường xóm.")
    preview = await binh.wait_for("Bản xem trước")
    assert preview.labels == ["✅ Gửi", "⚠️ Khẩn", "Hủy"]
    await binh.choose("Gửi")
    await binh.wait_for("Đã gửi tin nhắn tới 1 thành viên")
    got = await an.wait_for(SIGNED)
    assert "dọn vệ sinh" in got.text


async def test_a_photo_with_its_caption_goes_to_the_team(
    leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
) -> None:
    an, _, lan = members
    await leader.command("nhantin")
    await leader.wait_for("Nhắn tin cho cả")
    await leader.send_photo(caption="Người lạ đi xe máy đỏ, để ý giúp.")
    preview = await leader.wait_for("Bản xem trước")
    assert "Zalo chỉ nhận phần chữ" in preview.text  # Lan is on Zalo, no public address
    await leader.press("Gửi")
    photo = await an.wait_for("xe máy đỏ")
    assert photo.kind == "photo" and SIGNED in photo.text
    await lan.wait_for("xe máy đỏ")
