"""Teams through the real bot: join by code or link, decisions, /to, leave, removal."""

from __future__ import annotations

from pathlib import Path

from bot.catalog import Catalog
from bot.context import AnninhApp
from bot.sandbox import CallbackAnswer, Sandbox, SimGroup, SimUser
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import CONTENT, SAMPLE_AREAS, onboard

TEAM_NAMES = ("Tổ an ninh", "Đội xe ôm", "Đội dân phòng", "Đội nữ")


async def forge_press(person: SimUser, data: str) -> CallbackAnswer:
    """A press carrying `data` of the person's choosing, on the last message they received."""
    return await person.answer_for(await person.press_data(data))


async def ids(store: Store, telegram_id: int, join_code: str = "HN01") -> tuple[int, int]:
    """(team id, resident id) for a person and a team."""
    team = await store.areas.team_by_join_code(join_code)
    resident = await store.residents.by_telegram_id(telegram_id)
    assert team is not None and resident is not None
    return team.id, resident.id


async def state_of(store: Store, telegram_id: int, join_code: str = "HN01") -> str | None:
    membership = await store.memberships.get(*await ids(store, telegram_id, join_code))
    return None if membership is None else membership.state


async def load_small_areas(store: Store, tmp_path: Path, body: str) -> None:
    path = tmp_path / "small.toml"
    path.write_text(
        '[[commune]]\ncode = "hung-loc"\nname = "Xã Hưng Lộc"\n\n'
        '[[commune.hamlet]]\ncode = "hung-nhon"\nname = "Ấp Hưng Nhơn"\n\n' + body,
        encoding="utf-8",
    )
    catalog = Catalog.load(CONTENT)
    await load_areas(store, parse_areas(path, catalog), "test")


