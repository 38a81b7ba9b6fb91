"""The OA webhook's inbox, through the real bot and the OA emulator: an event is kept in
SQLite before Zalo hears 200 and forgotten once handled; one kept when the bot stopped is
handled at the next start; one that could not be kept is answered 500 (Zalo posts it again)."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest

from bot.app import ZALO_OA_KEY
from bot.channels.zalo_oa.channel import ZaloOaChannel
from bot.channels.zalo_oa.events import OaEvent
from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox
from bot.store import Store
from bot.store.zalo_oa_inbox import OaInbox
from tests.helpers import BotRunner, services_of
from tests.test_zalo_oa_channel import config_extra, connected, oa  # noqa: F401 - fixtures

CONSENT = "Đồng ý xử lý dữ liệu cá nhân"


def kept(store: Store) -> list[tuple[int, bytes]]:
    inbox = OaInbox.open(store.db.path, store.db.clock)
    try:
        return inbox.kept()
    finally:
        inbox.close()


def follow_event(emulator: OaSandbox, user_id: str) -> dict[str, object]:
    return {"app_id": emulator.app_id, "event_name": "follow", "timestamp": "1700000000000",
            "oa_id": DEFAULT_OA, "follower": {"id": user_id}}


async def test_an_event_is_kept_before_the_200_and_forgotten_once_handled(
    connected: OaSandbox, bot: AnninhApp, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    channel: ZaloOaChannel = bot.bot_data[ZALO_OA_KEY]
    store = services_of(bot).store
    lan = connected.user(1, "Lan")
    gate = asyncio.Event()
    handle = channel.handle

    async def held(event: OaEvent) -> None:
        await gate.wait()
        await handle(event)

    monkeypatch.setattr(channel, "handle", held)
    event = follow_event(connected, lan.id)
    assert await connected.post_event(event) == 200
    [(_, body)] = kept(store)  # kept, not yet handled
    assert json.loads(body) == event
    gate.set()
    await lan.wait_for(CONSENT)
    await channel.idle()
    assert kept(store) == []


async def test_an_event_kept_when_the_bot_stopped_is_handled_at_the_next_start(
    connected: OaSandbox, store: Store, runner: BotRunner, clock: FakeClock,  # noqa: F811
) -> None:
    mai = connected.user(2, "Mai")
    body = json.dumps(follow_event(connected, mai.id)).encode()
    inbox = OaInbox.open(store.db.path, clock)
    inbox.keep(body)  # taken in, then the bot stopped
    inbox.close()
    bot = await runner.start()
    await mai.wait_for(CONSENT)
    channel: ZaloOaChannel = bot.bot_data[ZALO_OA_KEY]
    await channel.idle()
    assert kept(store) == []
    assert len([m for m in mai.messages if CONSENT in m.text]) == 1


async def test_an_event_that_could_not_be_kept_is_refused_and_taken_when_posted_again(
    connected: OaSandbox, bot: AnninhApp, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    hoa = connected.user(3, "Hoa")

    def broken(self: OaInbox, body: bytes) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    keep = OaInbox.keep
    monkeypatch.setattr(OaInbox, "keep", broken)
    event = follow_event(connected, hoa.id)
    assert await connected.post_event(event) == 500
    monkeypatch.setattr(OaInbox, "keep", keep)
    assert hoa.messages == []  # not acted on
    assert await connected.post_event(event) == 200
    await hoa.wait_for(CONSENT)


async def test_the_inbox_log_is_copied_into_its_file_off_the_loop(tmp_path: object) -> None:
    """The loop's connection never checkpoints by itself (a checkpoint syncs the file and
    could hold the webhook's answers); `checkpoint`, in a thread, copies the whole log."""
    from pathlib import Path

    database = Path(str(tmp_path)) / "anninh.sqlite3"
    inbox = OaInbox.open(database, FakeClock())
    try:
        assert inbox._connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        ids = [inbox.keep(b'{"event_name": "follow"}' * 200) for _ in range(1500)]
        inbox.forget(ids)
        wal = inbox.path.with_name(inbox.path.name + "-wal")
        assert wal.stat().st_size > 1000 * 4096  # past SQLite's automatic threshold
        assert inbox.path.stat().st_size < 100 * 4096  # and none of it copied on the loop
        await inbox.checkpoint()
        assert inbox.path.stat().st_size > 1000 * 4096  # copied, in the thread
        assert inbox.kept() == []
    finally:
        inbox.close()
