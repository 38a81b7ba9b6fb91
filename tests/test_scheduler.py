"""The scheduler's catch-up: missed slots collapse into one send; no slots before a source."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.config import ContentConfig
from bot.delivery import OutMessage
from bot.models import Audience
from bot.sandbox import Sandbox, SimUser
from bot.store import Store
from bot.store.migrations import migrate
from tests.helpers import OFFICER_ID, BotRunner, services_of
from tests.test_announce import resident

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EVERY_MINUTE = "campaign:moi-phut"
CAMPAIGN = """+++
id = "{id}"
title = "Lời nhắc"
schedule = {schedule}
audience = {{ commune = "hung-loc" }}
+++
{body}
"""


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ).astimezone(UTC)


def write_campaign(content: Path, campaign_id: str, schedule: str, body: str) -> None:
    text = CAMPAIGN.format(id=campaign_id, schedule=schedule, body=body)
    (content / "campaigns" / f"{campaign_id}.md").write_text(text, encoding="utf-8")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """The shipped content without its campaigns, plus one that fires every minute."""
    folder = tmp_path / "content"
    shutil.copytree(ContentConfig().folder, folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.md"))
    write_campaign(folder, "moi-phut", '["* * * * *"]', "Mỗi phút một lời nhắc.")
    return folder


@pytest.fixture
def config_extra(content: Path) -> str:
    return f'[content]\nfolder = "{content}"\n'


@pytest.fixture
async def lan(store: Store, sandbox: Sandbox) -> SimUser:
    return await resident(store, sandbox, 3101, "hung-nhon")


async def sends(store: Store, origin: str) -> int:
    """How many broadcasts the scheduler queued for this source."""
    return int(await store.db.scalar(
        "SELECT count(*) FROM broadcasts WHERE origin = ?", (origin,)))


async def delivered(store: Store, person: SimUser, origin: str, text: str, copies: int) -> int:
    """Wait for `copies` more messages with `text`; then the person's outbox rows for the
    source, each sent at most once, say how many they will ever get."""
    for _ in range(copies):
        await person.wait_for(text)
    rows = await store.db.scalar(
        "SELECT count(*) FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id "
        "WHERE o.chat_id = ? AND b.origin = ?", (person.id, origin))
    assert sum(text in message.text for message in person.inbox) == rows
    return int(rows)


async def test_an_every_minute_campaign_sends_once_after_downtime(
    runner: BotRunner, lan: SimUser, clock: FakeClock, store: Store,
) -> None:
    clock.set(local(2026, 11, 25, 10, 0, 30))
    app = await runner.start()
    await services_of(app).scheduler.tick(clock.now())
    assert await sends(store, EVERY_MINUTE) == 0  # first seen at 10:00:30: 10:00 is before it
    clock.set(local(2026, 11, 25, 10, 1))
    await services_of(app).scheduler.tick(clock.now())
    assert await sends(store, EVERY_MINUTE) == 1
    await runner.stop()

    clock.set(local(2026, 11, 25, 10, 45, 10))  # down 44 minutes, within the grace period
    app = await runner.start()
    await services_of(app).scheduler.tick(clock.now())
    assert await sends(store, EVERY_MINUTE) == 2
    slots = await store.schedules.slots(EVERY_MINUTE)
    assert [state for _, state in slots] == ["sent"] + ["missed"] * 43 + ["sent"]
    assert slots[-1][0] == "2026-11-25T03:45:00+00:00"  # the newest missed slot
    assert await delivered(store, lan, EVERY_MINUTE, "Mỗi phút", 2) == 2
    await runner.stop()

    clock.set(local(2026, 11, 27, 9, 0, 5))  # down two days: slots beyond grace only missed
    app = await runner.start()
    await services_of(app).scheduler.tick(clock.now())
    assert await sends(store, EVERY_MINUTE) == 3
    assert (await store.schedules.slots(EVERY_MINUTE))[-1] == (
        "2026-11-27T02:00:00+00:00", "sent")
    await services_of(app).scheduler.tick(clock.now())  # the same moment again: nothing
    assert await sends(store, EVERY_MINUTE) == 3
    assert await delivered(store, lan, EVERY_MINUTE, "Mỗi phút", 1) == 3


async def test_a_new_campaign_file_sends_nothing_for_slots_before_it_was_seen(
    runner: BotRunner, lan: SimUser, clock: FakeClock, store: Store, content: Path,
) -> None:
    clock.set(local(2026, 11, 25, 10, 0, 30))
    app = await runner.start()
    scheduler = services_of(app).scheduler
    await scheduler.tick(clock.now())
    write_campaign(content, "buoi-sang", '["30 9 * * *", "0 10 * * *", "2026-11-25 09:45"]',
                   "Chào buổi sáng.")
    clock.set(local(2026, 11, 25, 10, 0, 50))  # all three slots are past, within grace
    result = await scheduler.tick(clock.now())
    assert [s for s in result.sent + result.missed if s[0] == "campaign:buoi-sang"] == []
    assert await store.schedules.slots("campaign:buoi-sang") == []
    assert (await store.schedules.first_seen())["buoi-sang"] == "2026-11-25T03:00:50+00:00"

    await runner.stop()  # a restart does not make them due either
    app = await runner.start()
    await services_of(app).scheduler.tick(clock.now())
    assert await sends(store, "campaign:buoi-sang") == 0

    clock.set(local(2026, 11, 26, 9, 30))  # its first slot after it was seen
    await services_of(app).scheduler.tick(clock.now())
    assert await sends(store, "campaign:buoi-sang") == 1
    assert await delivered(store, lan, "campaign:buoi-sang", "Chào buổi sáng", 1) == 1


async def test_a_repeating_announcement_sends_once_after_downtime(
    runner: BotRunner, lan: SimUser, clock: FakeClock, store: Store, content: Path,
) -> None:
    (content / "campaigns" / "moi-phut.md").unlink()
    clock.set(local(2026, 11, 25, 10, 0, 30))
    app = await runner.start()
    services = services_of(app)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    officer = await store.residents.by_telegram_id(OFFICER_ID)  # the sample commune's officer
    assert officer is not None
    schedule_id = await services.broadcasts.repeat(
        Audience(commune.id), OutMessage(text="Nhắc đổ rác."), "* * * * *", officer.id)
    await runner.stop()

    clock.set(local(2026, 11, 25, 10, 30, 5))
    app = await runner.start()
    await services_of(app).scheduler.tick(clock.now())
    source = f"schedule:{schedule_id}"
    assert await sends(store, source) == 1
    states = [state for _, state in await store.schedules.slots(source)]
    assert states == ["missed"] * 29 + ["sent"]
    assert await delivered(store, lan, source, "Nhắc đổ rác", 1) == 1


async def test_migration_dates_known_campaigns_by_their_first_slot(store: Store) -> None:
    """A database from before first sight was recorded keeps its campaigns' catch-up."""
    async with store.db.transaction() as tx:
        await tx.execute("DROP TABLE campaign_seen")
        await tx.execute("DELETE FROM schema_migrations WHERE version = 12")
        for slot in ("2026-11-20T13:00:00+00:00", "2026-11-13T13:00:00+00:00"):
            await store.schedules.record_slot(tx, "campaign:tet", slot, "sent")
        await store.schedules.record_slot(tx, "schedule:4", "2026-11-01T00:00:00+00:00", "sent")
    assert [m.version for m in await migrate(store.db)] == [12]
    assert await store.schedules.first_seen() == {"tet": "2026-11-13T13:00:00+00:00"}
    async with store.db.transaction() as tx:
        await store.schedules.mark_seen(tx, ["tet", "moi"])
    assert await store.schedules.first_seen() == {
        "tet": "2026-11-13T13:00:00+00:00",  # the first sight is kept
        "moi": store.db.now_iso(),
    }
