"""Broadcasts (one message to many) and the audience query that picks their recipients."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from bot.models import Audience, Broadcast, Lane, Recipient
from bot.store.db import Database, Tx
from bot.store.routes import reachable, route_columns, route_join


def _broadcast(row: sqlite3.Row) -> Broadcast:
    return Broadcast(
        id=row["id"], commune_id=row["commune_id"], lane=row["lane"], payload=row["payload"],
        audience=row["audience"], urgent=bool(row["urgent"]), state=row["state"],
        send_at=row["send_at"], origin=row["origin"], created_by=row["created_by"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"], total=row["total"],
        created_at=row["created_at"], finished_at=row["finished_at"],
        held_reason=row["held_reason"], held_at=row["held_at"],
    )


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def audience_sql(audience: Audience, *, include_muted: bool) -> tuple[str, list[Any]]:
    """WHERE clause over `residents r` for an audience: consenting, reachable residents (on
    any channel: bot/store/routes.py)."""
    where = ["r.consent = 'given'", reachable("r")]
    params: list[Any] = []
    if not include_muted:
        where.append("r.mute_propaganda = 0")
    areas: list[str] = []
    if audience.hamlets:
        areas.append(f"(r.commune_id = ? AND r.hamlet_id IN ({_marks(audience.hamlets)}))")
        params += [audience.commune_id, *audience.hamlets]
    if audience.teams or audience.team_kinds:
        teams = []
        params.append(audience.commune_id)
        if audience.teams:
            teams.append(f"t.id IN ({_marks(audience.teams)})")
            params += audience.teams
        if audience.team_kinds:
            teams.append(f"t.kind IN ({_marks(audience.team_kinds)})")
            params += audience.team_kinds
        areas.append(
            "r.id IN (SELECT m.resident_id FROM memberships m JOIN teams t ON t.id = m.team_id "
            f"WHERE m.state = 'active' AND t.commune_id = ? AND ({' OR '.join(teams)}))"
        )
    if areas:
        where.append("(" + " OR ".join(areas) + ")")
    else:
        where.append("r.commune_id = ?")
        params.append(audience.commune_id)
    if audience.tags:
        where.append(
            f"r.id IN (SELECT resident_id FROM resident_tags WHERE tag IN "
            f"({_marks(audience.tags)}))"
        )
        params += audience.tags
    return " AND ".join(where), params


class BroadcastStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes ----------------------------------------------------------------------------

    async def create(
        self, tx: Tx, *, commune_id: int | None, lane: Lane, payload: str, audience: str = "{}",
        urgent: bool = False, origin: str = "chat", created_by: int | None = None,
        send_at: str | None = None, progress: tuple[int, int] | None = None,
    ) -> int:
        """A new broadcast: queued now, or scheduled when `send_at` is given."""
        chat_id, message_id = progress or (None, None)
        async with tx.execute(
            "INSERT INTO broadcasts (commune_id, lane, payload, audience, urgent, state, send_at, "
            "origin, created_by, progress_chat_id, progress_message_id, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (commune_id, lane, payload, audience, urgent,
             "scheduled" if send_at else "queued", send_at, origin, created_by,
             chat_id, message_id, self._db.now_iso()),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def set_queued(self, tx: Tx, broadcast_id: int, total: int) -> None:
        await tx.execute(
            "UPDATE broadcasts SET state = 'queued', total = ? WHERE id = ?",
            (total, broadcast_id),
        )

    async def set_progress(self, tx: Tx, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await tx.execute(
            "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )

    async def finish(self, tx: Tx, broadcast_ids: Sequence[int]) -> list[int]:
        """Close these broadcasts, those with nothing queued or in flight; the ids this call
        closed (not those closed already, nor those with messages still to send)."""
        closed: list[int] = []
        now = self._db.now_iso()
        for broadcast_id in broadcast_ids:
            # Checked here, in the write: a caller's earlier read ("nothing left to send") may
            # predate rows another writer has added since (reads share the connection).
            rows = await tx.execute_fetchall(
                "UPDATE broadcasts SET state = 'done', finished_at = ? WHERE id = ? "
                "AND state = 'queued' AND NOT EXISTS (SELECT 1 FROM outbox WHERE "
                "broadcast_id = ? AND state IN ('queued', 'sending')) RETURNING id",
                (now, broadcast_id, broadcast_id))
            closed.extend(int(row[0]) for row in rows)
        return closed

    async def hold(self, tx: Tx, broadcast_id: int, reason: str) -> bool:
        """Keep a scheduled broadcast from being released; False if it was not waiting."""
        cursor = await tx.execute(
            "UPDATE broadcasts SET held_reason = ?, held_at = ? WHERE id = ? "
            "AND state = 'scheduled' AND held_reason IS NULL",
            (reason, self._db.now_iso(), broadcast_id),
        )
        return cursor.rowcount > 0

    async def cancel(self, tx: Tx, broadcast_id: int) -> bool:
        cursor = await tx.execute(
            "UPDATE broadcasts SET state = 'cancelled' WHERE id = ? AND state = 'scheduled'",
            (broadcast_id,),
        )
        return cursor.rowcount > 0

    # --- reads ---------------------------------------------------------------------------

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return None if row is None else _broadcast(row)

    async def recent(self, limit: int) -> list[Broadcast]:
        """The newest broadcasts first, whatever their state."""
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,))
        return [_broadcast(row) for row in rows]

    async def by_origin(self, origin: str) -> list[Broadcast]:
        """The broadcasts queued for one purpose (e.g. the parts of 'relay:12'), oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE origin = ? ORDER BY id", (origin,))
        return [_broadcast(row) for row in rows]

    async def in_progress(self) -> list[Broadcast]:
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE state = 'queued' ORDER BY id")
        return [_broadcast(row) for row in rows]

    async def due(self, now: str) -> list[Broadcast]:
        """Scheduled broadcasts whose time has come (held ones wait for an officer)."""
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE state = 'scheduled' AND held_reason IS NULL "
            "AND send_at <= ? ORDER BY send_at",
            (now,),
        )
        return [_broadcast(row) for row in rows]

    async def scheduled(self, commune_id: int) -> list[Broadcast]:
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts WHERE state = 'scheduled' AND commune_id = ? "
            "ORDER BY send_at",
            (commune_id,),
        )
        return [_broadcast(row) for row in rows]

    async def recipients(self, audience: Audience, *, include_muted: bool) -> list[Recipient]:
        """Each person of the audience once, on their preferred reachable account."""
        where, params = audience_sql(audience, include_muted=include_muted)
        rows = await self._db.fetchall(
            f"SELECT r.id, {route_columns('r')} FROM residents r {route_join('r')} "
            f"WHERE {where} ORDER BY r.id", params
        )
        return [Recipient.account(row[0], row[1], row[2]) for row in rows]

    async def count_recipients(self, audience: Audience, *, include_muted: bool) -> int:
        where, params = audience_sql(audience, include_muted=include_muted)
        return int(await self._db.scalar(
            f"SELECT count(*) FROM residents r WHERE {where}", params) or 0)
