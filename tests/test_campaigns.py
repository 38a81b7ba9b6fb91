"""Campaign files, slots recorded once, quiet hours, mutes, quizzes, and /lichphat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import ContentConfig
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.services.campaigns import load_campaigns, parse_campaign
from bot.store import Store
from tests.helpers import BotRunner, copy_content, services_of
from tests.test_announce import compose, received, resident

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YOUTH = "campaign:phong-chong-ma-tuy-thanh-nien"
NIGHT = """+++
id = "dem-khuya"
title = "Nhắc khóa cửa ban đêm"
schedule = ["0 22 * * *"]
audience = { commune = "hung-loc", hamlets = ["hung-hiep"] }
+++
Trước khi ngủ, hãy khóa cửa và cất xe vào nhà.
"""


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = copy_content(tmp_path)
    (folder / "campaigns" / "dem-khuya.md").write_text(NIGHT, encoding="utf-8")
    return folder


@pytest.fixture
def config_extra(content: Path) -> str:
    return f'[content]\nfolder = "{content}"\n'


@pytest.fixture
async def village(store: Store, sandbox: Sandbox) -> dict[str, SimUser]:
    return {
        "an": await resident(store, sandbox, 3101, "hung-nhon", tags=("thanh-nien",)),
        "binh": await resident(store, sandbox, 3102, "hung-nhon"),
        "chi": await resident(store, sandbox, 3103, "hung-hiep"),
        "hoa": await resident(store, sandbox, 3107, "hung-hiep", muted=True),
        "khanh": await resident(store, sandbox, 3108, "hung-hiep", tags=("thanh-nien",),
                                muted=True),
    }


def test_shipped_campaigns_are_valid_and_aimed() -> None:
    campaigns, errors = load_campaigns(ContentConfig().folder, TZ)
    assert errors == []
    by_id = {c.id: c for c in campaigns}
    assert {"phong-chong-trom-tet", "phong-chay-mua-kho", "phong-chong-ma-tuy-thanh-nien",
            "lua-dao-qua-dien-thoai", "tham-gia-to-an-ninh"} <= set(by_id)
    assert by_id["phong-chong-ma-tuy-thanh-nien"].audience.tags == ("thanh-nien",)
    assert by_id["phong-chay-mua-kho"].photo is not None
    assert by_id["lua-dao-qua-dien-thoai"].quiz is not None


@pytest.mark.parametrize(
    ("front", "field"),
    [
        ('id = "x"\ntitle = "T"\nschedule = ["0 25 * * *"]\naudience = {commune = "c"}',
         "schedule"),
        ('id = "x"\nschedule = ["0 8 * * *"]\naudience = {commune = "c"}', "title"),
        ('id = "x"\ntitle = "T"\nschedule = ["0 8 * * *"]', "audience"),
        ('id = "x"\ntitle = "T"\nschedule = ["0 8 * * *"]\naudience = {commune = "c"}\n'
         'valid_from = "soon"', "valid_from"),
        ('id = "x"\ntitle = "T"\nschedule = ["0 8 * * *"]\naudience = {commune = "c"}\n'
         '[quiz]\nquestion = "Q"\noptions = ["a", "b"]\ncorrect = 5', "quiz.correct"),
        ('id = "x"\ntitle = "T"\nschedule = ["0 8 * * *"]\n'
         'audience = {commune = "c", tags = ["khong-co"]}', "audience"),
        ('id = "x"\ntitle = "T"\nschedule = ["0 8 * * *"]\naudience = {commune = "c"}\n'
         'photo = "missing.jpg"', "photo"),
        ('id = "x" title', "front matter"),
    ],
)
def test_a_bad_campaign_file_is_named_with_its_field(
    content: Path, front: str, field: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = content / "campaigns" / "bad.md"
    bad.write_text(f"+++\n{front}\n+++\nNội dung.\n", encoding="utf-8")
    config = content.parent / "config.toml"
    config.write_text(f'[telegram]\n[database]\npath = "x.sqlite3"\n[content]\n'
                      f'folder = "{content}"\n', encoding="utf-8")
    assert main(["campaigns", "check", "--config", str(config)]) == 1
    error = capsys.readouterr().err
    assert f"bad.md: {field}" in error
    bad.unlink()
    assert main(["campaigns", "check", "--config", str(config)]) == 0


def test_cron_counts_sunday_as_zero_like_cron_does(content: Path) -> None:
    campaign = parse_campaign(content / "campaigns" / "phong-chong-trom-tet.md", TZ)
    from bot.services.campaigns import cron

    trigger = cron(campaign.schedule[0], TZ)
    assert not isinstance(trigger, datetime)
    slot = trigger.get_next_fire_time(None, local(2026, 12, 1, 0, 0))
    assert slot is not None and slot.astimezone(TZ).strftime("%A %H:%M") == "Saturday 19:00"


async def test_campaign_fires_once_at_its_slot_with_its_quiz(
    sandbox: Sandbox, bot: AnninhApp, village: dict[str, SimUser], clock: FakeClock,
    store: Store,
) -> None:
    scheduler = services_of(bot).scheduler
    clock.set(local(2026, 11, 27, 19, 59))
    assert (await scheduler.tick(clock.now())).sent == []
    clock.set(local(2026, 11, 27, 20, 0))
    result = await scheduler.tick(clock.now())
    assert [source for source, _ in result.sent] == [YOUTH]
    assert (await scheduler.tick(clock.now())).sent == []  # the same minute again: nothing

    body = await village["an"].wait_for("Nói không với ma túy")
    assert body.kind == "text"
    quiz = await village["an"].wait_for("bóng cười")
    assert quiz.kind == "poll" and quiz.raw["poll"]["type"] == "quiz"
    assert quiz.raw["poll"]["correct_option_ids"] == [1]
    await asyncio.sleep(0.2)
    assert await received(village, "ma túy") == {"an"}  # khanh muted propaganda

    sandbox.world.push_update("poll_answer", {
        "poll_id": quiz.raw["poll"]["id"], "user": village["an"].user, "option_ids": [1],
        "option_persistent_ids": [quiz.raw["poll"]["options"][1]["persistent_id"]]})
    for _ in range(100):
        if answers := await store.schedules.answers("phong-chong-ma-tuy-thanh-nien"):
            break
        await asyncio.sleep(0.02)
    an = await store.residents.by_telegram_id(3101)
    assert an is not None and answers == [(an.id, 1, True)]


async def test_restart_at_the_slot_neither_skips_nor_repeats_and_late_slots_are_missed(
    sandbox: Sandbox, runner: BotRunner, village: dict[str, SimUser], clock: FakeClock,
    store: Store,
) -> None:
    clock.set(local(2026, 11, 27, 20, 0))
    app = await runner.start()
    await services_of(app).scheduler.tick(clock.now())
    await village["an"].wait_for("ma túy")
    await runner.stop()
    app = await runner.start()  # back within the same minute
    assert (await services_of(app).scheduler.tick(clock.now())).sent == []

    clock.set(local(2026, 12, 4, 21, 30))  # down over last Friday's 20:00: too late
    result = await services_of(app).scheduler.tick(clock.now())
    assert (YOUTH, "2026-12-04T13:00:00+00:00") in result.missed
    clock.set(local(2026, 12, 11, 20, 40))  # 40 minutes late: within the grace period
    result = await services_of(app).scheduler.tick(clock.now())
    assert (YOUTH, "2026-12-11T13:00:00+00:00") in result.sent
    await village["an"].wait_for("ma túy")
    assert [m.text for m in village["an"].inbox].count(village["an"].inbox[0].text) == 2
    states = [state for _, state in await store.schedules.slots(YOUTH)]
    assert states == ["sent", "missed", "sent"]


async def test_quiet_hours_hold_propaganda_until_morning(
    sandbox: Sandbox, bot: AnninhApp, village: dict[str, SimUser], clock: FakeClock
) -> None:
    services = services_of(bot)
    clock.set(local(2026, 11, 24, 22, 0))
    assert [s for s, _ in (await services.scheduler.tick(clock.now())).sent] == [
        "campaign:dem-khuya"]
    await asyncio.sleep(0.4)
    assert await received(village, "khóa cửa") == set()
    clock.set(local(2026, 11, 25, 6, 30))
    services.delivery.notify()
    await village["chi"].wait_for("khóa cửa")
    await asyncio.sleep(0.2)
    assert await received(village, "khóa cửa") == {"chi"}  # hoa and khanh muted it


async def test_officer_pauses_resumes_and_previews_from_chat(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: FakeClock,
) -> None:
    await officer.command("lichphat")
    listing = await officer.wait_for("Lịch phát tuyên truyền")
    assert "Thanh niên nói không với ma túy" in listing.text
    await officer.press("Tạm dừng: Thanh niên nói không")
    assert "đang tạm dừng" in (await officer.wait_for("Lịch phát")).text
    clock.set(local(2026, 11, 27, 20, 0))
    result = await services_of(bot).scheduler.tick(clock.now())
    assert [s for s, _ in result.skipped] == [YOUTH] and result.sent == []

    await officer.press("Tiếp tục: Thanh niên nói không")
    await officer.wait_for("Lịch phát")
    clock.set(local(2026, 12, 4, 20, 0))
    assert [s for s, _ in (await services_of(bot).scheduler.tick(clock.now())).sent] == [YOUTH]
    await village["an"].wait_for("ma túy")

    message, _ = officer.find_button("Xem trước", inline=True)
    await officer.press("Xem trước")
    assert (await officer.wait_for("ma túy")).kind == "text"
    assert message

    await village["an"].command("lichphat")
    await village["an"].wait_for("Chỉ cán bộ")


async def test_repeating_announcement_from_chat(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: FakeClock,
) -> None:
    await compose(officer, "Đổ rác đúng giờ", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("hằng ngày 07:30")
    assert "07:30 hằng ngày" in (await officer.wait_for("lặp lại")).text  # not cron
    await officer.command("lichphat")
    listing = await officer.wait_for("Thông báo lặp lại #")
    assert "Lịch: 07:30 hằng ngày · Đổ rác đúng giờ" in listing.text  # with its text
    scheduler = services_of(bot).scheduler
    for day in (25, 26):
        clock.set(local(2026, 11, day, 7, 30))
        assert len((await scheduler.tick(clock.now())).sent) == 1
        await village["binh"].wait_for("Đổ rác")
    assert await received(village, "Đổ rác") == {"an", "binh"}
    assert len(village["an"].inbox) == 2


async def test_a_scheduled_announcement_is_listed_and_cancelled_from_chat(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: FakeClock, store: Store,
) -> None:
    await compose(officer, "Họp dân tối thứ Sáu tại nhà văn hóa", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("19:00 27/11")
    scheduled = await officer.wait_for("Đã hẹn gửi lúc")
    assert "/lichphat" in scheduled.text

    await officer.command("lichphat")
    listing = await officer.wait_for("Thông báo hẹn giờ #")
    assert "19:00 27/11/2026" in listing.text and "Họp dân tối thứ Sáu" in listing.text
    broadcast_id = int(listing.text.split("Thông báo hẹn giờ #", 1)[1].split(" ", 1)[0])
    await officer.press("Hủy hẹn")
    note = await officer.wait_for("đã bị hủy")
    assert note.message_id == scheduled.message_id  # its "scheduled" message says so
    await officer.wait_for(predicate=lambda m: m.message_id == listing.message_id
                           and "Thông báo hẹn giờ" not in m.text)
    entries = await store.audit.entries("broadcast", broadcast_id)
    assert [e.action for e in entries] == ["broadcast.cancel"]

    query = await officer.press_data(f"pc:cancel:{broadcast_id}")  # pressed again, stale
    assert "không còn chờ gửi" in ((await officer.answer_for(query)).text or "")
    await village["an"].command("lichphat")
    await village["an"].wait_for("Chỉ cán bộ")
    query = await village["an"].press_data(f"pc:cancel:{broadcast_id}")  # not an officer
    refusal = await village["an"].answer_for(query)
    assert refusal.show_alert and "Chỉ cán bộ" in (refusal.text or "")

    clock.set(local(2026, 11, 27, 19, 0))
    assert (await services_of(bot).scheduler.tick(clock.now())).released == []
    assert await received(village, "Họp dân") == set()


async def test_resident_answers_a_campaign_quiz_and_it_is_recorded(
    sandbox: Sandbox, bot: AnninhApp, village: dict[str, SimUser], clock: FakeClock,
    store: Store,
) -> None:
    clock.set(local(2026, 11, 27, 20, 0))
    assert [s for s, _ in (await services_of(bot).scheduler.tick(clock.now())).sent] == [YOUTH]
    quiz = await village["an"].wait_for(predicate=lambda m: m.kind == "poll")
    assert quiz.poll is not None and not quiz.poll["is_anonymous"]
    # the engine records which broadcast sent the poll within FLUSH_SECONDS of sending it
    sent = await until_rows(store, "SELECT broadcast_id FROM outbox WHERE ref = ?",
                            quiz.poll["id"])
    await village["an"].answer_poll(quiz, 0)  # the wrong answer (the quiz says 1)

    rows = await until_rows(store, "SELECT resident_id, broadcast_id, campaign_id, option, "
                                   "correct FROM quiz_answers")
    an = await store.residents.by_telegram_id(3101)
    assert an is not None
    assert rows == [(an.id, sent[0][0], "phong-chong-ma-tuy-thanh-nien", 0, 0)]
    await village["an"].command("diem")  # a wrong answer earns nothing
    await village["an"].wait_for("chưa có điểm thi đua")


async def test_a_quiz_answered_right_in_its_poll_earns_points_once(
    bot: AnninhApp, village: dict[str, SimUser], clock: FakeClock, store: Store,
) -> None:
    clock.set(local(2026, 11, 27, 20, 0))
    await services_of(bot).scheduler.tick(clock.now())
    quiz = await village["an"].wait_for(predicate=lambda m: m.kind == "poll")
    assert quiz.poll is not None
    await until_rows(store, "SELECT broadcast_id FROM outbox WHERE ref = ?", quiz.poll["id"])
    await village["an"].answer_poll(quiz, 1)  # the right one
    await until_rows(store, "SELECT resident_id FROM points WHERE rule = 'quiz_right'")
    await village["an"].command("diem")
    mine = await village["an"].wait_for("Điểm thi đua của bạn")
    assert "+2 — Trả lời đúng câu đố tuyên truyền" in mine.text and "Tất cả: 2" in mine.text


async def until_rows(store: Store, sql: str, *params: object) -> list[tuple[object, ...]]:
    for _ in range(100):
        if rows := await store.db.fetchall(sql, params):
            return [tuple(row) for row in rows]
        await asyncio.sleep(0.02)
    raise AssertionError(f"no rows for {sql}")


async def test_another_commune_s_officer_cannot_touch_this_commune_s_schedules(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: FakeClock, store: Store,
) -> None:
    await compose(officer, "Đổ rác đúng giờ", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("hằng ngày 07:30")
    await officer.wait_for("lặp lại")
    await officer.command("lichphat")  # after the scheduling step (one chat, in order)
    await officer.wait_for("Thông báo lặp lại #")
    (schedule,) = await store.schedules.all()
    async with store.db.transaction() as tx:
        commune_id = await store.areas.upsert_commune(tx, "xa-khac", "Xã Khác", None)
        other = await store.residents.ensure(tx, 1002)
        await store.residents.grant_role(tx, other, "officer", commune_id, "test")
    stranger = sandbox.user(1002, first_name="Cán bộ xã khác")
    await stranger.command("lichphat")
    listing = await stranger.wait_for("Lịch phát tuyên truyền")
    assert "Thanh niên" not in listing.text and f"#{schedule.id}" not in listing.text
    for data in ("pc:pause:phong-chong-ma-tuy-thanh-nien", "pc:view:dem-khuya",
                 f"pc:stop:{schedule.id}"):
        query = await stranger.press_data(data)
        refusal = await stranger.answer_for(query)
        assert refusal.show_alert and "không có quyền" in (refusal.text or ""), data
    assert await store.schedules.paused() == set()
    assert (await store.schedules.all())[0].active
    assert await store.audit.entries("campaign") == []
    assert await store.audit.entries("schedule") == []
    clock.set(local(2026, 11, 27, 20, 0))
    assert YOUTH in [s for s, _ in (await services_of(bot).scheduler.tick(clock.now())).sent]


async def test_every_pause_resume_stop_and_restart_is_audited(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store,
) -> None:
    await compose(officer, "Đổ rác đúng giờ", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("hằng ngày 07:30")
    await officer.wait_for("lặp lại")
    await officer.command("lichphat")  # after the scheduling step (one chat, in order)
    await officer.wait_for("Thông báo lặp lại #")
    (schedule,) = await store.schedules.all()
    for label in ("Tạm dừng: Thanh niên nói không", "Tiếp tục: Thanh niên nói không",
                  f"Dừng lặp lại #{schedule.id}", f"Chạy lại #{schedule.id}"):
        await officer.press(label)
        await officer.wait_for("Lịch phát")
    hung = await store.residents.by_telegram_id(officer.id)
    assert hung is not None
    campaign = await store.audit.entries("campaign")
    assert [(e.action, e.actor_id, "phong-chong-ma-tuy-thanh-nien" in e.detail)
            for e in campaign] == [("campaign.pause", hung.id, True),
                                   ("campaign.resume", hung.id, True)]
    repeating = await store.audit.entries("schedule", schedule.id)
    assert [(e.action, e.actor_id) for e in repeating] == [("schedule.stop", hung.id),
                                                           ("schedule.resume", hung.id)]
