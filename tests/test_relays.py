"""Replies about a report, relayed by the bot: officer ↔ reporter, officer ↔ team leader."""

from __future__ import annotations

import json
import logging

import pytest

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.views import BotMessage
from bot.store import Store
from tests.test_triage import _reported


async def _assign(staff_group: SimGroup, officer: SimUser, team: str) -> BotMessage:
    await officer.press("Giao tổ", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: any(team in label for label in m.labels))
    await officer.press(team, chat=staff_group)
    return await staff_group.wait_for("Đã giao")


async def test_replies_are_relayed_both_ways_and_anonymity_is_kept(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group, anonymous=True)
    card = staff_group.inbox[0]
    await staff_group.send(officer, "Chị cho biết biển số xe được không?", reply_to=card)
    relayed = await lan.wait_for("biển số xe")
    assert code in relayed.text and "Công an xã" in relayed.text
    await staff_group.wait_for("Đã chuyển cho người báo")

    await lan.send("Biển số 60B1-12345", reply_to=relayed)
    back = await staff_group.wait_for("60B1-12345")
    assert code in back.text and "ẩn danh" in back.text
    assert back.reply_to_message_id == card.message_id
    raw = json.dumps(back.raw, ensure_ascii=False)
    assert "Lan" not in raw and "Phạm" not in raw and "3201" not in raw
    await lan.wait_for("Đã chuyển cho công an xã")


async def test_the_team_leader_and_the_officers_write_to_each_other(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    leader: SimUser,
) -> None:
    lan, code = await _reported(sandbox, staff_group, anonymous=True)
    card = await _assign(staff_group, officer, "Tổ an ninh nhân dân số 1")
    task = await leader.wait_for("Nhiệm vụ cho")
    assert "Trả lời (reply)" in task.text

    await leader.send("Đã tới nơi, nhà khóa cửa, chưa gặp chủ nhà", reply_to=task)
    said = await staff_group.wait_for("chưa gặp chủ nhà")
    assert "Tổ trưởng" in said.text and code in said.text
    assert said.reply_to_message_id == card.message_id
    assert "Lan" not in said.text  # the leader never learns, nor says, who reported
    await leader.wait_for("Đã chuyển cho công an xã")

    # an officer's reply to the leader's words goes to the leader, not to the reporter
    await staff_group.send(officer, "Anh chờ chủ nhà về rồi lập biên bản", reply_to=said)
    answer = await leader.wait_for("lập biên bản")
    assert "Công an xã" in answer.text and code in answer.text
    await staff_group.wait_for("Đã chuyển cho tổ trưởng")
    assert not any("lập biên bản" in m.text for m in lan.inbox)

    # and the leader can answer that too
    await leader.send("Rõ", reply_to=answer)
    await staff_group.wait_for(predicate=lambda m: "Tổ trưởng" in m.text and "Rõ" in m.text)
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    authors = await store.db.fetchall(
        "SELECT author FROM report_messages WHERE report_id = ? ORDER BY id", (report.id,))
    assert [row["author"] for row in authors] == ["leader", "officer", "leader"]


async def test_a_replaced_team_leader_cannot_write_about_the_report(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    leader: SimUser,
) -> None:
    _, code = await _reported(sandbox, staff_group)
    await _assign(staff_group, officer, "Tổ an ninh nhân dân số 1")
    task = await leader.wait_for("Nhiệm vụ cho")
    xeom = sandbox.user(2002, first_name="Tổ trưởng xe ôm")
    await _assign(staff_group, officer, "Đội xe ôm xung kích")  # reassigned to another team
    await xeom.wait_for("Nhiệm vụ cho")

    await leader.send("Tôi vẫn đang theo dõi", reply_to=task)
    await leader.send("/trogiup")  # answered only after the reply was handled (one chat, in order)
    await leader.wait_for("/baotin")
    assert not any("đang theo dõi" in m.text for m in staff_group.inbox)
    assert not any("Đã chuyển" in m.text for m in leader.inbox)
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    assert await store.db.scalar(
        "SELECT count(*) FROM report_messages WHERE report_id = ?", (report.id,)) == 0


async def test_a_failed_relay_does_not_log_the_reporters_telegram_id(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lan, _ = await _reported(sandbox, staff_group, anonymous=True)
    lan.block_bot()
    with caplog.at_level(logging.INFO, logger="handlers"):
        await staff_group.send(officer, "Chị còn ở đó không?", reply_to=staff_group.inbox[0])
        await staff_group.wait_for("Không chuyển được")
    assert any("could not be delivered" in r.getMessage() for r in caplog.records)
    assert not any(str(lan.id) in r.getMessage() for r in caplog.records)
