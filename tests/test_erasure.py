"""/xoadulieu leaves nothing that identifies the person or links their reports to them.

One resident does everything a resident can (consent with phone and tags, a team joined with the
leader's approval, a named and an anonymous report, relayed messages both ways, a gong answered,
an announcement and a quiz received and answered, a draft left open), then deletes their data.
Then every column of every table of the SQLite file is read, the tables listed from
sqlite_master so that a table added later is read too, and nothing may name them.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.models import Recipient
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.services.redaction import Redactor
from bot.store import Store
from bot.store.erasure import TOMBSTONE_CHAT
from tests.helpers import services_of, sound_gong
from tests.test_announce import compose
from tests.test_report import start_report

XUYEN = 7770001234  # the person's Telegram id
NAMES = ("Xuyến Quách", "Quách Thị Xuyến", "Xuyến", "Quách", "xuyen_quach")
PHONES = ("912345678", "912 345 678")  # the number in every way it is written here
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def traces(
    path: Path, resident_id: int, telegram_id: int | str = XUYEN, names: tuple[str, ...] = NAMES
) -> list[str]:
    """Every place in the database that still points at the person: their Telegram id (as a
    number or in a text; or another messenger's id), names, username, phone; their resident
    id in any column that refers to residents, in an audit entry about a resident, or under a
    resident key in JSON."""
    found = []
    with contextlib.closing(sqlite3.connect(path)) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            to_residents = {row[3] for row in db.execute(f'PRAGMA foreign_key_list("{table}")')
                            if row[2] == "residents"}
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for column, value in zip(columns, row, strict=True):
                    refers = value == telegram_id or (
                        column in to_residents and value == resident_id)
                    names_them = isinstance(value, str) and _names_person(
                        value, resident_id, telegram_id, names)
                    if refers or names_them:
                        found.append(f"{table}.{column} = {value!r}")
                values = dict(zip(columns, row, strict=True))
                if (values.get("subject_type"), values.get("subject_id")) == (
                        "resident", resident_id):
                    found.append(f"{table}: an entry about resident {resident_id}")
    return found


def _names_person(
    text: str, resident_id: int, telegram_id: int | str = XUYEN,
    names: tuple[str, ...] = NAMES,
) -> bool:
    folded = text.casefold()
    if str(telegram_id) in text or any(n.casefold() in folded for n in names) or any(
            p in text for p in PHONES):
        return True
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return _resident_key(data, resident_id)


def _resident_key(data: Any, resident_id: int) -> bool:
    if isinstance(data, dict):
        return any((str(k).endswith("resident_id") and v == resident_id)
                   or _resident_key(v, resident_id) for k, v in data.items())
    if isinstance(data, list):
        return any(_resident_key(v, resident_id) for v in data)
    return False


async def _onboard_with_tags(xuyen: SimUser) -> None:
    await xuyen.command("start")
    await xuyen.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await xuyen.press("Đồng ý")
    await xuyen.wait_for("ấp")
    await xuyen.press("Ấp Hưng Nhơn")
    await xuyen.wait_for("nhóm")
    await xuyen.press("Thanh niên")
    await xuyen.wait_for(predicate=lambda m: "✓ Thanh niên" in m.labels)
    await xuyen.press("Xong")
    await xuyen.wait_for("Cảm ơn bạn")


async def _give_phone(xuyen: SimUser) -> None:
    await xuyen.command("caidat")
    await xuyen.wait_for("Cài đặt")
    await xuyen.press("Số điện thoại")
    await xuyen.wait_for("Không bắt buộc")
    await xuyen.tap("Gửi số điện thoại")
    await xuyen.wait_for("Đã lưu số điện thoại 0912 345 678")


async def _join_team(xuyen: SimUser, leader: SimUser) -> None:
    await leader.command("start")
    await leader.wait_for("Đồng ý")
    await leader.press("Đồng ý")
    await leader.wait_for("ấp")
    await leader.press("Ấp Hưng Nhơn")
    await leader.wait_for("nhóm")
    await leader.press("Xong")
    await leader.wait_for("Cảm ơn bạn")
    await xuyen.command("thamgia", "HN01")
    await xuyen.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for("Xuyến Quách xin tham gia")
    await leader.press("Duyệt")
    await xuyen.wait_for("Tổ trưởng đã duyệt")


async def _reports(xuyen: SimUser, officer: SimUser, staff_group: SimGroup) -> list[str]:
    """A named report that names her twice, accepted, with messages both ways; an anonymous
    one told by voice."""
    await start_report(xuyen)
    await xuyen.send("Tôi là Quách Thị Xuyến (0912 345 678): mất xe máy Honda trước nhà")
    await xuyen.wait_for("ở đâu")
    await xuyen.send("Nhà Xuyến, ấp Hưng Nhơn")
    await xuyen.wait_for("Bạn có ảnh không")
    await xuyen.press("Bỏ qua")
    await xuyen.wait_for("Bạn muốn gửi tin thế nào")
    await xuyen.press("Gửi kèm tên")
    await xuyen.wait_for("Kiểm tra lại")
    await xuyen.press("Gửi")
    sent = await xuyen.wait_for("Đã gửi tin báo")
    named = next(word for word in sent.text.split() if word.startswith("TB-"))
    card = await staff_group.wait_for(named)
    assert "Xuyến Quách · 0912 345 678 · Ấp Hưng Nhơn" in card.text
    await officer.press("Tiếp nhận", chat=staff_group)
    await xuyen.wait_for("đã được công an xã tiếp nhận")
    await staff_group.send(officer, "Chị Xuyến cho biết biển số xe?", reply_to=card)
    relayed = await xuyen.wait_for("biển số xe")
    await xuyen.send("Xuyến đây, biển 60B1-12345, gọi 0912345678", reply_to=relayed)
    await staff_group.wait_for("60B1-12345")
    await xuyen.wait_for("Đã chuyển cho công an xã")

    await start_report(xuyen, "Người lạ")
    await xuyen.send_voice()
    await xuyen.wait_for("ở đâu")
    await xuyen.press("Bỏ qua")
    await xuyen.wait_for("Bạn có ảnh không")
    await xuyen.press("Bỏ qua")
    await xuyen.wait_for("Bạn muốn gửi tin thế nào")
    await xuyen.press("Ẩn danh")
    await xuyen.wait_for("Kiểm tra lại")
    await xuyen.press("Gửi")
    sent = await xuyen.wait_for("Đã gửi tin báo")
    anonymous = next(word for word in sent.text.split() if word.startswith("TB-"))
    await staff_group.wait_for(anonymous)
    return [named, anonymous]


async def _gong_announcement_and_quiz(
    bot: AnninhApp, xuyen: SimUser, leader: SimUser, officer: SimUser, clock: FakeClock
) -> None:
    await sound_gong(leader)
    await xuyen.wait_for("KẺNG AN NINH")
    await xuyen.answer_for(await xuyen.press("Đang đến"))
    await leader.wait_for(predicate=lambda m: "Đang đến (1): Xuyến Quách" in m.text)

    await compose(officer, "Họp dân lúc 19:00 tại nhà văn hóa")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong")
    await xuyen.wait_for("Họp dân")

    services = services_of(bot)
    clock.set(datetime(2026, 11, 27, 20, 0, tzinfo=TZ).astimezone(UTC))
    sent = dict((await services.scheduler.tick(clock.now())).sent)
    assert "campaign:phong-chong-ma-tuy-thanh-nien" in sent  # for youth: it has a quiz
    quiz = await xuyen.wait_for(predicate=lambda m: m.kind == "poll")
    for row in await services.store.db.fetchall(
            "SELECT id FROM broadcasts WHERE origin LIKE 'campaign:%'"):
        await services.delivery.wait_done(row[0])  # a poll's id is recorded with its delivery
    assert quiz.poll is not None
    assert await services.campaigns.record_answer(quiz.poll["id"], XUYEN, [1])


async def _open_draft(xuyen: SimUser) -> None:
    await start_report(xuyen)
    await xuyen.send("Quách Thị Xuyến đang viết dở: có tiếng động lạ")
    await xuyen.wait_for("ở đâu")


async def test_deleting_ones_data_leaves_no_trace_of_the_person(
    sandbox: Sandbox, bot: AnninhApp, store: Store, staff_group: SimGroup, officer: SimUser,
    leader: SimUser, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    xuyen = sandbox.user(XUYEN, first_name="Xuyến", last_name="Quách", username="xuyen_quach",
                         phone="+84 912 345 678")
    await _onboard_with_tags(xuyen)
    await _give_phone(xuyen)
    await _join_team(xuyen, leader)
    codes = await _reports(xuyen, officer, staff_group)
    await _gong_announcement_and_quiz(bot, xuyen, leader, officer, clock)
    await _open_draft(xuyen)
    await bot.update_persistence()
    person = await store.residents.by_telegram_id(XUYEN)
    assert person is not None
    assert traces(store.db.path, person.id)  # the scan sees her before …
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    before = await store.stats.commune(commune.id, "2000-01-01")

    await xuyen.command("xoadulieu")
    await xuyen.wait_for("Xóa dữ liệu của bạn?")
    with caplog.at_level(logging.INFO):
        await xuyen.press("Xóa")
        said = await xuyen.wait_for("Đã xóa dữ liệu của bạn")
        await bot.update_persistence()
    assert "2 tin bạn đã báo" in said.text

    assert traces(store.db.path, person.id) == []  # … and nothing after
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("bot.sandbox")]
    assert not [line for line in logged if _names_person(line, person.id)]

    # The commune keeps its records, without her, and its figures.
    after = await store.stats.commune(commune.id, "2000-01-01")
    assert after.reports_by_state == before.reports_by_state
    assert (after.alarm_recipients, after.alarm_coming) == (1, 1) == (
        before.alarm_recipients, before.alarm_coming)
    assert after.messages_sent == before.messages_sent
    named, anonymous = [await store.reports.get(int(code[3:])) for code in codes]
    assert named is not None and anonymous is not None
    assert named.reporter_id is None and anonymous.reporter_id is None
    assert named.description == "Tôi là […] Thị […] ([…]): mất xe máy Honda trước nhà"
    assert named.address == "Nhà […], ấp Hưng Nhơn" and named.state == "accepted"
    assert anonymous.voice_file_id is None
    # Her delivered messages stay as tombstones (the scan above finds no chat of hers).
    assert await store.db.scalar(
        "SELECT count(*) FROM outbox WHERE chat_id < ?", (TOMBSTONE_CHAT,))

    # Nothing she had open goes on: the draft's next step (the place) is not taken.
    seen = len(xuyen.inbox)
    await xuyen.send("Số 5 đường Lê Lợi")
    await xuyen.command("trogiup")  # her updates are handled in order: the text came first
    await xuyen.wait_for("Hướng dẫn")
    assert not any("Địa điểm:" in m.text for m in xuyen.inbox[seen:])


async def test_a_leader_who_deletes_their_data_leaves_what_they_did_without_them(
    store: Store,
) -> None:
    """Straight on the store: the gong they sounded, the messages they sent with their progress
    message, the decisions they took, the audit entries naming them by Telegram id."""
    leader = await store.residents.by_telegram_id(2001)
    team = await store.areas.team_by_join_code("HN01")
    assert leader is not None and team is not None
    async with store.db.transaction() as tx:
        member = await store.residents.ensure(tx, 3009)
        await store.memberships.add(tx, team.id, member, "member", "active", leader.id)
        alarm = await store.alarms.create(
            tx, [member], commune_id=team.commune_id, caller_id=leader.id, caller_role="leader",
            caller_name="Tổ trưởng Bình", scope_kind="team", scope_id=team.id,
            scope_name=team.name, kind="trom", note="Bình ở đầu ngõ", sent_at="2026-11-24",
            expires_at="2026-11-25", caller_chat_id=2001, caller_message_id=55)
        broadcast = await store.broadcasts.create(
            tx, commune_id=team.commune_id, lane="announcement", payload="{}",
            created_by=leader.id, progress=(2001, 77))
        await store.outbox.add(tx, broadcast, 1, [Recipient(leader.id, 2001),
                                                  Recipient(member, 3009)])
        await store.audit.record(
            tx, actor_id=None, actor_label="officer", action="role.leader", subject_type="team",
            subject_id=team.id, leader_telegram_id=2001, previous_telegram_id="2001")
        await store.audit.record(
            tx, actor_id=member, actor_label="resident", action="team.joined",
            subject_type="team", subject_id=team.id, resident_id=member)
        await store.erasure.forget(tx, leader.id, Redactor(["Tổ trưởng Bình", "Bình"]))

    assert await store.residents.by_telegram_id(2001) is None
    ended = await store.alarms.get(alarm)
    assert ended is not None and (ended.caller_id, ended.caller_name, ended.caller_chat_id,
                                  ended.caller_message_id) == (None, "", None, None)
    assert ended.note == "[…] ở đầu ngõ"
    sent = await store.broadcasts.get(broadcast)
    assert sent is not None and (sent.created_by, sent.progress_chat_id) == (None, None)
    assert [d.chat_id for d in await store.outbox.deliveries(broadcast)] == [3009]  # unsent: gone
    membership = await store.memberships.get(team.id, member)
    assert membership is not None and membership.state == "active"
    details = [json.loads(e.detail) for e in await store.audit.entries("team", team.id)]
    assert {"leader_telegram_id": None, "previous_telegram_id": None} in details
    assert {"resident_id": member} in details  # someone else's entry is left as it was
    assert traces(store.db.path, leader.id, 2001, ("Bình",)) == []
