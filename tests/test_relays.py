"""Replies about a report, relayed by the bot: officer ↔ reporter, officer ↔ team leader."""

from __future__ import annotations

import json
import logging

import pytest

from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.api_send import photo_sizes
from bot.sandbox.people import fake_jpeg
from bot.sandbox.views import BotMessage
from bot.store import Store
from tests.test_triage import _reported


@pytest.fixture
def config_extra() -> str:
    """No 3-second wait between two messages to the group: the pace Telegram imposes is
    tested in test_relay_flood.py; here a relay in parts arrives at once."""
    return "[broadcast]\ngroup_per_minute = 1000\nper_chat_seconds = 0.05\n"


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
    with caplog.at_level(logging.INFO):
        await staff_group.send(officer, "Chị còn ở đó không?", reply_to=staff_group.inbox[0])
        await staff_group.wait_for("Không chuyển được")
    assert any("private chat" in r.getMessage() for r in caplog.records)  # logged, unnamed
    assert not any(str(lan.id) in r.getMessage() for r in caplog.records)


# --- long texts, and the truth about delivery ------------------------------------------------


def _photo(sandbox: Sandbox) -> list[dict[str, object]]:
    """A photo's sizes, as a message from a person carries them."""
    stored = sandbox.world.store_file(fake_jpeg(1280, 960, 50_000), "photos", ".jpg")
    sizes = photo_sizes(stored, 1280, 960)
    for size in sizes:
        sandbox.world.files[size["file_id"]] = stored
    sandbox.world.media[stored.file_id] = {"photo": sizes}
    return sizes


def visible_words(messages: list[BotMessage]) -> list[str]:
    return [word for message in messages for word in message.text.split()]


async def _officer_wrote(
    lan: SimUser, staff_group: SimGroup, officer: SimUser, text: str = "Chị cho biết thêm?"
) -> BotMessage:
    """The officer's question, as the reporter got it (replies go back to the group)."""
    await staff_group.send(officer, text, reply_to=staff_group.inbox[0])
    relayed = await lan.wait_for(text)
    await staff_group.wait_for("Đã chuyển cho người báo")
    return relayed


async def test_a_reply_of_4096_characters_reaches_the_group_whole_before_the_writer_is_told(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    question = await _officer_wrote(lan, staff_group, officer)
    words = [f"chi-tiết-{i}" for i in range(300)]
    long_reply = " ".join(words)
    long_reply += " " + "x" * (4096 - len(long_reply) - 1)  # exactly Telegram's maximum
    assert len(long_reply) == 4096
    staff_group.skip()

    await lan.send(long_reply, reply_to=question)
    told = await lan.wait_for("Đã chuyển cho công an xã")
    parts = [m for m in staff_group.inbox if m.message_id > staff_group.inbox[0].message_id
             and "Đã chuyển" not in m.text]
    assert len(parts) == 2  # the header makes it too long for one message: split, not lost
    assert visible_words(parts)[-301:] == long_reply.split()
    assert code in parts[0].text
    assert all(part.reply_to_message_id == staff_group.inbox[0].message_id for part in parts)
    assert told.reply_to_message_id is not None  # it answers the reply it is about
    # and both parts are linked: an officer's reply to the second part reaches the reporter
    await staff_group.send(officer, "Đã rõ, cảm ơn chị", reply_to=parts[1])
    await lan.wait_for("Đã rõ, cảm ơn chị")


async def test_a_thousand_angle_brackets_arrive_as_a_thousand(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, _ = await _reported(sandbox, staff_group)
    question = await _officer_wrote(lan, staff_group, officer)
    staff_group.skip()
    lan.post(lan, {"photo": _photo(sandbox), "caption": "<" * 1000,
                   **lan.reply_fields(question)})
    await lan.wait_for("Đã chuyển cho công an xã")
    photo = await staff_group.wait_for(predicate=lambda m: m.kind == "photo")
    rest = staff_group.inbox[staff_group.inbox.index(photo) + 1:]
    # 4,000 characters of HTML but 1,000 visible; one word, too long for the caption after
    # the header: it follows the photo whole
    assert sum(m.text.count("<") for m in [photo, *rest]) == 1000
    assert len(photo.text) <= 1024


async def test_a_long_photo_caption_is_bounded_and_the_rest_follows(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await _officer_wrote(lan, staff_group, officer)
    caption = " ".join(f"ảnh-{i}" for i in range(160))[:1020] + " <>&"  # Telegram's maximum
    staff_group.skip()
    lan.skip()
    staff_group.post(officer, {"photo": _photo(sandbox), "caption": caption,
                               **staff_group.reply_fields(staff_group.inbox[0])})
    photo = await lan.wait_for(predicate=lambda m: m.kind == "photo" and code in m.text)
    rest = await lan.wait_for(predicate=lambda m: m.kind == "text")
    assert len(photo.text) <= 1024
    assert " ".join(caption.split()) in " ".join(visible_words([photo, rest]))
    assert "Trả lời (reply)" in rest.text  # the end of the template arrived too
    await staff_group.wait_for("Đã chuyển cho người báo")


async def test_a_long_addition_reaches_the_group_before_the_resident_is_told(
    sandbox: Sandbox, bot: AnninhApp, staff_group: SimGroup
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    await lan.command("tindabao")
    await lan.wait_for(code)
    await lan.press(f"Bổ sung {code}")
    await lan.wait_for("Gõ thông tin bổ sung")
    addition = " ".join(f"bổ-sung-{i}" for i in range(500))[:4096]
    staff_group.skip()
    await lan.send(addition)
    await lan.wait_for("Đã gửi thông tin bổ sung")
    parts = staff_group.inbox[1:]
    assert len(parts) == 2
    assert visible_words(parts)[-len(addition.split()):] == addition.split()


async def test_the_writer_is_told_when_a_relay_cannot_be_delivered(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    question = await _officer_wrote(lan, staff_group, officer)
    sandbox.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with caplog.at_level(logging.WARNING):
        await lan.send("Số nhà 12, hẻm 3", reply_to=question)
        failed = await lan.wait_for("Chưa chuyển được")
    assert code in failed.text
    assert not any("Đã chuyển cho công an xã" in m.text for m in lan.inbox[-3:])
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(staff_group.chat_id) in w and "chat not found" in w.lower()
               for w in warnings)
    assert not any("hẻm 3" in w for w in warnings)  # never the text: personal data
    failures = await store.outbox.failures("2000-01-01")
    assert [(f.chat_id, f.lane, f.state) for f in failures] == [
        (staff_group.chat_id, "personal", "unreachable")]

    # the other way: the reporter blocked the bot, the officer is told so
    lan.block_bot()
    await staff_group.send(officer, "Chị còn đó không?", reply_to=staff_group.inbox[0])
    note = await staff_group.wait_for("Không chuyển được cho người báo tin")
    assert code in note.text


async def test_an_erased_reporter_is_not_written_to_and_the_officer_is_told(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    lan, code = await _reported(sandbox, staff_group)
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.reporter_id is not None
    async with store.db.transaction() as tx:
        await store.residents.erase(tx, report.reporter_id)
    await staff_group.send(officer, "Chị còn đó không?", reply_to=staff_group.inbox[0])
    await staff_group.wait_for("Không chuyển được cho người báo tin")
    assert not any("còn đó" in m.text for m in lan.inbox)
