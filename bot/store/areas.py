"""Communes, hamlets and teams."""

from __future__ import annotations

import sqlite3

from bot.models import Commune, Hamlet, Team
from bot.store.db import Database, Tx

_TEAM_COLUMNS = (
    "id, commune_id, hamlet_id, code, name, kind, join_code, requires_approval, max_members"
)


def _commune(row: sqlite3.Row) -> Commune:
    lat, lon = row["center_latitude"], row["center_longitude"]
    center = (float(lat), float(lon)) if lat is not None and lon is not None else None
    return Commune(row["id"], row["code"], row["name"], row["staff_chat_id"], center)


def _hamlet(row: sqlite3.Row) -> Hamlet:
    return Hamlet(row["id"], row["commune_id"], row["code"], row["name"], row["households"])


def team_from_row(row: sqlite3.Row) -> Team:
    return Team(
        id=row["id"],
        commune_id=row["commune_id"],
        hamlet_id=row["hamlet_id"],
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        join_code=row["join_code"],
        requires_approval=bool(row["requires_approval"]),
        max_members=row["max_members"],
    )


class AreaStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes (inside a transaction) ---------------------------------------------------

    async def upsert_commune(
        self, tx: Tx, code: str, name: str, staff_chat_id: int | None,
        center: tuple[float, float] | None = None,
    ) -> int:
        now = self._db.now_iso()
        lat, lon = center if center is not None else (None, None)
        async with tx.execute(
            "INSERT INTO communes (code, name, staff_chat_id, center_latitude, center_longitude, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE "
            "SET name = excluded.name, staff_chat_id = excluded.staff_chat_id, "
            "center_latitude = excluded.center_latitude, "
            "center_longitude = excluded.center_longitude, updated_at = excluded.updated_at "
            "WHERE name IS NOT excluded.name OR staff_chat_id IS NOT excluded.staff_chat_id "
            "OR center_latitude IS NOT excluded.center_latitude "
            "OR center_longitude IS NOT excluded.center_longitude RETURNING id",
            (code, name, staff_chat_id, lat, lon, now, now),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:  # unchanged: updated_at stays, so loading a file twice changes nothing
            async with tx.execute("SELECT id FROM communes WHERE code = ?", (code,)) as cursor:
                row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def upsert_hamlet(self, tx: Tx, commune_id: int, code: str, name: str,
                            households: int | None = None) -> int:
        async with tx.execute(
            "INSERT INTO hamlets (commune_id, code, name, households) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (commune_id, code) DO UPDATE SET name = excluded.name, "
            "households = excluded.households RETURNING id",
            (commune_id, code, name, households),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def upsert_team(
        self,
        tx: Tx,
        *,
        commune_id: int,
        hamlet_id: int | None,
        code: str,
        name: str,
        kind: str,
        join_code: str,
        requires_approval: bool,
        max_members: int,
    ) -> int:
        async with tx.execute(
            "INSERT INTO teams (commune_id, hamlet_id, code, name, kind, join_code, "
            "requires_approval, max_members, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (commune_id, code) DO UPDATE SET hamlet_id = excluded.hamlet_id, "
            "name = excluded.name, kind = excluded.kind, join_code = excluded.join_code, "
            "requires_approval = excluded.requires_approval, "
            "max_members = excluded.max_members RETURNING id",
            (commune_id, hamlet_id, code, name, kind, join_code, requires_approval,
             max_members, self._db.now_iso()),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    # --- reads ---------------------------------------------------------------------------

    async def first_commune(self) -> tuple[Commune | None, int]:
        """The commune loaded first (the first of the first areas file), and how many there are."""
        rows = await self._db.fetchall(
            "SELECT *, (SELECT count(*) FROM communes) AS communes FROM communes "
            "ORDER BY id LIMIT 1")
        return (_commune(rows[0]), int(rows[0]["communes"])) if rows else (None, 0)

    async def communes(self) -> list[Commune]:
        rows = await self._db.fetchall("SELECT * FROM communes ORDER BY name")
        return [_commune(row) for row in rows]

    async def commune(self, commune_id: int) -> Commune | None:
        row = await self._db.fetchone("SELECT * FROM communes WHERE id = ?", (commune_id,))
        return None if row is None else _commune(row)

    async def commune_by_code(self, code: str) -> Commune | None:
        row = await self._db.fetchone("SELECT * FROM communes WHERE code = ?", (code,))
        return None if row is None else _commune(row)

    async def staff_communes(self, resident_id: int) -> list[Commune]:
        """The communes where this resident is an officer (every commune for an admin)."""
        rows = await self._db.fetchall(
            "SELECT DISTINCT c.* FROM communes c JOIN roles r ON r.resident_id = ? "
            "AND (r.commune_id = c.id OR (r.role = 'admin' AND r.commune_id IS NULL)) "
            "ORDER BY c.name",
            (resident_id,),
        )
        return [_commune(row) for row in rows]

    async def commune_by_staff_chat(self, chat_id: int) -> Commune | None:
        row = await self._db.fetchone(
            "SELECT * FROM communes WHERE staff_chat_id = ?", (chat_id,)
        )
        return None if row is None else _commune(row)

    async def hamlets(self, commune_id: int) -> list[Hamlet]:
        rows = await self._db.fetchall(
            "SELECT * FROM hamlets WHERE commune_id = ? ORDER BY name", (commune_id,)
        )
        return [_hamlet(row) for row in rows]

    async def hamlet(self, hamlet_id: int) -> Hamlet | None:
        row = await self._db.fetchone("SELECT * FROM hamlets WHERE id = ?", (hamlet_id,))
        return None if row is None else _hamlet(row)

    async def hamlet_by_code(self, commune_id: int, code: str) -> Hamlet | None:
        row = await self._db.fetchone(
            "SELECT * FROM hamlets WHERE commune_id = ? AND code = ?", (commune_id, code)
        )
        return None if row is None else _hamlet(row)

    async def team(self, team_id: int) -> Team | None:
        row = await self._db.fetchone(
            f"SELECT {_TEAM_COLUMNS} FROM teams WHERE id = ?", (team_id,)
        )
        return None if row is None else team_from_row(row)

    async def team_by_code(self, commune_id: int, code: str) -> Team | None:
        row = await self._db.fetchone(
            f"SELECT {_TEAM_COLUMNS} FROM teams WHERE commune_id = ? AND code = ?",
            (commune_id, code),
        )
        return None if row is None else team_from_row(row)

    async def team_by_join_code(self, join_code: str) -> Team | None:
        row = await self._db.fetchone(
            f"SELECT {_TEAM_COLUMNS} FROM teams WHERE join_code = ?", (join_code,)
        )
        return None if row is None else team_from_row(row)

    async def teams(self, commune_id: int | None = None) -> list[Team]:
        if commune_id is None:
            rows = await self._db.fetchall(f"SELECT {_TEAM_COLUMNS} FROM teams ORDER BY code")
        else:
            rows = await self._db.fetchall(
                f"SELECT {_TEAM_COLUMNS} FROM teams WHERE commune_id = ? ORDER BY code",
                (commune_id,),
            )
        return [team_from_row(row) for row in rows]
