"""The commune police's side: triage presses, refusals, teams, escalation, duplicates."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.services.report_values import Action
from bot.store import Store
from tests.helpers import BotRunner, onboard, services_of
from tests.test_report import file_report


async def _reported(
    sandbox: Sandbox, staff_group: SimGroup, user_id: int = 3201, **kwargs: object
) -> tuple[SimUser, str]:
    lan = sandbox.user(user_id, first_name="Lan", last_name="Phạm")
    await onboard(lan)
    code = await file_report(lan, **kwargs)  # type: ignore[arg-type]
    await staff_group.wait_for(code)
    return lan, code


async def test_officer_accepts_then_resolves_and_the_reporter_is_told(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Tiếp nhận", chat=staff_group)
    card = await staff_group.wait_for("Đã tiếp nhận")
    assert code in card.text and "Cán bộ Hùng" in card.text
    assert not any(label.split(" ", 1)[-1] == "Tiếp nhận" for label in card.labels)
    told = await lan.wait_for("đã được công an xã tiếp nhận")
    assert code in told.text

    await officer.press("Đã xử lý", chat=staff_group)
    card = await staff_group.wait_for("Đã xử lý —")
    assert card.labels == ["🔄 Mở lại"]  # closed: it can only be taken up again
    assert code in (await lan.wait_for("đã được xử lý")).text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "resolved"
    actions = [(e.action, e.actor_label) for e in await store.audit.entries("report", report.id)]
    assert actions == [("report.submitted", "resident"), ("report.accept", "officer"),
                       ("report.resolve", "officer")]


async def test_officer_rejects_with_a_reason_the_reporter_is_told(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Từ chối", chat=staff_group)
    reasons = await staff_group.wait_for(predicate=lambda m: "Thiếu thông tin" in m.labels)
    assert "✏️ Lý do khác" in reasons.labels and "↩ Quay lại" in reasons.labels
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "submitted"  # nothing changes yet
    await officer.press("Thiếu thông tin", chat=staff_group)
    card = await staff_group.wait_for("Đã từ chối")
    assert "Lý do: Thiếu thông tin" in card.text and "🔄 Mở lại" in card.labels
    told = await lan.wait_for("không được tiếp nhận")
    assert code in told.text and "Lý do: Thiếu thông tin" in told.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "rejected"
    assert report.state_note == "Thiếu thông tin"
    (entry,) = [e for e in await store.audit.entries("report", report.id)
                if e.action == "report.reject"]
    assert json.loads(entry.detail)["reason"] == "Thiếu thông tin"


async def test_a_typed_reason_reaches_the_reporter(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Từ chối", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: "Thiếu thông tin" in m.labels)
    await officer.press("✏️ Lý do khác", chat=staff_group)
    prompt = await staff_group.wait_for("lý do từ chối tin")
    await staff_group.send(officer, "Đây là tranh chấp dân sự, đề nghị liên hệ UBND xã",
                           reply_to=prompt)
    told = await lan.wait_for("không được tiếp nhận")
    assert "tranh chấp dân sự" in told.text and code in told.text
    await staff_group.wait_for("Lý do: Đây là tranh chấp dân sự")


async def test_what_came_of_a_resolved_report_is_told_once_and_kept(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    """After "Đã xử lý", a few outcomes under the card, any officer of the group picks one:
    the reporter is told, /tindabao keeps it, and a second pick changes nothing."""
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Đã xử lý", chat=staff_group)
    offer = await staff_group.wait_for("Kết quả thế nào")
    assert code in offer.text and "Đã nhắc nhở, giáo dục" in offer.labels
    assert "✏️ Kết quả khác" in offer.labels
    await lan.wait_for("đã được xử lý")
    await officer.press("Đã nhắc nhở, giáo dục", chat=staff_group)
    told = await lan.wait_for("Kết quả xử lý tin")
    assert code in told.text and "Đã nhắc nhở, giáo dục" in told.text
    await lan.command("tindabao")
    assert "Kết quả: Đã nhắc nhở, giáo dục" in (await lan.wait_for("Tin bạn đã báo")).text

    # the outcomes are gone (thanking the reporter stays); a second pick replayed all the same
    # is refused with the state
    assert (await staff_group.wait_for("Kết quả thế nào")).labels == ["🏅 Khen người báo tin"]
    replayed = await officer.press_data(f"tr:out:{int(code[3:])}:reconciled", chat=staff_group)
    assert (await officer.answer_for(replayed)).show_alert
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state_note == "Đã nhắc nhở, giáo dục"
    outcomes = [e for e in await store.audit.entries("report", report.id)
                if e.action == "report.outcome"]
    assert len(outcomes) == 1 and outcomes[0].actor_label == "officer"
    assert not [m for m in lan.inbox if "Đã hòa giải" in m.text]


async def test_an_outcome_typed_in_reply_reaches_the_reporter(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Đã xử lý", chat=staff_group)
    await staff_group.wait_for("Kết quả thế nào")
    await officer.press("✏️ Kết quả khác", chat=staff_group)
    prompt = await staff_group.wait_for("kết quả xử lý tin")
    await staff_group.send(officer, "Đã trả lại xe cho chủ", reply_to=prompt)
    told = await lan.wait_for("Kết quả xử lý tin")
    assert code in told.text and "Đã trả lại xe cho chủ" in told.text


async def test_a_closed_report_is_reopened_and_the_reporter_told(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await officer.press("Đã xử lý", chat=staff_group)
    await staff_group.wait_for("Đã xử lý —")
    await lan.wait_for("đã được xử lý")
    await officer.press("🔄 Mở lại", chat=staff_group)
    card = await staff_group.wait_for("Đã tiếp nhận —")
    assert "⛔ Từ chối" in card.labels
    assert code in (await lan.wait_for("mở lại")).text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "accepted"
    actions = [e.action for e in await store.audit.entries("report", report.id)]
    assert actions[-2:] == ["report.resolve", "report.reopen"]
    # only an officer of the commune may reopen
    stranger = sandbox.user(9911, first_name="Người lạ")
    staff_group.add(stranger)
    await officer.press("Đã xử lý", chat=staff_group)
    await staff_group.wait_for("Đã xử lý —")
    answer = await stranger.answer_for(await stranger.press("🔄 Mở lại", chat=staff_group))
    assert answer.text and "không có quyền" in answer.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "resolved"


async def test_a_press_by_someone_else_is_refused_and_changes_nothing(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    intruder = sandbox.user(3299, first_name="Người ngoài")
    staff_group.add(intruder)
    for label in ("Tiếp nhận", "Từ chối", "Đã xử lý", "Giao tổ"):
        query = await intruder.press(label, chat=staff_group)
        refusal = await intruder.answer_for(query)
        assert refusal.show_alert and "không có quyền" in (refusal.text or "")
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "submitted"
    assert [e.action for e in await store.audit.entries("report", report.id)] == [
        "report.submitted"]
    card = staff_group.inbox[0]
    assert card.edits == 0
    assert not any("tiếp nhận" in m.text for m in lan.inbox[-1:])


async def test_assignment_to_a_team_and_the_leaders_report_back(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    leader: SimUser,
) -> None:
    lan, code = await _reported(sandbox, staff_group, anonymous=False)
    await officer.press("Giao tổ", chat=staff_group)
    teams = await staff_group.wait_for(predicate=lambda m: any(
        "Tổ an ninh nhân dân số 1" in label for label in m.labels))
    # A named report without a place: the teams of the reporter's hamlet (an anonymous one
    # gets the whole commune's: tests/test_anonymity.py).
    assert not any("Đội dân phòng Hưng Hiệp" in label for label in teams.labels)
    await officer.press("Tổ an ninh nhân dân số 1", chat=staff_group)
    card = await staff_group.wait_for("Đã giao")
    assert "Tổ an ninh nhân dân số 1" in card.text
    assert "Tổ an ninh nhân dân số 1" in (await lan.wait_for("đã được giao cho")).text
    task = await leader.wait_for("Nhiệm vụ cho")
    assert code in task.text and "Mất xe máy" in task.text and "Lan" not in task.text

    await leader.press("Đã đến")
    note = await staff_group.wait_for("đã đến hiện trường")
    assert note.reply_to_message_id == card.message_id
    await leader.press("Đã xử lý")
    await leader.wait_for("sự việc đã được xử lý")
    await staff_group.wait_for("Đã xử lý —")
    await lan.wait_for("đã được xử lý")
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "resolved" and report.team_id is not None
    actions = [e.action for e in await store.audit.entries("report", report.id)]
    assert actions == ["report.submitted", "report.assign", "report.arrived", "report.resolve"]


async def test_a_task_the_leader_cannot_get_is_said_under_the_card(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    leader: SimUser,
) -> None:
    """The task goes through the outbox; a leader who blocked the bot does not get it, and the
    police group is told under the card rather than left believing the team is on its way."""
    await _reported(sandbox, staff_group, anonymous=False)
    leader.block_bot()
    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any(
        "Tổ an ninh nhân dân số 1" in label for label in m.labels))
    await officer.press("Tổ an ninh nhân dân số 1", chat=staff_group)
    card = await staff_group.wait_for("Đã giao")
    note = await staff_group.wait_for("Không gửi được nhiệm vụ cho tổ trưởng")
    assert note.reply_to_message_id == card.message_id
    assert not any("Nhiệm vụ cho" in m.text for m in leader.inbox)
    failures = await store.outbox.failures("2000-01-01")
    assert [(f.lane, f.state) for f in failures] == [("personal", "unreachable")]


async def test_a_non_leader_cannot_report_back(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    leader: SimUser,
) -> None:
    _, code = await _reported(sandbox, staff_group)
    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any("số 1" in label for label in m.labels))
    await officer.press("Tổ an ninh nhân dân số 1", chat=staff_group)
    task = await leader.wait_for("Nhiệm vụ cho")
    other = sandbox.user(3298, first_name="Khác")
    # someone else presses the leader's button (e.g. a forwarded message)
    world = sandbox.world
    query = {"id": "99", "from": other.user, "message": task.raw, "chat_instance": "1",
             "data": task.inline[0][1][1]}
    world.callback_queries["99"] = query
    world.push_update("callback_query", query)
    refusal = await other.answer_for("99")
    assert refusal.show_alert
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "assigned"


async def test_the_reporter_adds_information_from_myreports(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup
) -> None:
    lan, code = await _reported(sandbox, staff_group, anonymous=False)
    await lan.command("tindabao")
    listing = await lan.wait_for("Tin bạn đã báo")
    assert code in listing.text and "chờ tiếp nhận" in listing.text
    await lan.press(f"Bổ sung {code}")
    await lan.wait_for("thông tin bổ sung")
    await lan.send_photo(caption="Ảnh kẻ trộm từ camera")
    await lan.wait_for("Đã gửi thông tin bổ sung")
    added = await staff_group.wait_for("Ảnh kẻ trộm")
    assert added.kind == "photo" and "Lan Phạm" in added.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and len(await store.reports.photos(report.id)) == 1


async def test_an_unaccepted_report_is_raised_then_sent_to_each_officer(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    clock: FakeClock,
) -> None:
    _, code = await _reported(sandbox, staff_group)  # theft: high urgency, 30 minutes
    services = services_of(bot)
    assert await services.triage.escalate() == 0
    clock.advance(timedelta(minutes=31))
    assert await services.triage.escalate() == 1
    raised = await staff_group.wait_for("chưa được tiếp nhận sau")
    assert code in raised.text and "31 phút" in raised.text
    assert await services.triage.escalate() == 0  # recorded: not raised twice
    clock.advance(timedelta(minutes=31))
    assert await services.triage.escalate() == 1
    private = await officer.wait_for("chưa được ai tiếp nhận")
    assert code in private.text and any("Tiếp nhận" in label for label in private.labels)
    await officer.press("Tiếp nhận")
    await staff_group.wait_for("Đã tiếp nhận")
    clock.advance(timedelta(hours=5))
    assert await services.triage.escalate() == 0


async def test_escalation_deadline_survives_a_restart(
    sandbox: Sandbox, runner: BotRunner, store: Store, staff_group: SimGroup, clock: FakeClock
) -> None:
    await runner.start()
    _, code = await _reported(sandbox, staff_group)
    await runner.stop()
    clock.advance(timedelta(minutes=40))
    app = await runner.start()
    assert await services_of(app).triage.escalate() == 1
    assert code in (await staff_group.wait_for("chưa được tiếp nhận sau")).text


async def test_a_nearby_report_of_the_same_kind_shows_the_earlier_code(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, clock: FakeClock
) -> None:
    _, first = await _reported(sandbox, staff_group, location=(10.9500, 107.1600))
    clock.advance(timedelta(minutes=20))
    minh = sandbox.user(3202, first_name="Minh")
    await onboard(minh)
    second = await file_report(minh, "Thấy người lạ bẻ khóa xe", location=(10.9510, 107.1605))
    card = await staff_group.wait_for(second)
    assert f"Có thể trùng với tin {first}" in card.text
    third = await file_report(minh, "Cháy bếp", location=(10.9510, 107.1605), category="Cháy nổ")
    assert "trùng" not in (await staff_group.wait_for(third)).text


async def test_without_a_staff_group_each_officer_gets_the_report_privately(
    sandbox: Sandbox, bot: AnninhApp, store: Store, officer: SimUser
) -> None:
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE communes SET staff_chat_id = NULL")
    lan = sandbox.user(3203, first_name="Lan")
    await onboard(lan)
    code = await file_report(lan)
    card = await officer.wait_for(code)
    assert "chưa có nhóm công an" in card.text
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.staff_chat_id is None
    await officer.press("Tiếp nhận")
    assert "Đã tiếp nhận" in (await officer.wait_for("Đã tiếp nhận")).text
    await lan.wait_for("đã được công an xã tiếp nhận")


async def test_pressing_send_twice_files_one_report(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup
) -> None:
    lan = sandbox.user(3204, first_name="Lan")
    await onboard(lan)
    await file_report(lan)
    summary = next(m for m in reversed(lan.inbox) if m.raw.get("reply_markup") is None
                   and "Đã gửi tin báo" in m.text)
    query = {"id": "77", "from": lan.user, "message": summary.raw, "chat_instance": "1",
             "data": "rp:send"}
    sandbox.world.callback_queries["77"] = query
    sandbox.world.push_update("callback_query", query)
    stale = await lan.answer_for("77")
    assert stale.show_alert and "cũ" in (stale.text or "")
    resident = await store.residents.by_telegram_id(3204)
    assert resident is not None and len(await store.reports.of_reporter(resident.id)) == 1


async def test_the_back_press_is_checked_like_every_card_press(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    _, code = await _reported(sandbox, staff_group)
    intruder = sandbox.user(3299, first_name="Người ngoài")
    staff_group.add(intruder)
    report_id = int(code[3:])
    query = await intruder.press_data(f"tr:back:{report_id}", chat=staff_group)
    refusal = await intruder.answer_for(query)
    assert refusal.show_alert and "không có quyền" in (refusal.text or "")
    assert staff_group.inbox[0].edits == 0

    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any("số 1" in label for label in m.labels))
    query = await intruder.press("Quay lại", chat=staff_group)
    refusal = await intruder.answer_for(query)
    assert refusal.show_alert and "không có quyền" in (refusal.text or "")
    card = staff_group.inbox[0]
    assert card.edits == 1 and any("số 1" in label for label in card.labels)  # still the list
    await officer.press("Quay lại", chat=staff_group)
    card = await staff_group.wait_for(predicate=lambda m: any("Tiếp nhận" in label
                                                              for label in m.labels))
    assert card.edits == 2


async def test_presses_that_do_not_fit_the_report_s_state_are_refused(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    _, code = await _reported(sandbox, staff_group)
    report_id = int(code[3:])
    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any("số 1" in label for label in m.labels))
    team_list = staff_group.inbox[0]
    # Meanwhile another officer closes it (another copy of the card, or the web console).
    hung = await store.residents.by_telegram_id(officer.id)
    assert hung is not None
    await services_of(bot).reports.act(hung, report_id, Action.RESOLVE)
    query = await officer.press("Tổ an ninh nhân dân số 1", chat=staff_group)
    refusal = await officer.answer_for(query)
    assert refusal.show_alert and "trạng thái khác" in (refusal.text or "")
    for verb in ("asg", "acc", "rej", "res"):
        query = await officer.press_data(f"tr:{verb}:{report_id}", chat=staff_group)
        refusal = await officer.answer_for(query)
        assert refusal.show_alert and "trạng thái khác" in (refusal.text or ""), verb
    card = staff_group.inbox[0]
    assert card.edits == team_list.edits  # no team list again, nothing changed
    report = await store.reports.get(report_id)
    assert report is not None and report.state == "resolved" and report.team_id is None
    assert [e.action for e in await store.audit.entries("report", report_id)] == [
        "report.submitted", "report.resolve"]
