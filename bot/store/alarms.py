"""Security-gong alarms and their recipients' answers."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from bot.models import Alarm, AlarmRecipient, AlarmResponse
from bot.store.db import Database, Tx
from bot.store.routes import reachable, route_columns, route_join

_FIELDS = tuple(f.name for f in fields(Alarm))


def _alarm(row: sqlite3.Row) -> Alarm:
    """The alarm in a row (columns the model does not carry, such as draft_token, stay)."""
    return Alarm(**{name: row[name] for name in _FIELDS})


class AlarmStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes ----------------------------------------------------------------------------

    async def create(self, tx: Tx, recipients: Iterable[int], **fields: Any) -> int:
        """Insert the alarm and one row per recipient; the identifier is derived from the id."""
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        async with tx.execute(
            f"INSERT INTO alarms (identifier, {columns}) VALUES ('pending', {marks}) RETURNING id",
            tuple(fields.values()),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        alarm_id = int(row[0])
        await tx.execute(
            "UPDATE alarms SET identifier = 'anninh-' || "
            "(SELECT code FROM communes WHERE id = alarms.commune_id) || '-keng-' || "
            "printf('%06d', id) WHERE id = ?",
            (alarm_id,),
        )
        await tx.executemany(
            "INSERT OR IGNORE INTO alarm_recipients (alarm_id, resident_id) VALUES (?, ?)",
            [(alarm_id, resident_id) for resident_id in recipients],
        )
        return alarm_id

    async def set_caller_message(
        self, tx: Tx, alarm_id: int, chat_id: int, message_id: int
    ) -> None:
        await tx.execute(
            "UPDATE alarms SET caller_chat_id = ?, caller_message_id = ? WHERE id = ?",
            (chat_id, message_id, alarm_id),
        )

    async def respond(
        self, tx: Tx, alarm_id: int, resident_id: int, response: AlarmResponse, at: str
    ) -> bool:
        """Record a recipient's answer (a later answer replaces an earlier one)."""
        cursor = await tx.execute(
            "UPDATE alarm_recipients SET response = ?, responded_at = ? "
            "WHERE alarm_id = ? AND resident_id = ?",
            (response, at, alarm_id, resident_id),
        )
        return cursor.rowcount > 0

    async def end(self, tx: Tx, alarm_id: int, state: str, at: str, by: int | None) -> bool:
        """Move an active alarm to all_clear or expired; False if it was not active."""
        cursor = await tx.execute(
            "UPDATE alarms SET state = ?, ended_at = ?, ended_by = ?, escalate_at = NULL "
            "WHERE id = ? AND state = 'active'",
            (state, at, by, alarm_id),
        )
        return cursor.rowcount > 0

    async def mark_escalation_checked(
        self, tx: Tx, alarm_id: int, escalated_at: str | None
    ) -> None:
        await tx.execute(
            "UPDATE alarms SET escalate_at = NULL, escalated_at = ? WHERE id = ?",
            (escalated_at, alarm_id),
        )

    # --- reads ---------------------------------------------------------------------------

    async def get(self, alarm_id: int) -> Alarm | None:
        row = await self._db.fetchone("SELECT * FROM alarms WHERE id = ?", (alarm_id,))
        return None if row is None else _alarm(row)

    async def by_draft_token(self, caller_id: int, token: str) -> Alarm | None:
        """The alarm this caller raised from the draft with `token`, if any."""
        row = await self._db.fetchone(
            "SELECT * FROM alarms WHERE draft_token = ? AND caller_id = ?", (token, caller_id)
        )
        return None if row is None else _alarm(row)

    async def all(self, commune_id: int | None = None) -> list[Alarm]:
        if commune_id is None:
            rows = await self._db.fetchall("SELECT * FROM alarms ORDER BY id")
        else:
            rows = await self._db.fetchall(
                "SELECT * FROM alarms WHERE commune_id = ? ORDER BY id", (commune_id,)
            )
        return [_alarm(row) for row in rows]

    async def recipients(self, alarm_id: int) -> list[AlarmRecipient]:
        rows = await self._db.fetchall(
            "SELECT r.id, r.telegram_id, r.display_name, r.language, a.response, "
            f"{route_columns('r')} FROM alarm_recipients a "
            f"JOIN residents r ON r.id = a.resident_id {route_join('r')} "
            "WHERE a.alarm_id = ? ORDER BY a.responded_at, r.display_name",
            (alarm_id,),
        )
        return [AlarmRecipient(row[0], row[1], row[2], row[3], row[4], row[5],
                               None if row[6] is None else str(row[6])) for row in rows]

    async def is_recipient(self, alarm_id: int, resident_id: int) -> bool:
        found = await self._db.scalar(
            "SELECT 1 FROM alarm_recipients WHERE alarm_id = ? AND resident_id = ?",
            (alarm_id, resident_id),
        )
        return found is not None

    async def count_by_caller_since(self, caller_id: int, since: str) -> int:
        count = await self._db.scalar(
            "SELECT count(*) FROM alarms WHERE caller_id = ? AND sent_at >= ?",
            (caller_id, since),
        )
        return int(count or 0)

    async def due_for_escalation(self, now: str) -> list[Alarm]:
        rows = await self._db.fetchall(
            "SELECT * FROM alarms WHERE state = 'active' AND escalate_at IS NOT NULL "
            "AND escalate_at <= ? ORDER BY id",
            (now,),
        )
        return [_alarm(row) for row in rows]

    async def due_to_expire(self, now: str) -> list[Alarm]:
        rows = await self._db.fetchall(
            "SELECT * FROM alarms WHERE state = 'active' AND expires_at <= ? ORDER BY id", (now,)
        )
        return [_alarm(row) for row in rows]

    async def audience_of_team(self, team_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT m.resident_id FROM memberships m JOIN residents r ON r.id = m.resident_id "
            f"WHERE m.team_id = ? AND m.state = 'active' AND {reachable('r')}",
            (team_id,),
        )
        return [row[0] for row in rows]

    async def audience_of_hamlet(self, hamlet_id: int) -> list[int]:
        """Everyone who consented and lives in the hamlet, and every member of its teams."""
        rows = await self._db.fetchall(
            "SELECT r.id FROM residents r WHERE r.hamlet_id = ? AND r.consent = 'given' "
            f"AND {reachable('r')} UNION "
            "SELECT m.resident_id FROM memberships m JOIN teams t ON t.id = m.team_id "
            "JOIN residents r ON r.id = m.resident_id WHERE t.hamlet_id = ? "
            f"AND m.state = 'active' AND {reachable('r')}",
            (hamlet_id, hamlet_id),
        )
        return [row[0] for row in rows]

    async def audience_of_commune(self, commune_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT r.id FROM residents r WHERE r.commune_id = ? AND r.consent = 'given' "
            f"AND {reachable('r')} UNION "
            "SELECT m.resident_id FROM memberships m JOIN teams t ON t.id = m.team_id "
            "JOIN residents r ON r.id = m.resident_id WHERE t.commune_id = ? "
            f"AND m.state = 'active' AND {reachable('r')}",
            (commune_id, commune_id),
        )
        return [row[0] for row in rows]
