"""A team leader whose account is on Zalo: sounds the gong for the team by typing ("kẻng", the
kind, a note, "Phát kẻng"), follows the count in short messages — not one per answer — ends
it by typing "Đã an toàn", and sees and manages the team with "tổ"."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloBotMessage, ZaloSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from handlers import alarm_answers
from handlers.alarm_answers import REPEAT_SECONDS
from tests.helpers import CONTENT, LEADER_ID, SAMPLE_AREAS, onboard_on_zalo, services_of
from tests.test_alarm import add_member

pytestmark = pytest.mark.usefixtures("bot")

REFRESH = 1.0  # seconds between two count messages at the most


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config + f"\n[alarms]\nrefresh_seconds = {REFRESH}\n"


@pytest.fixture
async def binh(zalo: ZaloSandbox, store: Store, tmp_path: Path) -> SimZaloUser:
    """The leader of "Tổ an ninh nhân dân số 1" (HN01), named in the areas file by their Zalo
    account; they have agreed to the terms on Zalo."""
    binh = zalo.user(31, "Bình")
    areas = tmp_path / "areas.toml"
    areas.write_text(SAMPLE_AREAS.read_text(encoding="utf-8").replace(
        "leader = 2001", f'leader = "zalo:{binh.id}"'), encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(CONTENT)), "test")
    team = await store.areas.team_by_join_code("HN01")
    before = await store.residents.by_telegram_id(LEADER_ID)  # the sample's Telegram leader
    assert team is not None and before is not None
    async with store.db.transaction() as tx:  # is no longer in the team at all
        await store.memberships.remove(tx, team.id, before.id)
    await onboard_on_zalo(binh)
    return binh


@pytest.fixture
async def members(sandbox: Sandbox, zalo: ZaloSandbox, store: Store
                  ) -> tuple[SimUser, SimUser, SimZaloUser]:
    """Two members of HN01 on Telegram (An, Bảo) and one on Zalo (Lan)."""
    await add_member(store, "hn-01", 4001, "An")
    await add_member(store, "hn-01", 4002, "Bảo")
    lan = zalo.user(32, "Lan")
    await onboard_on_zalo(lan)
    team = await store.areas.team_by_join_code("HN01")
    resident_id = await store.accounts.resident_of("zalo", lan.id)
    assert team is not None and resident_id is not None
    async with store.db.transaction() as tx:
        await store.memberships.add(tx, team.id, resident_id, "member", "active")
    return sandbox.user(4001, first_name="An"), sandbox.user(4002, first_name="Bảo"), lan


async def up_to_phat_keng(leader: SimZaloUser, kind: str = "Trộm") -> ZaloBotMessage:
    """"kẻng" typed, a kind chosen by number, a note typed: the question with "Phát kẻng"."""
    await leader.send("kẻng")
    kinds = await leader.wait_for("Việc gì")
    assert "Hủy" in kinds.labels and any("Cháy" in label for label in kinds.labels)
    await leader.choose(kind)
    await leader.wait_for("Phát kẻng")
    await leader.send("Nhà ông Tư, cuối hẻm 3")
    confirm = await leader.wait_for("Nhà ông Tư")
    assert confirm.labels == ["🔔 Phát kẻng", "Hủy"]
    assert "gửi vị trí" not in confirm.text  # no location messages on this platform
    return confirm


def counts(leader: SimZaloUser) -> list[ZaloBotMessage]:
    return [m for m in leader.inbox if "người nhận:" in m.text]


async def test_a_zalo_leader_sounds_follows_and_ends_the_gong(
    binh: SimZaloUser, members: tuple[SimUser, SimUser, SimZaloUser], clock: FakeClock,
) -> None:
    an, bao, lan = members
    await up_to_phat_keng(binh)
    await binh.choose("Phát kẻng")
    status = await binh.wait_for("Đã phát kẻng")
    assert "tới 3 người" in status.text and status.labels == ["✅ Đã an toàn"]
    for member in (an, bao, lan):
        alert = await member.wait_for("KẺNG AN NINH")
        assert "Nhà ông Tư, cuối hẻm 3" in alert.text and "Bình" in alert.text

    await an.press("Đang đến")  # three answers within one refresh interval
    await bao.press("Không thể")
    await lan.send("1")
    await lan.wait_for("Đã báo bạn đang đến")
    count = await binh.wait_for(predicate=lambda m: "Đang đến (2)" in m.text
                                and "Không thể: 1" in m.text, timeout=5 * REFRESH)
    assert "An" in count.text and "Lan" in count.text and "Chưa trả lời: 0" in count.text
    assert count.labels == ["✅ Đã an toàn"]
    assert len(counts(binh)) < 3, binh.transcript()  # not one message per answer
    told = len(counts(binh))
    again = await an.answer_for(await an.press("Đang đến"))  # the count does not change
    assert "Đã báo bạn đang đến" in (again.text or "")
    clock.advance(timedelta(seconds=REPEAT_SECONDS))
    await binh.send("đã an toàn")  # the choice's words, typed
    await binh.wait_for("Đã an toàn.")
    assert len(counts(binh)) == told
    for member in (an, bao, lan):
        await member.wait_for("ĐÃ AN TOÀN")
    await lan.send("1")  # the gong's "Đang đến", now too late
    await lan.wait_for("Kẻng này đã kết thúc")


async def test_phat_keng_typed_twice_sounds_once_and_does_not_end_it(
    bot: AnninhApp, binh: SimZaloUser, members: tuple[SimUser, SimUser, SimZaloUser],
    store: Store, clock: FakeClock,
) -> None:
    """On Zalo "Phát kẻng" and then "Đã an toàn" are both "1": the "1" sent twice sounds the
    gong once, and the second is not taken for the end."""
    _, _, lan = members
    await up_to_phat_keng(binh, "Cháy")
    await binh.send("1")
    await binh.send("1")
    await binh.wait_for("Đã phát kẻng")
    await binh.wait_for("Kẻng vừa mới phát")
    (alarm,) = await store.alarms.all()
    assert alarm.state == "active"
    await lan.wait_for("KẺNG AN NINH")

    clock.advance(timedelta(minutes=61))  # nobody ended it: it expires
    await alarm_answers.check(services_of(bot))
    await binh.wait_for("đã hết hạn")
    await binh.send("1")  # its "Đã an toàn" is no longer offered
    await binh.wait_for("Các lệnh của bạn")
    assert all("ĐÃ AN TOÀN" not in m.text for m in lan.inbox)


async def test_to_on_zalo_lists_the_team_and_the_leader_manages_it(
    zalo: ZaloSandbox, binh: SimZaloUser, members: tuple[SimUser, SimUser, SimZaloUser],
) -> None:
    an, _, lan = members
    await lan.send("menu")  # a member's menu: her team, no gong
    menu = await lan.wait_for("Bạn muốn làm gì")
    assert "Tổ của tôi" in menu.labels and not [m for m in menu.labels if "kẻng" in m]
    await binh.send("menu")  # a leader's: the entries of a leader's help, in its words
    menu = await binh.wait_for("Bạn muốn làm gì")
    assert menu.labels[3:5] == ["Tổ của tôi: thành viên, yêu cầu chờ duyệt, đường dẫn mời vào tổ",
                                "Đánh kẻng an ninh gọi cả tổ"]
    await binh.send("trợ giúp")
    guide = (await binh.wait_for("Dành cho tổ trưởng")).text.casefold()
    assert "thành viên, yêu cầu chờ duyệt, đường dẫn mời vào tổ" in guide
    assert "đánh kẻng an ninh gọi cả tổ" in guide
    await binh.send("menu")
    await binh.wait_for("Bạn muốn làm gì")
    await binh.choose("Tổ của tôi")
    card = await binh.wait_for("bạn là tổ trưởng")
    assert "Thành viên (4)" in card.text and "Bình ★" in card.text and "Lan" in card.text
    assert "tham gia HN01" in card.text and "t.me" not in card.text
    assert card.labels == ["➖ Xóa thành viên"]

    hoa = zalo.user(33, "Hoa")  # asks to join; the leader decides in /to
    await onboard_on_zalo(hoa)
    await hoa.send("tham gia HN01")
    asked = await hoa.wait_for("yêu cầu tham gia")
    assert "chưa mở bot" not in asked.text  # the leader on Zalo is reached there
    request = await binh.wait_for("xin tham gia")  # the request itself, with its choices
    assert request.labels == ["✅ Duyệt", "Từ chối"]
    await binh.send("to")
    card = await binh.wait_for("Đang chờ duyệt: 1")
    assert card.labels[:2] == ["✅ Hoa", "✖ Hoa"]
    await binh.choose("✅ Hoa")
    await binh.wait_for("Đã duyệt Hoa")
    await hoa.wait_for("Tổ trưởng đã duyệt")

    await binh.send("tổ")
    await binh.wait_for("Thành viên (5)")
    await binh.choose("Xóa thành viên")
    removal = await binh.wait_for("Chọn thành viên cần xóa")
    assert sorted(removal.labels) == ["➖ An", "➖ Bảo", "➖ Hoa", "➖ Lan"]
    await binh.choose("➖ Lan")
    await binh.wait_for("Đã xóa Lan khỏi Tổ an ninh nhân dân số 1")
    await lan.wait_for("Bạn không còn là thành viên")
    await binh.send("xin chào")  # the card's list is closed: answered as outside any flow
    await binh.wait_for("Các lệnh của bạn")

    await hoa.send("tổ")  # a member's card, and leaving by number
    member_card = await hoa.wait_for("Tổ an ninh nhân dân số 1")
    assert "Tổ trưởng: Bình" in member_card.text
    assert member_card.labels == ["💬 Nhắn tổ trưởng", "Rời tổ"]
    await hoa.send("2")
    await hoa.wait_for("Bạn đã rời")
    await hoa.send("tổ")
    await hoa.wait_for("Bạn chưa tham gia tổ nào")
    await an.command("to")  # the Telegram member sees the Zalo leader
    telegram_card = await an.wait_for("Tổ an ninh nhân dân số 1")
    assert "Tổ trưởng: Bình" in telegram_card.text
