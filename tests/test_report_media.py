"""Photos and voice notes kept by anninh itself, through the real bot and the sandbox: what a
resident sends is downloaded into the media folder at once (within [media]'s limits, the
failures told), sent to officers from there when no Telegram file id is cached, removed with
the person's data, and swept when nothing names it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.channels.telegram import cards
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.media import MediaStore
from bot.models import ReportPhoto
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.people import fake_jpeg
from bot.services.media import ORPHAN_GRACE
from bot.services.report_values import Draft
from bot.store import Store
from bot.store.migrations import available, migrate
from tests.helpers import BotRunner, onboard, services_of
from tests.test_mydata import forget
from tests.test_report import start_report
from tests.test_report_photos import add_photo, send_it, to_the_photos

LIMIT = 500_000


@pytest.fixture
def config_extra() -> str:
    return (f"[media]\nmax_photo_bytes = {LIMIT}\n"  # the group paced fast: see test_relays
            "[broadcast]\ngroup_per_minute = 1000\nper_chat_seconds = 0.05\n")


@pytest.fixture
async def lan(sandbox: Sandbox, bot: AnninhApp) -> SimUser:
    person = sandbox.user(3301, first_name="Lan")
    await onboard(person)
    return person


def media_of(config: Config, clock: FakeClock | None = None) -> MediaStore:
    return MediaStore(config.media.folder, clock)


def served(sandbox: Sandbox, message: dict[str, object]) -> bytes:
    """The bytes the sandbox serves for a photo or voice note a person sent."""
    field = message.get("photo") or [message["voice"]]
    assert isinstance(field, list)
    return sandbox.world.files[field[-1]["file_id"]].data


async def test_a_reports_voice_note_and_photos_are_kept_in_the_media_folder(
    sandbox: Sandbox, lan: SimUser, store: Store, config: Config, staff_group: SimGroup
) -> None:
    await start_report(lan)
    voice = await lan.send_voice()
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    photos = []
    for index in (1, 2):
        photos.append(await lan.send_photo())
        await lan.wait_for(f"Đã nhận ảnh {index}")
    _, code = await send_it(lan)

    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.voice_media_key is not None
    media = media_of(config)
    assert await media.read(report.voice_media_key) == served(sandbox, voice)
    rows = await store.reports.photos(report.id)
    assert [await media.read(row.media_key or "") for row in rows] == [
        served(sandbox, photo) for photo in photos]
    assert [row.file_id for row in rows] == [p["photo"][-1]["file_id"] for p in photos]
    assert (await media.usage()).files == 3
    await staff_group.wait_for(code)  # the officers get them by the cached file ids
    await staff_group.wait_for(predicate=lambda m: m.kind == "voice")
    assert [m.kind for m in staff_group.inbox] == ["text", "photo", "photo", "voice"]
    assert sandbox.world.stats.requests["getFile"] == 3  # each downloaded once, not uploaded


async def test_a_photo_past_max_photo_bytes_is_refused_without_downloading_it(
    sandbox: Sandbox, lan: SimUser, store: Store, config: Config
) -> None:
    await to_the_photos(lan)
    await lan.send_photo(file_size=LIMIT + 100_000)
    told = await lan.wait_for("Ảnh quá lớn")
    assert "(0.6 MB, tối đa 0.5 MB)" in told.text
    assert sandbox.world.stats.requests["getFile"] == 0
    assert (await media_of(config).usage()).files == 0
    await lan.send_photo(file_size=LIMIT)
    await lan.wait_for("Đã nhận ảnh 1")
    _, code = await send_it(lan)
    report = await store.reports.get(int(code[3:]))
    assert report is not None and len(await store.reports.photos(report.id)) == 1


async def test_a_photo_or_voice_note_that_cannot_be_downloaded_is_told_and_sent_again(
    sandbox: Sandbox, lan: SimUser, store: Store, config: Config
) -> None:
    await start_report(lan)
    sandbox.fail_next("getFile", 400, "Bad Request: file is temporarily unavailable")
    await lan.send_voice()
    await lan.wait_for("Chưa tải được tin nhắn thoại này về")
    await lan.send("Có người lạ trèo tường")  # the step stays: typed instead
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    sandbox.fail_next("getFile", 500, "Internal Server Error")
    lost = await lan.send_photo()
    await lan.wait_for("Chưa tải được ảnh này về nên ảnh chưa được lưu")
    again = await lan.send_photo(data=served(sandbox, lost))
    await lan.wait_for("Đã nhận ảnh 1")
    summary, code = await send_it(lan)
    assert "Ảnh: 1" in summary
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.voice_media_key is None
    [photo] = await store.reports.photos(report.id)
    assert photo.media_key is not None
    assert await media_of(config).read(photo.media_key) == served(sandbox, again)


async def test_photos_added_later_are_kept_too(
    sandbox: Sandbox, lan: SimUser, store: Store, config: Config, staff_group: SimGroup,
    officer: SimUser,
) -> None:
    """"Bổ sung" and a reply about the report, each with a photo."""
    await to_the_photos(lan)
    _, code = await _skip_photos(lan)
    card = await staff_group.wait_for(code)
    await add_photo(lan, code)
    await lan.wait_for("Đã gửi thông tin bổ sung")
    await staff_group.send(officer, "Chị gửi thêm ảnh mặt trước nhà nhé", reply_to=card)
    relayed = await lan.wait_for("mặt trước nhà")
    sandbox.fail_next("getFile", 400, "Bad Request: file is temporarily unavailable")
    await lan.send_photo(reply_to=relayed)
    await lan.wait_for("Chưa tải được ảnh này về")  # not passed on: sent again
    reply = await lan.send_photo(reply_to=relayed)
    await lan.wait_for("Đã chuyển cho công an xã")
    report_id = int(code[3:])
    keys = [row[0] for row in await store.db.fetchall(
        "SELECT media_key FROM report_messages WHERE report_id = ? AND author = 'reporter' "
        "ORDER BY id", (report_id,))]
    media = media_of(config)
    assert len(keys) == 2 and await media.read(keys[1]) == served(sandbox, reply)
    assert [p.media_key for p in await store.reports.photos(report_id)] == keys[:1]  # Bổ sung
    assert await store.reports.photo_count(report_id) == 2
    assert (await media.usage()).files == 2


async def _skip_photos(person: SimUser) -> tuple[str, str]:
    await person.press("Bỏ qua")
    await person.wait_for("Bạn muốn gửi tin thế nào")
    return await send_it(person, press_done=False)


async def test_a_report_from_another_channel_reaches_the_group_from_the_media_store(
    sandbox: Sandbox, bot: AnninhApp, lan: SimUser, store: Store, staff_group: SimGroup
) -> None:
    """Media without a Telegram file id is uploaded from the media store; the ids Telegram
    gives it are cached, so the next send needs no upload."""
    services = services_of(bot)
    jpegs = [fake_jpeg(800, 600, 40_000, serial) for serial in (1, 2)]
    photos = [ReportPhoto(None, None, (await services.media.files.put(
        data, "photo", "image/jpeg")).key) for data in jpegs]
    voice = await services.media.files.put(b"OggS zalo voice", "voice", "audio/ogg")
    resident = await services.residents.get(lan.id)
    assert resident is not None
    filed = await services.reports.file(resident, Draft(
        "trom-cap", "Báo qua Zalo", photos=photos, voice_media_key=voice.key))
    assert filed.report is not None
    await cards.post_report(bot.bot, services, filed.report)

    await staff_group.wait_for(predicate=lambda m: m.kind == "voice")
    sent = [m.raw for m in staff_group.inbox if m.kind != "text"]
    world = sandbox.world
    assert [world.files[m["photo"][-1]["file_id"]].data for m in sent[:2]] == jpegs
    assert world.files[sent[2]["voice"]["file_id"]].data == b"OggS zalo voice"
    cached = await store.reports.photos(filed.report.id)
    assert [p.file_id for p in cached] == [m["photo"][-1]["file_id"] for m in sent[:2]]
    report = await store.reports.get(filed.report.id)
    assert report is not None and report.voice_file_id == sent[2]["voice"]["file_id"]


async def test_deleting_ones_data_deletes_ones_files_and_no_one_elses(
    sandbox: Sandbox, lan: SimUser, store: Store, config: Config, staff_group: SimGroup,
    clock: FakeClock,
) -> None:
    """Her filed photos and voice note, her "Bổ sung" photo and the photo of the draft she
    left (the command ends it) go from the media folder; a photo someone else sent with the
    same bytes stays."""
    shared = fake_jpeg(1280, 960, 60_000, 424242)
    await start_report(lan)
    await lan.send_voice()
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    await lan.send_photo(data=shared)
    await lan.wait_for("Đã nhận ảnh 1")
    _, code = await send_it(lan)
    await staff_group.wait_for(code)
    await add_photo(lan, code)
    await lan.wait_for("Đã gửi thông tin bổ sung")
    await to_the_photos(lan)
    await lan.send_photo()  # a draft left open
    await lan.wait_for("Đã nhận ảnh 1")
    minh = sandbox.user(3302, first_name="Minh")
    await onboard(minh)
    await to_the_photos(minh)
    await minh.send_photo(data=shared)
    await minh.wait_for("Đã nhận ảnh 1")
    _, other = await send_it(minh)
    media = media_of(config)
    assert (await media.usage()).files == 4

    clock.advance(ORPHAN_GRACE + timedelta(seconds=1))
    await forget(lan)
    assert await media.keys() == [(await store.reports.photos(int(other[3:])))[0].media_key]
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.voice_media_key is None
    assert await store.reports.photos(report.id) == []
    assert await store.db.scalar(
        "SELECT count(*) FROM report_messages WHERE media_key IS NOT NULL "
        "OR file_id IS NOT NULL") == 0


async def test_files_nothing_names_are_swept_at_start_up_once_old_enough(
    runner: BotRunner, lan: SimUser, config: Config, clock: FakeClock
) -> None:
    """What a crash between a deletion and its files left: gone at the next start, unless
    stored a moment ago. A draft's photo, named in its saved data, stays."""
    await to_the_photos(lan)
    await lan.send_photo()
    await lan.wait_for("Đã nhận ảnh 1")  # the draft stays open across the restart
    media = media_of(config, clock)
    orphan = await media.put(b"left by a crash", "photo", "image/jpeg")
    await runner.stop()
    clock.advance(ORPHAN_GRACE + timedelta(seconds=1))
    recent = await media.put(b"stored a moment ago", "photo", "image/jpeg")
    [draft_photo] = [k for k in await media.keys() if k not in (orphan.key, recent.key)]
    await runner.start()
    assert sorted(await media.keys()) == sorted([draft_photo, recent.key])
    await lan.press("Xong")  # the draft goes on with its photo
    await lan.wait_for("Bạn muốn gửi tin thế nào")


