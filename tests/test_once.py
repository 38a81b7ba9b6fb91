"""A repeated press acts once: one report per "Gửi", one alarm per "Phát kẻng", one decision
per "Duyệt" — even when the presses reach the bot in the same getUpdates batch, and even when
the bot's per-chat ordering is switched off (the services then keep the promise alone)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import Config
from bot.sandbox import BotMessage, CallbackAnswer, Sandbox, SimGroup, SimUser
from bot.services.alarms import AlarmService, RaiseResult
from bot.services.teams import Decision, JoinResult, TeamService
from bot.store import Store
from bot.updates import PerChatUpdateProcessor
from tests.helpers import onboard
from tests.test_alarm import add_member
from tests.test_report import start_report
from tests.test_triage import _reported


@pytest.fixture(params=["in order", "out of order"])
def ordering(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """"out of order" runs every update at once, as if per-chat ordering were broken."""
    if request.param == "out of order":
        async def at_once(
            self: PerChatUpdateProcessor, update: object, coroutine: Awaitable[Any]
        ) -> None:
            del self, update
            await coroutine

        monkeypatch.setattr(PerChatUpdateProcessor, "do_process_update", at_once)
    return str(request.param)


async def press_twice(person: SimUser, label: str, *, chat: SimGroup | None = None,
                      ) -> list[CallbackAnswer]:
    """Two presses of the same button queued together: they land in one getUpdates batch."""
    first = await person.press(label, chat=chat)
    second = await person.press(label, chat=chat)
    return [await person.answer_for(first), await person.answer_for(second)]


async def reach_summary(person: SimUser) -> None:
    await start_report(person)
    await person.send("Mất xe máy trước nhà lúc 2 giờ sáng")
    await person.wait_for("ở đâu")
    await person.press("Bỏ qua")
    await person.wait_for("Bạn có ảnh không")
    await person.press("Bỏ qua")
    await person.wait_for("Bạn muốn gửi tin thế nào")
    await person.press("Ẩn danh")
    await person.wait_for("Kiểm tra lại tin báo")


@pytest.mark.usefixtures("bot")
async def test_two_presses_of_gui_file_one_report(
    sandbox: Sandbox, store: Store, staff_group: SimGroup, ordering: str
) -> None:
    lan = sandbox.user(8101, first_name="Lan")
    await onboard(lan)
    await reach_summary(lan)
    answers = await press_twice(lan, "Gửi")
    sent = await lan.wait_for("Đã gửi tin báo")
    code = next(word for word in sent.text.split() if word.startswith("TB-"))
    await staff_group.wait_for(code)
    resident = await store.residents.by_telegram_id(lan.id)
    assert resident is not None
    assert [r.code for r in await store.reports.of_reporter(resident.id)] == [code], ordering
    assert sum("Đã gửi tin báo" in m.text for m in lan.inbox) == 1
    assert sum("Tin báo TB-" in m.text for m in staff_group.inbox) == 1
    refused = [a for a in answers if a.show_alert]
    assert len(refused) == 1, answers  # the other press: an answer, not silence or an error
    assert "đã được gửi" in (refused[0].text or "") or "đã cũ" in (refused[0].text or "")


@pytest.mark.usefixtures("bot")
async def test_two_presses_of_phat_keng_raise_one_alarm(
    sandbox: Sandbox, store: Store, leader: SimUser, staff_group: SimGroup, ordering: str
) -> None:
    members = []
    for telegram_id, name in ((8201, "An"), (8202, "Bảo")):
        await add_member(store, "hn-01", telegram_id, name)
        members.append(sandbox.user(telegram_id, first_name=name))
    await leader.command("keng")
    await leader.wait_for("Việc gì")
    await leader.press("Trộm")
    await leader.wait_for("Phát kẻng")
    answers = await press_twice(leader, "Phát kẻng")
    await leader.wait_for("Đã phát kẻng")
    await staff_group.wait_for("đã phát kẻng")
    assert len(await store.alarms.all()) == 1, ordering
    for member in members:
        await member.wait_for("KẺNG AN NINH")
        assert sum("KẺNG AN NINH" in m.text for m in member.inbox) == 1
    assert sum("đã phát kẻng" in m.text for m in staff_group.inbox) == 1
    refused = [a for a in answers if a.show_alert]
    assert len(refused) == 1, answers
    assert "đã được phát" in (refused[0].text or "") or "đã cũ" in (refused[0].text or "")


async def test_one_gong_draft_raises_one_alarm_however_many_presses_race(
    store: Store, config: Config, clock: FakeClock
) -> None:
    """The service alone, on real SQLite: three presses of one draft at the same instant."""
    service = AlarmService(store, Catalog.load(config.content.folder), config.alarms, clock)
    await add_member(store, "hn-01", 8301, "An")
    leader = await store.residents.by_telegram_id(2001)
    assert leader is not None
    scope = next(s for s in await service.scopes(leader) if s.kind == "team")

    def press(token: str) -> Awaitable[Any]:
        return service.sound(leader, "Bình", "trom", scope.kind, scope.id, token=token)

    raised = await asyncio.gather(*(press("gong-1") for _ in range(3)))
    assert sorted(r.result for r in raised) == [
        RaiseResult.ALREADY, RaiseResult.ALREADY, RaiseResult.RAISED]
    assert len({r.alarm.id for r in raised if r.alarm is not None}) == 1
    assert len(await store.alarms.all()) == 1
    assert [r.result for r in raised if r.recipients] == [RaiseResult.RAISED]  # sent once
    assert (await press("gong-1")).result is RaiseResult.ALREADY
    assert (await press("gong-2")).result is RaiseResult.RAISED  # a new /keng, a new alarm


def told_the_decision(message: BotMessage) -> bool:
    return "Tổ trưởng đã duyệt" in message.text or "không được duyệt" in message.text


async def ask_to_join(sandbox: Sandbox, leader: SimUser, telegram_id: int) -> SimUser:
    await onboard(leader)
    lan = sandbox.user(telegram_id, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await leader.wait_for("Lan xin tham gia")
    return lan


@pytest.mark.usefixtures("bot")
@pytest.mark.parametrize("second", ["Duyệt", "Từ chối"])
async def test_a_join_request_is_decided_once(
    sandbox: Sandbox, store: Store, leader: SimUser, ordering: str, second: str
) -> None:
    lan = await ask_to_join(sandbox, leader, 8401)
    first_press = await leader.press("Duyệt")
    second_press = await leader.press(second)
    answers = [await leader.answer_for(first_press), await leader.answer_for(second_press)]
    await lan.wait_for(predicate=told_the_decision)
    decisions = [e.action for e in await store.audit.entries("team")
                 if e.action in ("team.approved", "team.rejected")]
    assert len(decisions) == 1, (ordering, decisions)
    resident = await store.residents.by_telegram_id(lan.id)
    team = await store.areas.team_by_join_code("HN01")
    assert resident is not None and team is not None
    membership = await store.memberships.get(team.id, resident.id)
    assert (membership.state if membership else None) == (
        "active" if decisions == ["team.approved"] else None)
    assert sum(told_the_decision(m) for m in lan.inbox) == 1
    refused = [a for a in answers if a.show_alert]
    assert len(refused) == 1, answers
    assert "đã được xử lý" in (refused[0].text or "") or "đã cũ" in (refused[0].text or "")


@pytest.mark.parametrize("verdicts", [(True, True), (True, False), (False, True)])
async def test_racing_decisions_on_one_request_decide_once(
    store: Store, config: Config, clock: FakeClock, verdicts: tuple[bool, bool]
) -> None:
    """The service alone, on real SQLite: "Duyệt" and "Duyệt"/"Từ chối" at the same instant."""
    service = TeamService(store, config.teams, clock)
    async with store.db.transaction() as tx:
        applicant_id = await store.residents.ensure(tx, 8501)
    applicant = await store.residents.get(applicant_id)
    leader = await store.residents.by_telegram_id(2001)
    assert applicant is not None and leader is not None
    assert (await service.request_join(applicant, "HN01")).result is JoinResult.REQUESTED
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    outcomes = await asyncio.gather(*(
        service.decide(leader, team.id, applicant_id, approve=v) for v in verdicts))
    results = [o.result for o in outcomes]
    assert results.count(Decision.NOT_PENDING) == 1, results
    taken = next(r for r in results if r is not Decision.NOT_PENDING)
    decisions = [e.action for e in await store.audit.entries("team")
                 if e.action in ("team.approved", "team.rejected")]
    assert decisions == [f"team.{taken.value}"]  # the other press changed nothing
    membership = await store.memberships.get(team.id, applicant_id)
    assert (membership.state if membership else None) == (
        "active" if taken is Decision.APPROVED else None)


async def assign_to_team_one(staff_group: SimGroup, officer: SimUser) -> None:
    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any(
        "Tổ an ninh nhân dân số 1" in label for label in m.labels))
    await officer.press("Tổ an ninh nhân dân số 1", chat=staff_group)
    await staff_group.wait_for("Đã giao")


@pytest.mark.usefixtures("bot")
async def test_the_leaders_arrival_reaches_the_police_group_once(
    sandbox: Sandbox, store: Store, staff_group: SimGroup, officer: SimUser, leader: SimUser,
    ordering: str,
) -> None:
    _, code = await _reported(sandbox, staff_group, user_id=8601)
    await assign_to_team_one(staff_group, officer)
    await leader.wait_for("Nhiệm vụ cho")
    answers = await press_twice(leader, "Đã đến")  # a double tap
    await staff_group.wait_for("đã đến hiện trường")
    later = await leader.answer_for(await leader.press("Đã đến"))  # and a press later on
    texts = [a.text or "" for a in answers]
    assert sum("Đã báo công an xã" in text for text in texts) == 1, texts
    assert sum("đã báo tổ đến" in text for text in texts) == 1, texts
    assert "đã báo tổ đến" in (later.text or "")
    assert sum("đã đến hiện trường" in m.text for m in staff_group.inbox) == 1, ordering
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    actions = [e.action for e in await store.audit.entries("report", report.id)]
    assert actions.count("report.arrived") == 1

    await assign_to_team_one(staff_group, officer)  # assigned again: a new arrival to tell
    await leader.wait_for("Nhiệm vụ cho")
    await leader.press("Đã đến")
    await staff_group.wait_for("đã đến hiện trường")
    assert sum("đã đến hiện trường" in m.text for m in staff_group.inbox) == 2


@pytest.mark.usefixtures("bot")
async def test_a_typed_message_then_two_gui_file_one_report(
    sandbox: Sandbox, store: Store, staff_group: SimGroup
) -> None:
    """The field report: a message typed at the summary, "Gửi", and "Gửi" again as the bot
    answers the message — the third update used to run beside the second."""
    lan = sandbox.user(8102, first_name="Lan")
    await onboard(lan)
    await reach_summary(lan)
    await lan.send("gửi đi")  # typed instead of pressed
    first = await lan.press("Gửi")
    await lan.wait_for("bấm một nút")
    second = await lan.press("Gửi")
    answers = [await lan.answer_for(first), await lan.answer_for(second)]
    sent = await lan.wait_for("Đã gửi tin báo")
    code = next(word for word in sent.text.split() if word.startswith("TB-"))
    await staff_group.wait_for(code)
    resident = await store.residents.by_telegram_id(lan.id)
    assert resident is not None
    assert [r.code for r in await store.reports.of_reporter(resident.id)] == [code]
    assert sum(a.show_alert for a in answers) == 1, answers