async def test_join_by_command_and_the_leader_approves(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu tham gia Tổ an ninh nhân dân số 1")
    request = await leader.wait_for("Lan xin tham gia")
    assert request.buttons == [["✅ Duyệt", "Từ chối"]]

    await leader.press("Duyệt")
    await leader.wait_for("Đã duyệt Lan")
    await lan.wait_for("Tổ trưởng đã duyệt")
    assert await state_of(store, 3001) == "active"
    actions = [e.action for e in await store.audit.entries("team")]
    assert "team.requested" in actions and "team.approved" in actions

    await lan.command("to")
    card = await lan.wait_for("Tổ an ninh nhân dân số 1")
    assert "Tổ trưởng Bình" in card.text and "Thành viên: 2" in card.text


async def test_a_consented_resident_joins_by_link_at_once(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("start", "join_hhdp")  # codes are case-insensitive
    await lan.wait_for("Bạn đã tham gia Đội dân phòng Hưng Hiệp")
    assert await state_of(store, 3001, "HHDP") == "active"


async def test_a_leader_who_never_started_the_bot_sees_the_request_in_to(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    binh = sandbox.user(2001, first_name="Bình", started=False)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Tổ trưởng chưa mở bot")
    assert binh.last is None  # Telegram refused: the leader never opened the bot

    await onboard(binh)
    await binh.command("to")
    card = await binh.wait_for("bạn là tổ trưởng")
    assert "Đang chờ duyệt: 1" in card.text
    assert "start=join_HN01" in card.text and "HN01" in card.text
    await binh.press("✅ Lan")
    await binh.wait_for("Đã duyệt Lan")
    await lan.wait_for("Tổ trưởng đã duyệt")
    assert await state_of(store, 3001) == "active"


async def test_a_request_the_leader_cannot_get_goes_to_the_officers_who_may_decide(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    """The leader never opened the bot: the resident is told so (the request is kept, not
    promised an answer), and the staff group gets it with the buttons; only an officer's
    press decides."""
    binh = sandbox.user(2001, first_name="Bình", started=False)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    told = await lan.wait_for("Tổ trưởng chưa mở bot")
    assert "được giữ" in told.text and "công an xã" in told.text
    assert "Bạn sẽ được báo khi tổ trưởng duyệt" not in told.text
    request = await staff_group.wait_for("Lan xin tham gia")
    assert request.buttons == [["✅ Duyệt", "Từ chối"]]
    assert "chưa mở bot" in request.text
    assert binh.last is None

    bystander = sandbox.user(3009, first_name="Người lạ")
    staff_group.add(bystander)
    refused = await bystander.answer_for(await bystander.press("Duyệt", chat=staff_group))
    assert refused.show_alert and refused.text and "không có quyền" in refused.text
    assert await state_of(store, 3001) == "pending"

    await officer.press("Duyệt", chat=staff_group)
    await staff_group.wait_for("Đã duyệt Lan")
    await lan.wait_for("Công an xã đã duyệt")  # not "the leader", who never saw it
    assert await state_of(store, 3001) == "active"
    team_id, _ = await ids(store, 3001)
    entry = (await store.audit.entries("team", team_id))[-1]
    assert (entry.action, entry.actor_label) == ("team.approved", "officer")


async def test_without_a_staff_group_each_officer_gets_the_request(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    """No group the bot can post in (here: Telegram does not know it): each officer."""
    sandbox.user(2001, first_name="Bình", started=False)
    await officer.command("trogiup")
    await officer.wait_for("Hướng dẫn")
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Tổ trưởng chưa mở bot")
    await officer.wait_for("Lan xin tham gia")
    await officer.press("Từ chối")
    await officer.wait_for("Đã từ chối yêu cầu của Lan")
    await lan.wait_for("không được duyệt")
    assert await state_of(store, 3001) is None


async def test_a_reachable_leader_is_asked_and_the_officers_are_not_bothered(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser, staff_group: SimGroup
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for("Lan xin tham gia")
    assert all("xin tham gia" not in m.text for m in staff_group.inbox)


async def test_an_unknown_code_is_answered_without_naming_any_team(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN0")
    answer = await lan.wait_for("Không tìm thấy")
    assert not any(name in answer.text for name in TEAM_NAMES)
    await lan.command("start", "join_ZZZ999")
    answer = await lan.wait_for("Không tìm thấy")
    assert not any(name in answer.text for name in TEAM_NAMES)
    resident = await store.residents.by_telegram_id(3001)
    assert resident is not None and await store.memberships.of_resident(resident.id) == []


async def test_asking_twice_while_pending_then_as_a_member(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu")
    await lan.command("join", "HN01")
    await lan.wait_for("đang chờ tổ trưởng duyệt")
    await leader.wait_for("xin tham gia")
    await leader.press("Duyệt")
    await lan.wait_for("Tổ trưởng đã duyệt")
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Bạn đã là thành viên của Tổ an ninh nhân dân số 1")
    await lan.command("thamgia")
    await lan.wait_for("Gõ mã tổ")


async def test_a_full_team_takes_nobody_more(
    sandbox: Sandbox, bot: AnninhApp, store: Store, tmp_path: Path
) -> None:
    await load_small_areas(store, tmp_path, (
        '[[commune.hamlet.team]]\ncode = "tiny"\nname = "Tổ nhỏ"\n'
        'kind = "to-tu-quan"\njoin_code = "TINY"\napproval = false\nmax_members = 1\n'
    ))
    lan, minh = sandbox.user(3001, first_name="Lan"), sandbox.user(3002, first_name="Minh")
    await onboard(lan)
    await onboard(minh)
    await lan.command("thamgia", "TINY")
    await lan.wait_for("Bạn đã tham gia Tổ nhỏ")
    await minh.command("thamgia", "TINY")
    await minh.wait_for("Tổ nhỏ đã đủ số thành viên")
    assert await state_of(store, 3002, "TINY") is None


async def test_the_leader_cannot_approve_beyond_the_limit(
    sandbox: Sandbox, bot: AnninhApp, store: Store, tmp_path: Path
) -> None:
    await load_small_areas(store, tmp_path, (
        '[[commune.hamlet.team]]\ncode = "tiny"\nname = "Tổ nhỏ"\nkind = "to-tu-quan"\n'
        'join_code = "TINY"\nleader = 2009\nmax_members = 2\n'
    ))
    chi = sandbox.user(2009, first_name="Chi")
    await onboard(chi)
    lan, minh = sandbox.user(3001, first_name="Lan"), sandbox.user(3002, first_name="Minh")
    for person in (lan, minh):
        await onboard(person)
        await person.command("thamgia", "TINY")
        await person.wait_for("Đã gửi yêu cầu")
        await chi.wait_for(f"{person.name} xin tham gia")
    await chi.press("✅ Duyệt")  # the newest request: Minh's
    await chi.wait_for("Đã duyệt Minh")
    await chi.press("✅ Duyệt")  # Lan's, now one too many (the leader counts)
    await chi.wait_for("đã đủ số thành viên, chưa thể duyệt Lan")
    assert await state_of(store, 3001, "TINY") == "pending"


async def test_a_team_without_approval_takes_members_at_once(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    hoa = sandbox.user(2004, first_name="Hoa")
    await onboard(hoa)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HHDP")
    await lan.wait_for("Bạn đã tham gia Đội dân phòng Hưng Hiệp")
    assert await state_of(store, 3001, "HHDP") == "active"
    assert hoa.last is not None and "xin tham gia" not in hoa.last.text


async def test_a_member_leaves_and_a_leader_cannot(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HHDP")
    await lan.wait_for("Bạn đã tham gia")
    await lan.command("to")
    await lan.wait_for("Đội dân phòng Hưng Hiệp")
    await lan.press("Rời tổ")
    await lan.wait_for("Bạn đã rời Đội dân phòng Hưng Hiệp")
    assert await state_of(store, 3001, "HHDP") is None
    await lan.command("to")
    await lan.wait_for("Bạn chưa tham gia tổ nào")

    await onboard(leader)
    team_id, _ = await ids(store, leader.id)
    answer = await forge_press(leader, f"tm:leave:{team_id}")
    assert answer.show_alert and answer.text and "không thể rời" in answer.text
    assert await state_of(store, leader.id) == "active"


async def test_the_leader_sees_members_requests_and_removes_a_member(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    lan, minh = sandbox.user(3001, first_name="Lan"), sandbox.user(3002, first_name="Minh")
    for person in (lan, minh):
        await onboard(person)
        await person.command("thamgia", "HN01")
        await leader.wait_for(f"{person.name} xin tham gia")
    await leader.press("Duyệt")  # the newest: Minh
    await minh.wait_for("Tổ trưởng đã duyệt")

    await leader.command("to")
    card = await leader.wait_for("bạn là tổ trưởng")
    assert "Minh" in card.text and "Tổ trưởng Bình ★" in card.text
    assert "Đang chờ duyệt: 1" in card.text
    assert card.buttons[0] == ["✅ Lan", "✖ Lan"]
    await leader.press("Xóa thành viên")
    choice = await leader.wait_for("Chọn thành viên cần xóa")
    assert choice.buttons == [["➖ Minh"]]
    await leader.press("➖ Minh")
    await leader.wait_for("Đã xóa Minh khỏi Tổ an ninh nhân dân số 1")
    await minh.wait_for("Bạn không còn là thành viên")
    assert await state_of(store, 3002) is None
    assert "team.removed" in [e.action for e in await store.audit.entries("team")]


async def test_a_forged_or_stale_approval_is_refused_and_changes_nothing(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    lan, minh = sandbox.user(3001, first_name="Lan"), sandbox.user(3002, first_name="Minh")
    await onboard(lan)
    await onboard(minh)
    await minh.command("thamgia", "HHDP")
    await minh.wait_for("Bạn đã tham gia")
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu")
    await leader.wait_for("Lan xin tham gia")
    team_id, lan_id = await ids(store, 3001)

    for person in (lan, minh):  # the applicant herself, and a member of another team
        answer = await forge_press(person, f"tm:ok:{team_id}:{lan_id}")
        assert answer.show_alert and answer.text and "không có quyền" in answer.text
    hhdp_id, minh_id = await ids(store, 3002, "HHDP")
    answer = await forge_press(lan, f"tm:rm:{hhdp_id}:{minh_id}")
    assert answer.show_alert and answer.text and "không có quyền" in answer.text
    answer = await forge_press(lan, f"tm:rmlist:{team_id}")
    assert answer.show_alert
    assert await state_of(store, 3001) == "pending"
    assert await state_of(store, 3002, "HHDP") == "active"
    assert "team.approved" not in [e.action for e in await store.audit.entries("team")]

    await leader.press("Từ chối")  # the real leader still decides
    await leader.wait_for("Đã từ chối")
    answer = await forge_press(leader, f"tm:ok:{team_id}:{lan_id}")  # a stale button
    assert answer.show_alert and answer.text and "đã được xử lý" in answer.text
    assert await state_of(store, 3001) is None


async def test_a_replaced_leader_can_no_longer_approve(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser, tmp_path: Path
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await leader.wait_for("Lan xin tham gia")
    replaced = SAMPLE_AREAS.read_text(encoding="utf-8").replace("leader = 2001", "leader = 2009")
    (tmp_path / "areas.toml").write_text(replaced, encoding="utf-8")
    catalog = Catalog.load(CONTENT)
    await load_areas(store, parse_areas(tmp_path / "areas.toml", catalog), "test")

    query = await leader.press("Duyệt")
    answer = await leader.answer_for(query)
    assert answer.show_alert and answer.text and "không có quyền" in answer.text
    assert await state_of(store, 3001) == "pending"
    await leader.command("to")
    card = await leader.wait_for("Tổ an ninh nhân dân số 1")
    assert "bạn là tổ trưởng" not in card.text

    chi = sandbox.user(2009, first_name="Chi")
    await onboard(chi)
    await chi.command("to")
    await chi.wait_for("bạn là tổ trưởng")
    await chi.press("✅ Lan")
    await lan.wait_for("Tổ trưởng đã duyệt")


async def test_an_officer_of_the_commune_may_decide_and_is_audited_as_such(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Tổ trưởng chưa mở bot")  # Telegram does not know the leader
    await officer.command("trogiup")
    await officer.wait_for("Hướng dẫn")
    team_id, lan_id = await ids(store, 3001)
    await forge_press(officer, f"tm:ok:{team_id}:{lan_id}")
    await lan.wait_for("Công an xã đã duyệt")
    entry = (await store.audit.entries("team", team_id))[-1]
    assert (entry.action, entry.actor_label) == ("team.approved", "officer")
