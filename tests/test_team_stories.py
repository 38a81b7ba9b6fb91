"""A resident and their team, told once and run on Telegram and on Zalo (tests/people.py):
a join code in the first message, an unknown code, a request the leader approves on their own
channel, and the gong answered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.sandbox import SimUser
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import CONTENT, LEADER_ID, SAMPLE_AREAS, onboard, sound_gong
from tests.people import CHANNELS, Channel, People, Person

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config + "\n[alarms]\nrefresh_seconds = 0.05\n"


async def asked_to_join(lan: Person, leader: Person | SimUser) -> None:
    """The resident is told the request went to HN01, and its leader gets it."""
    asked = await lan.wait_for("Đã gửi yêu cầu tham gia")
    assert "Tổ an ninh nhân dân số 1" in asked.text and "<b>" not in asked.text
    request = await leader.wait_for(f"{lan.name} xin tham gia")
    assert request.labels == ["✅ Duyệt", "Từ chối"]


async def approved_member(lan: Person, leader: Person) -> None:
    """Onboarding, then "thamgia HN01"; the leader approves and the resident is told."""
    await lan.onboard()
    await lan.command("thamgia", "HN01")
    await asked_to_join(lan, leader)
    await leader.choose("Duyệt")
    await leader.wait_for(f"Đã duyệt {lan.name}")
    await lan.wait_for("Tổ trưởng đã duyệt")


async def membership_state(store: Store, person: Person) -> str | None:
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    membership = await store.memberships.get(team.id, await person.resident_id(store) or 0)
    return None if membership is None else membership.state


async def test_a_join_code_in_the_first_message_goes_on_after_consent(
    people: People, store: Store, leader: SimUser,
) -> None:
    await onboard(leader)  # the leader, on Telegram, decides on their own channel
    lan = people(3002, "Lan")
    await lan.onboard(join="HN01")
    await asked_to_join(lan, leader)
    await leader.press("Từ chối")
    await leader.wait_for("Đã từ chối yêu cầu của Lan")
    await lan.wait_for("không được duyệt")
    assert await membership_state(store, lan) is None


async def test_an_unknown_code_names_no_team_and_thamgia_asks_for_one(people: People) -> None:
    hoa = people(3003, "Hoa")
    await hoa.onboard()
    await hoa.command("thamgia", "ZZ99")
    unknown = await hoa.wait_for("Không tìm thấy tổ")
    assert "Tổ an ninh" not in unknown.text
    await hoa.command("thamgia")
    await hoa.wait_for("Gõ mã tổ")
    await hoa.send_sticker()  # not a code: asked again
    await hoa.wait_for("Gõ mã tổ")
    await hoa.send("mã là hn01")  # the last word is the code
    await hoa.wait_for("yêu cầu tham gia Tổ an ninh nhân dân số 1")


async def leader_of_hn01(people: People, store: Store, tmp_path: Path, on: Channel) -> Person:
    """The leader of "Tổ an ninh nhân dân số 1" (HN01), having consented: the sample's Telegram
    leader (2001), or on Zalo a leader the areas file names by their Zalo account."""
    if on == "telegram":
        leader = people(LEADER_ID, "Tổ trưởng Bình", on="telegram")
        await leader.onboard()
        return leader
    leader = people(31, "Tổ trưởng Bình", on="zalo")
    areas = tmp_path / "areas.toml"
    areas.write_text(SAMPLE_AREAS.read_text(encoding="utf-8").replace(
        "leader = 2001", f'leader = "zalo:{leader.external_id}"'), encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(CONTENT)), "test")
    team = await store.areas.team_by_join_code("HN01")
    before = await store.residents.by_telegram_id(LEADER_ID)
    assert team is not None and before is not None
    async with store.db.transaction() as tx:  # the sample's Telegram leader leads no more
        await store.memberships.remove(tx, team.id, before.id)
    await leader.onboard()
    return leader


@pytest.mark.parametrize("leader_on", CHANNELS)
async def test_a_resident_asks_to_join_and_the_leader_approves_on_their_own_channel(
    people: People, store: Store, tmp_path: Path, leader_on: Channel,
) -> None:
    leader = await leader_of_hn01(people, store, tmp_path, leader_on)
    lan = people(3012, "Lan")
    await approved_member(lan, leader)
    assert await membership_state(store, lan) == "active"
    await lan.command("to")
    card = await lan.wait_for("Tổ an ninh nhân dân số 1")
    assert "Tổ trưởng: Tổ trưởng Bình" in card.text


async def test_a_member_answers_the_gong_and_the_leader_sees_it(
    people: People, leader: SimUser, store: Store,
) -> None:
    await onboard(leader)
    lan = people(3008, "Lan")
    await approved_member(lan, Person(leader))

    await sound_gong(leader)
    alert = await lan.wait_for("KẺNG AN NINH")
    assert alert.labels[:2] == ["🏃 Đang đến", "Không thể"]
    await lan.choose("Đang đến")
    await lan.wait_for_notice("Đã báo bạn đang đến")
    await leader.wait_for(predicate=lambda m: "Đang đến (1): Lan" in m.text)


@pytest.mark.parametrize("leader_on", CHANNELS)
async def test_a_member_writes_to_the_leader_on_the_leader_s_channel(
    people: People, store: Store, tmp_path: Path, leader_on: Channel,
) -> None:
    """"Nhắn tổ trưởng" on the member's card: the leader gets the message with the member's
    name, on their own messenger; a few an hour at most, and audited without the text."""
    leader = await leader_of_hn01(people, store, tmp_path, leader_on)
    minh = people(3015, "Minh")
    await approved_member(minh, leader)
    await minh.command("to")
    card = await minh.wait_for("Tổ an ninh nhân dân số 1")
    assert "Tổ trưởng: Tổ trưởng Bình" in card.text and "💬 Nhắn tổ trưởng" in card.labels
    await minh.choose("Nhắn tổ trưởng")
    await minh.wait_for("Gõ tin nhắn cho tổ trưởng")
    await minh.send("Tối nay em xin đổi ca tuần tra sang thứ Bảy")
    await minh.wait_for("Đã gửi cho tổ trưởng")
    got = await leader.wait_for("nhắn cho tổ trưởng")
    assert "Minh" in got.text and "đổi ca tuần tra sang thứ Bảy" in got.text
    [entry] = [e for e in await store.audit.entries("team") if e.action == "team.message_leader"]
    assert "tuần tra" not in entry.detail  # the message is theirs, not the log's
    for _ in range(4):  # up to five an hour
        await minh.command("to")
        await minh.wait_for("Tổ an ninh nhân dân số 1")
        await minh.choose("Nhắn tổ trưởng")
        await minh.wait_for("Gõ tin nhắn cho tổ trưởng")
        await minh.send("Nhắc lại")
        await minh.wait_for("Đã gửi cho tổ trưởng")
    await minh.command("to")
    await minh.wait_for("Tổ an ninh nhân dân số 1")
    await minh.choose("Nhắn tổ trưởng")
    await minh.wait_for("5 lần trong một giờ qua")


async def test_a_leader_who_never_opened_the_bot_is_said_so_and_cannot_be_written_to(
    people: People, store: Store,
) -> None:
    """The areas file names the leader (2002, of the HNXEOM team); they never wrote to the bot."""
    lan = people(3016, "Lan", on="telegram")
    await lan.onboard()
    team = await store.areas.team_by_join_code("HNXEOM")
    resident = await store.residents.get(await lan.resident_id(store) or 0)
    assert team is not None and resident is not None
    async with store.db.transaction() as tx:
        await store.memberships.add(tx, team.id, resident.id, "member", "active")
    await lan.command("to")
    card = await lan.wait_for("Tổ trưởng: chưa mở bot")
    assert "💬 Nhắn tổ trưởng" not in card.labels


async def test_the_caller_confirms_who_came_and_each_is_thanked_once(
    people: People, leader: SimUser, store: Store,
) -> None:
    """After "Đã an toàn" the leader confirms a member who answered "Đang đến": thanked on
    their own channel, +10 points, once; someone who did not answer is not offered."""
    await onboard(leader)
    lan = people(3021, "Lan")
    await approved_member(lan, Person(leader))
    await sound_gong(leader)
    await lan.wait_for("KẺNG AN NINH")
    await lan.choose("Đang đến")
    await lan.wait_for_notice("Đã báo bạn đang đến")
    await leader.wait_for(predicate=lambda m: "Đang đến (1): Lan" in m.text)
    await leader.press("Đã an toàn")
    ask = await leader.wait_for("Ai đã thật sự đến hỗ trợ")
    assert ask.buttons == [["✅ Lan"]]
    await leader.press("Lan")
    await lan.wait_for("Cảm ơn bạn đã đến hỗ trợ")
    replayed = await leader.press_data(ask.inline[0][0][1] or "", chat=None)
    assert (await leader.answer_for(replayed)).show_alert  # once
    await lan.command("diem")
    assert "+10 — Đến hỗ trợ khi có kẻng" in (await lan.wait_for("Điểm thi đua")).text
