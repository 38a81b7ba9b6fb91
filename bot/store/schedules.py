"""Repeating announcements, recorded schedule slots, campaigns' first sight and pause, quiz
answers."""

from __future__ import annotations

import sqlite3

from bot.models import BroadcastSchedule
from bot.store.db import Database, Tx


def _schedule(row: sqlite3.Row) -> BroadcastSchedule:
    return BroadcastSchedule(
        row["id"], row["commune_id"], row["payload"], row["audience"], row["cron"],
        bool(row["active"]), row["created_by"], row["created_at"], row["held_reason"],
        row["held_at"],
    )


class ScheduleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- repeating announcements ------------------------------------------------------------

    async def add(
        self, tx: Tx, commune_id: int, payload: str, audience: str, cron: str,
        created_by: int | None,
    ) -> int:
        async with tx.execute(
            "INSERT INTO broadcast_schedules (commune_id, payload, audience, cron, created_by, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (commune_id, payload, audience, cron, created_by, self._db.now_iso()),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def set_active(self, tx: Tx, schedule_id: int, active: bool) -> bool:
        cursor = await tx.execute(
            "UPDATE broadcast_schedules SET active = ? WHERE id = ?", (active, schedule_id)
        )
        return cursor.rowcount > 0

    async def hold(self, tx: Tx, schedule_id: int, reason: str) -> bool:
        """Stop a repeating announcement and say why; False if it was already held."""
        cursor = await tx.execute(
            "UPDATE broadcast_schedules SET active = 0, held_reason = ?, held_at = ? "
            "WHERE id = ? AND held_reason IS NULL",
            (reason, self._db.now_iso(), schedule_id),
        )
        return cursor.rowcount > 0

    async def take_over(self, tx: Tx, schedule_id: int, officer_id: int) -> bool:
        """An officer resumes a held repeating announcement and becomes its creator."""
        cursor = await tx.execute(
            "UPDATE broadcast_schedules SET active = 1, held_reason = NULL, held_at = NULL, "
            "created_by = ? WHERE id = ? AND held_reason IS NOT NULL",
            (officer_id, schedule_id),
        )
        return cursor.rowcount > 0

    async def get(self, schedule_id: int) -> BroadcastSchedule | None:
        row = await self._db.fetchone(
            "SELECT * FROM broadcast_schedules WHERE id = ?", (schedule_id,))
        return None if row is None else _schedule(row)

    async def all(self, commune_id: int | None = None) -> list[BroadcastSchedule]:
        if commune_id is None:
            rows = await self._db.fetchall("SELECT * FROM broadcast_schedules ORDER BY id")
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM broadcast_schedules WHERE commune_id = ? ORDER BY id",
                (commune_id,),
            )
        return [_schedule(row) for row in rows]

    # --- slots -----------------------------------------------------------------------------

    async def record_slot(
        self, tx: Tx, source: str, slot_at: str, state: str, broadcast_id: int | None = None
    ) -> bool:
        """Record a slot once; False if it was already recorded (then do nothing more)."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO schedule_slots (source, slot_at, state, broadcast_id, "
            "recorded_at) VALUES (?, ?, ?, ?, ?)",
            (source, slot_at, state, broadcast_id, self._db.now_iso()),
        )
        return cursor.rowcount > 0

    async def attach_broadcast(self, tx: Tx, source: str, slot_at: str, broadcast_id: int) -> None:
        await tx.execute(
            "UPDATE schedule_slots SET broadcast_id = ? WHERE source = ? AND slot_at = ?",
            (broadcast_id, source, slot_at),
        )

    async def last_slot(self, source: str) -> str | None:
        value = await self._db.scalar(
            "SELECT max(slot_at) FROM schedule_slots WHERE source = ?", (source,))
        return None if value is None else str(value)

    async def slots(self, source: str) -> list[tuple[str, str]]:
        rows = await self._db.fetchall(
            "SELECT slot_at, state FROM schedule_slots WHERE source = ? ORDER BY slot_at",
            (source,),
        )
        return [(row[0], row[1]) for row in rows]

    # --- campaign state --------------------------------------------------------------------

    async def first_seen(self) -> dict[str, str]:
        """When the scheduler first saw each campaign (ISO time), by campaign id."""
        rows = await self._db.fetchall("SELECT campaign_id, first_seen_at FROM campaign_seen")
        return {row[0]: row[1] for row in rows}

    async def mark_seen(self, tx: Tx, campaign_ids: list[str]) -> None:
        """Record now as the first sight of these campaigns (a campaign already seen keeps its
        first time)."""
        await tx.executemany(
            "INSERT OR IGNORE INTO campaign_seen (campaign_id, first_seen_at) VALUES (?, ?)",
            [(campaign_id, self._db.now_iso()) for campaign_id in campaign_ids],
        )

    async def set_paused(
        self, tx: Tx, campaign_id: str, paused: bool, by: int | None
    ) -> None:
        await tx.execute(
            "INSERT INTO campaign_state (campaign_id, paused, changed_by, changed_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET "
            "paused = excluded.paused, changed_by = excluded.changed_by, "
            "changed_at = excluded.changed_at",
            (campaign_id, paused, by, self._db.now_iso()),
        )

    async def paused(self) -> set[str]:
        rows = await self._db.fetchall("SELECT campaign_id FROM campaign_state WHERE paused = 1")
        return {row[0] for row in rows}

    # --- quiz answers ----------------------------------------------------------------------

    async def record_answer(
        self, tx: Tx, resident_id: int, broadcast_id: int, campaign_id: str, option: int,
        correct: bool,
    ) -> bool:
        """The first answer to a quiz counts; False if the resident had already answered."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO quiz_answers (resident_id, broadcast_id, campaign_id, option, "
            "correct, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
            (resident_id, broadcast_id, campaign_id, option, correct, self._db.now_iso()),
        )
        return cursor.rowcount > 0

    async def answers(self, campaign_id: str) -> list[tuple[int, int, bool]]:
        """(resident id, option, correct) for every answer to a campaign's quizzes."""
        rows = await self._db.fetchall(
            "SELECT resident_id, option, correct FROM quiz_answers WHERE campaign_id = ? "
            "ORDER BY answered_at",
            (campaign_id,),
        )
        return [(row[0], row[1], bool(row[2])) for row in rows]
