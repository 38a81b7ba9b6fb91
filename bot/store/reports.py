"""Reports, their photos, relayed messages, message links and escalation deadlines."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.models import Report, ReportMessage, ReportPhoto, ReportState
from bot.store.db import Database, Tx


def _report(row: sqlite3.Row) -> Report:
    return Report(
        id=row["id"], commune_id=row["commune_id"], hamlet_id=row["hamlet_id"],
        reporter_id=row["reporter_id"], anonymous=bool(row["anonymous"]),
        category=row["category"], urgency=row["urgency"], description=row["description"],
        voice_file_id=row["voice_file_id"], latitude=row["latitude"],
        longitude=row["longitude"], address=row["address"], state=row["state"],
        state_note=row["state_note"], team_id=row["team_id"], duplicate_of=row["duplicate_of"],
        created_at=row["created_at"], updated_at=row["updated_at"],
        staff_chat_id=row["staff_chat_id"], staff_message_id=row["staff_message_id"],
        escalation_level=row["escalation_level"], escalate_at=row["escalate_at"],
        voice_media_key=row["voice_media_key"],
    )


@dataclass(frozen=True)
class NewReport:
    commune_id: int | None
    hamlet_id: int | None
    reporter_id: int | None  # None: filed by another system (Open311), no one to tell
    anonymous: bool
    category: str
    urgency: str
    description: str
    voice_file_id: str | None
    latitude: float | None
    longitude: float | None
    address: str | None
    duplicate_of: int | None
    escalate_at: str | None
    draft_token: str | None = None  # the conversation draft it comes from (filed once)
    voice_media_key: str | None = None


@dataclass(frozen=True)
class ReportQuery:
    """Filters for exports; None means no filter."""

    since: str | None = None
    until: str | None = None
    commune_id: int | None = None
    states: Sequence[str] | None = None


class ReportStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes (inside a transaction) ---------------------------------------------------

    async def insert(self, tx: Tx, new: NewReport, photos: Sequence[ReportPhoto], now: str) -> int:
        async with tx.execute(
            "INSERT INTO reports (commune_id, hamlet_id, reporter_id, anonymous, category, "
            "urgency, description, voice_file_id, voice_media_key, latitude, longitude, "
            "address, duplicate_of, escalate_at, draft_token, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (new.commune_id, new.hamlet_id, new.reporter_id, int(new.anonymous), new.category,
             new.urgency, new.description, new.voice_file_id, new.voice_media_key,
             new.latitude, new.longitude, new.address, new.duplicate_of, new.escalate_at,
             new.draft_token, now, now),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        report_id = int(row[0])
        await self.add_photos(tx, report_id, photos)
        return report_id

    async def add_photos(self, tx: Tx, report_id: int, photos: Sequence[ReportPhoto]) -> None:
        if not photos:
            return
        async with tx.execute(
            "SELECT ifnull(max(position), 0) FROM report_media WHERE report_id = ?", (report_id,)
        ) as cursor:
            row = await cursor.fetchone()
        start = int(row[0]) if row else 0
        await tx.executemany(
            "INSERT INTO report_media (report_id, position, kind, file_id, file_unique_id, "
            "media_key) VALUES (?, ?, 'photo', ?, ?, ?)",
            [(report_id, start + i, p.file_id, p.file_unique_id, p.media_key)
             for i, p in enumerate(photos, start=1)],
        )

    async def cache_photo(self, tx: Tx, report_id: int, photo: ReportPhoto) -> None:
        """Remember Telegram's ids for a photo of the report uploaded from the media store."""
        await tx.execute(
            "UPDATE report_media SET file_id = ?, file_unique_id = ? WHERE report_id = ? "
            "AND kind = 'photo' AND media_key = ? AND file_id IS NULL",
            (photo.file_id, photo.file_unique_id, report_id, photo.media_key),
        )

    async def cache_voice(self, tx: Tx, report_id: int, file_id: str) -> None:
        """Remember Telegram's id for the report's voice note uploaded from the media store."""
        await tx.execute(
            "UPDATE reports SET voice_file_id = ? WHERE id = ? AND voice_file_id IS NULL "
            "AND voice_media_key IS NOT NULL", (file_id, report_id))

    async def change_state(
        self, tx: Tx, report_id: int, state: ReportState, allowed_from: Sequence[str],
        now: str, *, note: str | None = None, team_id: int | None = None,
    ) -> bool:
        """Move the report to `state` if it is in one of `allowed_from`; False otherwise.
        The first time it leaves 'submitted' and the first time it is resolved are kept."""
        marks = ", ".join("?" for _ in allowed_from)
        cursor = await tx.execute(
            "UPDATE reports SET state = ?, state_note = ?, updated_at = ?, "
            "team_id = CASE WHEN ? IS NULL THEN team_id ELSE ? END, "
            "escalate_at = CASE WHEN ? = 'submitted' THEN escalate_at ELSE NULL END, "
            "first_acted_at = CASE WHEN ? = 'submitted' THEN first_acted_at "
            "ELSE coalesce(first_acted_at, ?) END, "
            "resolved_at = CASE WHEN ? = 'resolved' THEN coalesce(resolved_at, ?) "
            "ELSE resolved_at END "
            f"WHERE id = ? AND state IN ({marks})",
            (state, note, now, team_id, team_id, state, state, now, state, now, report_id,
             *allowed_from),
        )
        return cursor.rowcount > 0

    async def set_outcome(self, tx: Tx, report_id: int, note: str, now: str) -> bool:
        """Keep what came of a resolved report, once; False if it is not resolved or has one."""
        cursor = await tx.execute(
            "UPDATE reports SET state_note = ?, updated_at = ? "
            "WHERE id = ? AND state = 'resolved' AND state_note IS NULL", (note, now, report_id))
        return cursor.rowcount > 0

    async def mark_arrived(self, tx: Tx, report_id: int, now: str) -> bool:
        """Record the assigned team's arrival; False if already recorded for this assignment."""
        cursor = await tx.execute(
            "UPDATE reports SET arrived_at = ? "
            "WHERE id = ? AND state = 'assigned' AND arrived_at IS NULL",
            (now, report_id),
        )
        return cursor.rowcount > 0

    async def clear_arrival(self, tx: Tx, report_id: int) -> None:
        """A new assignment: its team has not arrived yet."""
        await tx.execute("UPDATE reports SET arrived_at = NULL WHERE id = ?", (report_id,))

    async def touch(self, tx: Tx, report_id: int, now: str) -> None:
        await tx.execute("UPDATE reports SET updated_at = ? WHERE id = ?", (now, report_id))

    async def set_staff_message(
        self, tx: Tx, report_id: int, chat_id: int, message_id: int
    ) -> None:
        await tx.execute(
            "UPDATE reports SET staff_chat_id = ?, staff_message_id = ? WHERE id = ?",
            (chat_id, message_id, report_id),
        )

    async def set_escalation(
        self, tx: Tx, report_id: int, level: int, next_at: str | None
    ) -> bool:
        """Record an escalation step; False if the report was accepted meanwhile."""
        cursor = await tx.execute(
            "UPDATE reports SET escalation_level = ?, escalate_at = ? "
            "WHERE id = ? AND state = 'submitted' AND escalation_level < ?",
            (level, next_at, report_id, level),
        )
        return cursor.rowcount > 0

    async def link(
        self, tx: Tx, report_id: int, messages: Sequence[tuple[int, int]],
        party: str = "reporter",
    ) -> None:
        """Remember that these (chat_id, message_id) are about `report_id`, and that a reply
        to them is for `party` (reporter or leader)."""
        await tx.executemany(
            "INSERT OR REPLACE INTO report_links (chat_id, message_id, report_id, party) "
            "VALUES (?, ?, ?, ?)",
            [(chat_id, message_id, report_id, party) for chat_id, message_id in messages],
        )

    async def add_message(
        self, tx: Tx, report_id: int, author: str, actor_id: int | None,
        text: str | None, file_id: str | None, now: str, media_key: str | None = None,
        relay_id: int | None = None,
    ) -> None:
        await tx.execute(
            "INSERT INTO report_messages (report_id, author, actor_id, text, file_id, "
            "media_key, created_at, relay_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (report_id, author, actor_id, text, file_id, media_key, now, relay_id),
        )

    async def messages(self, report_id: int) -> list[ReportMessage]:
        """The messages about a report, oldest first, with their relay's state."""
        rows = await self._db.fetchall(
            "SELECT m.id, m.author, m.actor_id, m.text, m.media_key, m.created_at, r.state "
            "FROM report_messages m LEFT JOIN relays r ON r.id = m.relay_id "
            "WHERE m.report_id = ? ORDER BY m.id", (report_id,))
        return [ReportMessage(*row) for row in rows]

    # --- reads ---------------------------------------------------------------------------

    async def get(self, report_id: int) -> Report | None:
        row = await self._db.fetchone("SELECT * FROM reports WHERE id = ?", (report_id,))
        return None if row is None else _report(row)

    async def by_draft_token(self, reporter_id: int, token: str) -> Report | None:
        """The report this resident filed from the draft with `token`, if any."""
        row = await self._db.fetchone(
            "SELECT * FROM reports WHERE draft_token = ? AND reporter_id = ?",
            (token, reporter_id),
        )
        return None if row is None else _report(row)

    async def by_message(self, chat_id: int, message_id: int) -> tuple[Report, str] | None:
        """The report a message is linked to, and the party a reply to it is for."""
        row = await self._db.fetchone(
            "SELECT r.*, l.party AS link_party FROM report_links l "
            "JOIN reports r ON r.id = l.report_id WHERE l.chat_id = ? AND l.message_id = ?",
            (chat_id, message_id),
        )
        return None if row is None else (_report(row), str(row["link_party"]))

    async def of_reporter(self, resident_id: int, limit: int = 20) -> list[Report]:
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE reporter_id = ? ORDER BY id DESC LIMIT ?",
            (resident_id, limit),
        )
        return [_report(row) for row in rows]

    async def count_of_reporter(self, resident_id: int, since: str | None = None) -> int:
        count = await self._db.scalar(
            "SELECT count(*) FROM reports WHERE reporter_id = ? AND created_at >= ?",
            (resident_id, since or ""),
        )
        return int(count or 0)

    async def reporter_times(self, resident_id: int, since: str) -> list[str]:
        """When the resident's reports since `since` were filed, newest first."""
        rows = await self._db.fetchall(
            "SELECT created_at FROM reports WHERE reporter_id = ? AND created_at >= ?"
            " ORDER BY created_at DESC", (resident_id, since))
        return [str(row[0]) for row in rows]

    async def recent_same_category(
        self, commune_id: int | None, category: str, since: str
    ) -> list[Report]:
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE commune_id IS ? AND category = ? AND created_at >= ? "
            "AND latitude IS NOT NULL ORDER BY id DESC LIMIT 50",
            (commune_id, category, since),
        )
        return [_report(row) for row in rows]

    async def due_escalations(self, now: str) -> list[Report]:
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE escalate_at IS NOT NULL AND escalate_at <= ? "
            "AND state = 'submitted' ORDER BY escalate_at LIMIT 200",
            (now,),
        )
        return [_report(row) for row in rows]

    async def photos(self, report_id: int) -> list[ReportPhoto]:
        rows = await self._db.fetchall(
            "SELECT file_id, file_unique_id, media_key FROM report_media WHERE report_id = ? "
            "AND kind = 'photo' ORDER BY position",
            (report_id,),
        )
        return [ReportPhoto(row[0], row[1], row[2]) for row in rows]

    async def photo_count(self, report_id: int) -> int:
        """The photos the reporter gave the report, each once: filed or added ("Bổ sung",
        report_media) and sent in a reply about it (report_messages). A photo is its Telegram
        file id where it has one (as before the media store), else its media key."""
        count = await self._db.scalar(
            "SELECT count(*) FROM (SELECT coalesce(file_id, media_key) FROM report_media "
            "WHERE report_id = ? AND kind = 'photo' UNION SELECT coalesce(file_id, media_key) "
            "FROM report_messages WHERE report_id = ? AND author = 'reporter' "
            "AND coalesce(file_id, media_key) IS NOT NULL)",
            (report_id, report_id),
        )
        return int(count or 0)

    async def query(self, q: ReportQuery) -> list[tuple[Report, str | None]]:
        """Reports matching the filters, oldest first, each with its first photo's file id."""
        where: list[str] = []
        params: list[Any] = []
        if q.since is not None:
            where.append("r.created_at >= ?")
            params.append(q.since)
        if q.until is not None:
            where.append("r.created_at < ?")
            params.append(q.until)
        if q.commune_id is not None:
            where.append("r.commune_id = ?")
            params.append(q.commune_id)
        if q.states is not None:
            where.append(f"r.state IN ({', '.join('?' for _ in q.states)})")
            params.extend(q.states)
        sql = (
            "SELECT r.*, (SELECT m.file_id FROM report_media m WHERE m.report_id = r.id "
            "AND m.kind = 'photo' ORDER BY m.position LIMIT 1) AS first_photo FROM reports r"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = await self._db.fetchall(sql + " ORDER BY r.id", params)
        return [(_report(row), row["first_photo"]) for row in rows]
