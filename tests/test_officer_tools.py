"""Officers in chat: /taoto creates a team, /totruong appoints a leader; others are refused."""

from __future__ import annotations

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.store import Store
from tests.helpers import onboard, services_of
from tests.test_teams import forge_press


async def test_an_officer_creates_a_team_and_appoints_its_leader(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    await officer.command("taoto")
    await officer.wait_for("Tạo tổ mới ở ấp/khu phố nào")
    await officer.press("Ấp Dầu Giây")
    await officer.wait_for("thuộc mô hình nào")
    await officer.press("Đội thanh niên xung kích")
    await officer.wait_for("Gõ tên tổ")
    await officer.send("Đội thanh niên xung kích Dầu Giây")
    created = await officer.wait_for("Đã tạo Đội thanh niên xung kích Dầu Giây")
    teams = {t.name: t for t in await store.areas.teams()}
    team = teams["Đội thanh niên xung kích Dầu Giây"]
    assert team.kind == "doi-thanh-nien-xung-kich" and team.requires_approval
    assert team.join_code in created.text and f"start=join_{team.join_code}" in created.text
    assert "team.created" in [e.action for e in await store.audit.entries("team", team.id)]

    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan, "Ấp Dầu Giây")
    await lan.command("thamgia", team.join_code.lower())
    asked = await lan.wait_for("yêu cầu tham gia Đội thanh niên xung kích Dầu Giây")
    assert "Tổ chưa có tổ trưởng" in asked.text  # so the officers got it
    await officer.wait_for("Lan xin tham gia")  # no staff group here: the officer privately

    await officer.command("totruong", team.code, "3001")
    await officer.wait_for("Đã cử Lan làm tổ trưởng")
    await lan.wait_for("cử bạn làm tổ trưởng Đội thanh niên xung kích Dầu Giây")
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.telegram_id == 3001 and leader.state == "active"
    entries = await store.audit.entries("team", team.id)
    assert entries[-1].action == "role.leader" and entries[-1].actor_label == "officer"


async def test_an_officer_picks_the_new_leader_among_the_members(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HHDP")
    await lan.wait_for("Bạn đã tham gia")
    await officer.command("setleader", "HHDP")  # the join code works too
    pick = await officer.wait_for("Chọn tổ trưởng mới cho Đội dân phòng Hưng Hiệp")
    assert pick.buttons == [["Lan"]]
    await officer.press("Lan")
    await officer.wait_for("Đã cử Lan làm tổ trưởng")
    team = await store.areas.team_by_join_code("HHDP")
    assert team is not None
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.telegram_id == 3001
    previous = await store.residents.by_telegram_id(2004)
    assert previous is not None
    membership = await store.memberships.get(team.id, previous.id)
    assert membership is not None and membership.role == "member"


async def test_residents_and_leaders_cannot_use_officer_tools(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    teams_before = len(await store.areas.teams())
    await leader.command("taoto")
    await leader.wait_for("không có quyền")
    await leader.command("totruong", "hn-01", "2001")
    await leader.wait_for("không có quyền")
    team = await store.areas.team_by_join_code("HHDP")
    assert team is not None
    answer = await forge_press(leader, f"ot:l:{team.id}:2001")  # a crafted press
    assert answer.show_alert and answer.text and "không có quyền" in answer.text
    leader_now = await store.memberships.leader(team.id)
    assert leader_now is not None and leader_now.telegram_id == 2004
    assert len(await store.areas.teams()) == teams_before
    assert "role.leader" not in [e.action for e in await store.audit.entries("team", team.id)
                                 if e.actor_label == "officer"]


async def test_an_officer_of_another_commune_cannot_appoint_here(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    async with store.db.transaction() as tx:
        commune_id = await store.areas.upsert_commune(tx, "xa-khac", "Xã Khác", None)
        other = await store.residents.ensure(tx, 1002)
        await store.residents.grant_role(tx, other, "officer", commune_id, "test")
    stranger = sandbox.user(1002, first_name="Cán bộ xã khác")
    await stranger.command("totruong", "hn-01", "1002")
    await stranger.wait_for("Cách dùng")  # the team is not in the officer's commune
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    answer = await forge_press(stranger, f"ot:l:{team.id}:1002")
    assert answer.show_alert and answer.text and "không có quyền" in answer.text
    leader_now = await store.memberships.leader(team.id)
    assert leader_now is not None and leader_now.telegram_id == 2001


async def test_a_member_who_left_meanwhile_is_not_appointed(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    lan = sandbox.user(3002, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HHDP")
    await lan.wait_for("Bạn đã tham gia")
    await officer.command("totruong", "hh-dp")
    await officer.wait_for("Chọn tổ trưởng mới")
    await lan.command("to")
    await lan.wait_for("Đội dân phòng Hưng Hiệp")
    await lan.press("Rời tổ")
    await lan.wait_for("Bạn đã rời")
    answer = await officer.answer_for(await officer.press("Lan"))
    assert answer.show_alert and "đã cũ" in (answer.text or "")
    team = await store.areas.team_by_join_code("HHDP")
    assert team is not None
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.telegram_id == 2004


async def test_an_officer_appoints_the_resident_who_shared_a_phone_number(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    """The number is looked up among the commune's residents who shared one, never trusted:
    someone unknown is not made a leader."""
    lan = sandbox.user(3001, first_name="Lan", phone="+84900003001")
    await onboard(lan)
    resident = await store.residents.by_telegram_id(3001)
    assert resident is not None
    await services_of(bot).residents.set_phone(resident, "0900 003 001")
    await officer.command("totruong", "HHDP", "0999", "888", "777")  # nobody's
    await officer.wait_for("Không có người dân nào của xã đã gửi số điện thoại này")
    await officer.command("totruong", "HHDP", "0900", "003", "001")
    await officer.wait_for("Đã cử Lan làm tổ trưởng Đội dân phòng Hưng Hiệp")
    await lan.wait_for("cử bạn làm tổ trưởng Đội dân phòng Hưng Hiệp")
    team = await store.areas.team_by_join_code("HHDP")
    assert team is not None
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.telegram_id == 3001


async def test_an_officer_reads_a_teams_members_by_its_code(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HHDP")
    await lan.wait_for("Bạn đã tham gia")
    await onboard(officer)
    await officer.command("to")
    await officer.wait_for("gõ /to MÃ_TỔ")
    await officer.command("to", "HHDP")
    card = await officer.wait_for("Đội dân phòng Hưng Hiệp")
    assert "Lan" in card.text and "HHDP" in card.text
    await officer.command("to", "KHONGCO")
    await officer.wait_for("Không có tổ mã KHONGCO")
    await lan.command("to", "HN01")  # a resident: their own teams, the code means nothing
    own = await lan.wait_for("Đội dân phòng Hưng Hiệp")
    assert "Tổ an ninh nhân dân số 1" not in own.text
