"""The yearly "An toàn về an ninh, trật tự" review: households' commitments, and the year's
figures per hamlet (reports by category and outcome, patrols done, gongs and who came)."""

from __future__ import annotations

import sqlite3

from bot.store.db import Database, Tx

# A hamlet's row: NULL where the thing names no hamlet (a report without one, a gong to the
# whole commune).
_GONG_HAMLET = ("CASE a.scope_kind WHEN 'hamlet' THEN a.scope_id WHEN 'team' THEN "
                "(SELECT t.hamlet_id FROM teams t WHERE t.id = a.scope_id) END")


class ReviewStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- commitments ---------------------------------------------------------------------------

    async def commit(self, tx: Tx, year: int, hamlet_id: int, household: str, key: str,
                     resident_id: int) -> bool:
        """The household's commitment for the year; False when the household or the person
        has one already."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO household_commitments (year, hamlet_id, household, "
            "household_key, resident_id, committed_at) VALUES (?, ?, ?, ?, ?, ?)",
            (year, hamlet_id, household, key, resident_id, self._db.now_iso()))
        return cursor.rowcount > 0

    async def commitment_of(self, year: int, resident_id: int) -> tuple[int, str] | None:
        """(hamlet id, household as typed) of the person's commitment that year."""
        row = await self._db.fetchone(
            "SELECT hamlet_id, household FROM household_commitments WHERE year = ? "
            "AND resident_id = ?", (year, resident_id))
        return None if row is None else (int(row[0]), str(row[1]))

    async def commitments_of(self, resident_id: int) -> list[tuple[int, str, str]]:
        """(year, hamlet's name, household as typed) of every commitment of the person."""
        rows = await self._db.fetchall(
            "SELECT c.year, h.name, c.household FROM household_commitments c JOIN hamlets h "
            "ON h.id = c.hamlet_id WHERE c.resident_id = ? ORDER BY c.year", (resident_id,))
        return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]

    # --- the year's figures, per hamlet --------------------------------------------------------

    async def commitments(self, commune_id: int, year: int) -> dict[int | None, int]:
        return _counts(await self._db.fetchall(
            "SELECT c.hamlet_id, count(*) FROM household_commitments c JOIN hamlets h "
            "ON h.id = c.hamlet_id WHERE h.commune_id = ? AND c.year = ? GROUP BY c.hamlet_id",
            (commune_id, year)))

    async def reports(self, commune_id: int, since: str, until: str
                      ) -> list[tuple[int | None, str, str, int]]:
        """(hamlet id, category, state, how many) of the reports filed in [since, until)."""
        rows = await self._db.fetchall(
            "SELECT hamlet_id, category, state, count(*) FROM reports WHERE commune_id = ? "
            "AND created_at >= ? AND created_at < ? AND duplicate_of IS NULL "
            "GROUP BY hamlet_id, category, state", (commune_id, since, until))
        return [(row[0], str(row[1]), str(row[2]), int(row[3])) for row in rows]

    async def patrols_done(self, commune_id: int, since: str, until: str
                           ) -> dict[int | None, int]:
        """Shifts that started in [since, until), not cancelled, with someone checked in."""
        return _counts(await self._db.fetchall(
            "SELECT t.hamlet_id, count(*) FROM patrol_shifts s JOIN teams t ON t.id = s.team_id "
            "WHERE t.commune_id = ? AND s.starts_at >= ? AND s.starts_at < ? "
            "AND s.cancelled_at IS NULL AND EXISTS (SELECT 1 FROM patrol_assignments a "
            "WHERE a.shift_id = s.id AND a.checked_in_at IS NOT NULL) GROUP BY t.hamlet_id",
            (commune_id, since, until)))

    async def gongs(self, commune_id: int, since: str, until: str
                    ) -> dict[int | None, tuple[int, int]]:
        """(gongs sounded, answers "Đang đến") of the real gongs sent in [since, until)."""
        rows = await self._db.fetchall(
            f"SELECT {_GONG_HAMLET}, count(*), sum((SELECT count(*) FROM alarm_recipients r "
            "WHERE r.alarm_id = a.id AND r.response = 'coming') + coalesce((SELECT f.coming "
            "FROM alarm_forgotten f WHERE f.alarm_id = a.id), 0)) FROM alarms a "
            "WHERE a.commune_id = ? AND a.status = 'Actual' AND a.sent_at >= ? "
            f"AND a.sent_at < ? GROUP BY {_GONG_HAMLET}", (commune_id, since, until))
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


def _counts(rows: list[sqlite3.Row]) -> dict[int | None, int]:
    return {row[0]: int(row[1]) for row in rows}
