"""The outbox's schema: migrations 0010 (the personal lane) and 0015 (channels) on a database
in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.models import Recipient
from bot.store import Database, Store
from bot.store import migrations as migrations_module
from bot.store.migrations import available, migrate
from bot.store.outbox import Outcome


async def before(version: int, path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The database at `path` as it was before migration `version` (open: close it)."""
    earlier = [m for m in available() if m.version < version]
    with monkeypatch.context() as patch:
        patch.setattr(migrations_module, "available", lambda: earlier)
        db = await Database.open(path)
        await migrate(db)
    return db


async def test_the_personal_lane_migration_keeps_queued_messages_in_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "before.sqlite3"
    db = await before(10, path, monkeypatch)
    try:
        async with db.transaction() as tx:
            for lane, priority, state in (("alarm", 0, "queued"), ("announcement", 1, "queued"),
                                          ("propaganda", 2, "queued"),
                                          ("announcement", 1, "failed")):
                cursor = await tx.execute(
                    "INSERT INTO broadcasts (lane, payload, created_at, finished_at) "
                    "VALUES (?, '{}', '2026-11-24T01:00:00+00:00', "
                    "'2026-11-24T01:05:00+00:00')", (lane,))
                await tx.execute(
                    "INSERT INTO outbox (broadcast_id, chat_id, priority, state) "
                    "VALUES (?, 1, ?, ?)", (cursor.lastrowid, priority, state))
    finally:
        await db.close()

    store = await Store.open(path)
    try:
        rows = await store.db.fetchall(
            "SELECT b.lane, o.priority, o.failed_at FROM outbox o "
            "JOIN broadcasts b ON b.id = o.broadcast_id ORDER BY o.id")
        assert [tuple(row) for row in rows] == [
            ("alarm", 0, None), ("announcement", 2, None), ("propaganda", 3, None),
            ("announcement", 2, "2026-11-24T01:05:00+00:00")]
        async with store.db.transaction() as tx:
            broadcast_id = await store.broadcasts.create(
                tx, commune_id=None, lane="personal", payload="{}")
        found = await store.broadcasts.get(broadcast_id)
        assert found is not None and found.lane == "personal"
        failures = await store.outbox.failures("2026-11-24T00:00:00+00:00")
        assert [(f.lane, f.state) for f in failures] == [("announcement", "failed")]
    finally:
        await store.close()


async def test_the_channel_migration_keeps_every_row_and_its_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0015 rebuilds the outbox: rows stay Telegram rows with their chats and ids, a person
    already marked unreachable gets their Telegram account marked, and from then on a
    broadcast reaches a chat once and a person once, whatever the channel."""
    path = tmp_path / "before.sqlite3"
    db = await before(15, path, monkeypatch)
    try:
        async with db.transaction() as tx:
            for telegram_id, unreachable in ((11, None), (12, "2026-11-20T00:00:00+00:00")):
                cursor = await tx.execute(
                    "INSERT INTO residents (telegram_id, unreachable_at, created_at, updated_at) "
                    "VALUES (?, ?, 'x', 'x')", (telegram_id, unreachable))
                await tx.execute(
                    "INSERT INTO accounts (resident_id, channel, external_id, created_at) "
                    "VALUES (?, 'telegram', ?, 'x')", (cursor.lastrowid, str(telegram_id)))
            cursor = await tx.execute("INSERT INTO broadcasts (lane, payload, created_at) "
                                      "VALUES ('announcement', '{}', 'x')")
            await tx.executemany(
                "INSERT INTO outbox (broadcast_id, resident_id, chat_id, priority, state, "
                "message_id) VALUES (?, ?, ?, 2, ?, ?)",
                [(cursor.lastrowid, 1, 11, "sent", 77), (cursor.lastrowid, None, -5, "queued",
                                                          None),
                 (cursor.lastrowid, 1, 13, "queued", None)])  # one person twice (never new)
    finally:
        await db.close()

    store = await Store.open(path)
    try:
        deliveries = await store.outbox.deliveries(1)
        assert [(d.resident_id, d.channel, d.chat_id, d.message_id) for d in deliveries] == [
            (1, "telegram", 11, 77), (None, "telegram", -5, None), (None, "telegram", 13, None)]
        marked = await store.db.fetchall(
            "SELECT external_id FROM accounts WHERE unreachable_at IS NOT NULL")
        assert [row[0] for row in marked] == ["12"]
        async with store.db.transaction() as tx:
            assert await store.outbox.add(tx, 1, 2, [
                Recipient(1, 11), Recipient(None, -5), Recipient(None, "00ab", "zalo"),
                Recipient(2, 12), Recipient(2, 12)]) == 5  # person 1 and chat -5 were there
            rows = await store.outbox.claim(tx, 10, 1e12, channel="zalo")
            await store.outbox.record(tx, [Outcome(rows[0].id, 1, "sent", 1,
                                                   message_id="0042")])
        zalo = [d for d in await store.outbox.deliveries(1) if d.channel == "zalo"]
        assert [(d.chat_id, d.message_id) for d in zalo] == [("00ab", "0042")]  # text kept
    finally:
        await store.close()
