"""/dulieu and /xoadulieu on Telegram: the JSON export, a leader's deletion, an old button.
(Deletion leaving every team and audience: tests/test_resident_stories.py, on both channels.)"""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.store import Store
from tests.helpers import onboard


async def test_my_data_comes_as_a_json_file_and_a_summary(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    lan = sandbox.user(3001, first_name="Lan", last_name="Nguyễn")
    await onboard(lan)
    await lan.command("thamgia", "HHDP")
    await lan.wait_for("Bạn đã tham gia")
    await lan.command("dulieu")
    document = await lan.wait_for(predicate=lambda m: m.kind == "document")
    assert document.file_name == "anninh-du-lieu-3001.json"
    assert document.document is not None
    data = json.loads(document.document)
    assert data["telegram_id"] == 3001 and data["display_name"] == "Lan Nguyễn"
    assert data["hamlet"] == "Ấp Hưng Nhơn" and data["consent"]["state"] == "given"
    assert data["teams"][0]["team"] == "Đội dân phòng Hưng Hiệp"
    assert "consent.given" in [h["action"] for h in data["history"]]
    summary = await lan.wait_for("Dữ liệu của bạn")
    assert "3001" in summary.text and "Đội dân phòng Hưng Hiệp (thành viên)" in summary.text


async def forget(person: SimUser) -> str:
    await person.command("xoadulieu")
    ask = await person.wait_for("Xóa dữ liệu của bạn?")
    assert ask.buttons == [["🗑 Xóa", "Hủy"]]
    await person.press("Xóa")
    return (await person.wait_for("Đã xóa dữ liệu của bạn")).text


async def test_a_leader_who_forgets_is_leader_no_more(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    await forget(leader)
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    assert await store.memberships.leader(team.id) is None
    actions = [e.action for e in await store.audit.entries("team", team.id)]
    assert actions[-1] == "team.leader_forgotten"


async def test_an_old_delete_button_is_stale(
    sandbox: Sandbox, bot: AnninhApp, store: Store, clock: FakeClock
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("forget")
    await lan.wait_for("Xóa dữ liệu của bạn?")
    clock.advance(timedelta(hours=1))
    answer = await lan.answer_for(await lan.press("Xóa"))
    assert answer.show_alert and answer.text and "Nút này đã cũ" in answer.text
    resident = await store.residents.by_telegram_id(3001)
    assert resident is not None and resident.has_consented