async def test_migration_0014_keeps_the_photos_filed_before_it(tmp_path: Path) -> None:
    """report_media is rebuilt (file_id may be NULL now): its rows stay, without a key; a row
    must name a file one way or the other."""
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("PRAGMA foreign_keys=ON")
        for migration in available():
            if migration.version < 14:
                old.executescript(migration.sql)
        old.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        old.executemany("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01')",
                        [(m.version, m.name) for m in available() if m.version < 14])
        old.execute("INSERT INTO reports (category, urgency, description, created_at, "
                    "updated_at) VALUES ('trom-cap', 'normal', 'x', '2026', '2026')")
        old.execute("INSERT INTO report_media VALUES (1, 1, 'photo', 'AgAD-old', 'AQ-old')")
    store = await Store.open(path)
    try:
        assert [m.version for m in await migrate(store.db)] == []
        assert await store.reports.photos(1) == [ReportPhoto("AgAD-old", "AQ-old", None)]
        async with store.db.transaction() as tx:
            await store.reports.add_photos(tx, 1, [ReportPhoto(None, None, "ab" * 32)])
        assert [p.media_key for p in await store.reports.photos(1)] == [None, "ab" * 32]
        with pytest.raises(sqlite3.IntegrityError):
            async with store.db.transaction() as tx:
                await store.reports.add_photos(tx, 1, [ReportPhoto(None, None, None)])
    finally:
        await store.close()
