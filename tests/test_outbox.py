"""The outbox's schema: migration 0010 adds the personal lane to a database in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import Database, Store
from bot.store import migrations as migrations_module
from bot.store.migrations import available, migrate


async def test_the_personal_lane_migration_keeps_queued_messages_in_their_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "before.sqlite3"
    before = [m for m in available() if m.version < 10]
    monkeypatch.setattr(migrations_module, "available", lambda: before)
    db = await Database.open(path)
    try:
        await migrate(db)
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
    monkeypatch.undo()

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
