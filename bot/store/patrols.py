"""Patrol shifts, weekly series, assignments and check-ins, reports filed from a patrol."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.models import PatrolAttendance, PatrolSeries, PatrolShift
from bot.store.db import Database, Tx

_SHIFT = ("SELECT s.id, s.team_id, s.series_id, s.starts_at, s.ends_at, s.note, s.created_by, "
          "s.reminded_at, s.cancelled_at FROM patrol_shifts s")
_ATTENDANCE = ("SELECT a.shift_id, a.resident_id, r.display_name, a.state, a.reason, "
               "a.checked_in_at, a.checked_out_at, a.note, a.confirmed_at, a.place, a.lat, a.lon "
               "FROM patrol_assignments a "
               "JOIN residents r ON r.id = a.resident_id")


def _shift(row: sqlite3.Row) -> PatrolShift:
    return PatrolShift(*row)


def _series(row: sqlite3.Row) -> PatrolSeries:
    return PatrolSeries(row["id"], row["team_id"], row["weekday"], row["start_time"],
                        row["minutes"], row["note"], bool(row["everyone"]), row["created_by"])


class PatrolStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes ----------------------------------------------------------------------------

    async def add_series(
        self, tx: Tx, team_id: int, weekday: int, start_time: str, minutes: int,
        note: str | None, members: Sequence[int] | None, created_by: int | None,
    ) -> int:
        """A weekly series; `members` None: everyone in the team at each shift."""
        cursor = await tx.execute(
            "INSERT INTO patrol_series (team_id, weekday, start_time, minutes, note, everyone, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (team_id, weekday, start_time, minutes, note, int(members is None), created_by,
             self._db.now_iso()))
        series_id = int(cursor.lastrowid or 0)
        await tx.executemany(
            "INSERT OR IGNORE INTO patrol_series_members (series_id, resident_id) VALUES (?, ?)",
            [(series_id, member) for member in members or ()])
        return series_id

    async def add_shift(
        self, tx: Tx, team_id: int, starts_at: str, ends_at: str, note: str | None,
        members: Sequence[int], created_by: int | None, series_id: int | None = None,
    ) -> int | None:
        """A shift and its assignments; None when the series already has a shift then."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO patrol_shifts (team_id, series_id, starts_at, ends_at, note, "
            "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (team_id, series_id, starts_at, ends_at, note, created_by, self._db.now_iso()))
        if cursor.rowcount == 0:
            return None
        shift_id = int(cursor.lastrowid or 0)
        await tx.executemany(
            "INSERT OR IGNORE INTO patrol_assignments (shift_id, resident_id) VALUES (?, ?)",
            [(shift_id, member) for member in members])
        return shift_id

    async def check_in(self, tx: Tx, shift_id: int, resident_id: int, at: str) -> bool:
        """"Bắt đầu": the first check-in counts (a declined member who comes after all is
        assigned again); False when the person is not on the shift."""
        cursor = await tx.execute(
            "UPDATE patrol_assignments SET checked_in_at = coalesce(checked_in_at, ?), "
            "state = 'assigned', reason = NULL WHERE shift_id = ? AND resident_id = ?",
            (at, shift_id, resident_id))
        return cursor.rowcount > 0

    async def check_out(self, tx: Tx, shift_id: int, resident_id: int, at: str) -> bool:
        cursor = await tx.execute(
            "UPDATE patrol_assignments SET checked_out_at = ? WHERE shift_id = ? "
            "AND resident_id = ? AND checked_in_at IS NOT NULL AND checked_out_at IS NULL",
            (at, shift_id, resident_id))
        return cursor.rowcount > 0

    async def confirm(self, tx: Tx, shift_id: int, resident_id: int, by: int, at: str) -> bool:
        """The leader confirms the person did the shift; False unless they checked in and it
        was not confirmed yet."""
        cursor = await tx.execute(
            "UPDATE patrol_assignments SET confirmed_at = ?, confirmed_by = ? WHERE shift_id = ? "
            "AND resident_id = ? AND checked_in_at IS NOT NULL AND confirmed_at IS NULL",
            (at, by, shift_id, resident_id))
        return cursor.rowcount > 0

    async def set_place(self, tx: Tx, shift_id: int, resident_id: int, place: str | None,
                        lat: float | None, lon: float | None) -> bool:
        """Where the person checked in: a typed place or a shared location."""
        cursor = await tx.execute(
            "UPDATE patrol_assignments SET place = ?, lat = ?, lon = ? WHERE shift_id = ? "
            "AND resident_id = ? AND checked_in_at IS NOT NULL",
            (place, lat, lon, shift_id, resident_id))
        return cursor.rowcount > 0

    async def cancel_shift(self, tx: Tx, shift_id: int, at: str) -> bool:
        """Cancelled; False when it already was."""
        cursor = await tx.execute(
            "UPDATE patrol_shifts SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
            (at, shift_id))
        return cursor.rowcount > 0

    async def stop_series(self, tx: Tx, series_id: int, at: str) -> list[int] | None:
        """The series stopped and its shifts that have not started cancelled (their ids);
        None when it was stopped already."""
        cursor = await tx.execute(
            "UPDATE patrol_series SET stopped_at = ? WHERE id = ? AND stopped_at IS NULL",
            (at, series_id))
        if cursor.rowcount == 0:
            return None
        rows = await tx.execute_fetchall(
            "UPDATE patrol_shifts SET cancelled_at = ? WHERE series_id = ? "
            "AND cancelled_at IS NULL AND starts_at > ? RETURNING id", (at, series_id, at))
        return sorted(int(row[0]) for row in rows)

    async def hand_over(self, tx: Tx, shift_id: int, from_id: int, to_id: int) -> bool:
        """`to_id` takes `from_id`'s place on the shift (before `from_id` checked in)."""
        cursor = await tx.execute(
            "DELETE FROM patrol_assignments WHERE shift_id = ? AND resident_id = ? "
            "AND checked_in_at IS NULL", (shift_id, from_id))
        if cursor.rowcount == 0:
            return False
        await tx.execute(
            "INSERT INTO patrol_assignments (shift_id, resident_id) VALUES (?, ?) "
            "ON CONFLICT (shift_id, resident_id) DO UPDATE SET state = 'assigned', "
            "reason = NULL", (shift_id, to_id))
        return True

    async def set_note(self, tx: Tx, shift_id: int, resident_id: int, note: str) -> bool:
        cursor = await tx.execute(
            "UPDATE patrol_assignments SET note = ? WHERE shift_id = ? AND resident_id = ?",
            (note, shift_id, resident_id))
        return cursor.rowcount > 0

    async def decline(self, tx: Tx, shift_id: int, resident_id: int, reason: str) -> bool:
        """Declined with a reason; False once the person has checked in (or is not on it)."""
        cursor = await tx.execute(
            "UPDATE patrol_assignments SET state = 'declined', reason = ? WHERE shift_id = ? "
            "AND resident_id = ? AND checked_in_at IS NULL", (reason, shift_id, resident_id))
        return cursor.rowcount > 0

    async def claim_reminder(self, tx: Tx, shift_id: int) -> bool:
        """Mark the shift reminded; False when it already was (a restart, another tick)."""
        cursor = await tx.execute(
            "UPDATE patrol_shifts SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
            (self._db.now_iso(), shift_id))
        return cursor.rowcount > 0

    async def link_report(self, tx: Tx, report_id: int, shift_id: int) -> None:
        await tx.execute(
            "INSERT OR IGNORE INTO patrol_reports (report_id, shift_id) VALUES (?, ?)",
            (report_id, shift_id))

    # --- reads -----------------------------------------------------------------------------

    async def shift(self, shift_id: int) -> PatrolShift | None:
        row = await self._db.fetchone(f"{_SHIFT} WHERE s.id = ?", (shift_id,))
        return None if row is None else _shift(row)

    async def team_shifts(self, team_id: int, since: str, until: str) -> list[PatrolShift]:
        """The team's shifts that end after `since` and start before `until`, soonest first."""
        rows = await self._db.fetchall(
            f"{_SHIFT} WHERE s.team_id = ? AND s.cancelled_at IS NULL AND s.ends_at > ? "
            "AND s.starts_at < ? ORDER BY s.starts_at, s.id", (team_id, since, until))
        return [_shift(row) for row in rows]

    async def shifts_of(self, resident_id: int, since: str, limit: int) -> list[PatrolShift]:
        """The person's shifts (assigned or declined) that end after `since`, soonest first."""
        rows = await self._db.fetchall(
            f"{_SHIFT} JOIN patrol_assignments a ON a.shift_id = s.id WHERE a.resident_id = ? "
            "AND s.cancelled_at IS NULL AND s.ends_at > ? ORDER BY s.starts_at, s.id LIMIT ?",
            (resident_id, since, limit))
        return [_shift(row) for row in rows]

    async def past_shifts(self, team_id: int, before: str, limit: int) -> list[PatrolShift]:
        """The team's shifts that started before `before`, newest first."""
        rows = await self._db.fetchall(
            f"{_SHIFT} WHERE s.team_id = ? AND s.cancelled_at IS NULL AND s.starts_at <= ? "
            "ORDER BY s.starts_at DESC, s.id DESC LIMIT ?", (team_id, before, limit))
        return [_shift(row) for row in rows]

    async def attendance(self, shift_id: int) -> list[PatrolAttendance]:
        rows = await self._db.fetchall(
            f"{_ATTENDANCE} WHERE a.shift_id = ? ORDER BY r.display_name COLLATE NOCASE",
            (shift_id,))
        return [PatrolAttendance(*row) for row in rows]

    async def assignment(self, shift_id: int, resident_id: int) -> PatrolAttendance | None:
        row = await self._db.fetchone(
            f"{_ATTENDANCE} WHERE a.shift_id = ? AND a.resident_id = ?", (shift_id, resident_id))
        return None if row is None else PatrolAttendance(*row)

    async def due_reminders(self, until: str, now: str) -> list[PatrolShift]:
        """Shifts not yet reminded that start by `until` and have not ended at `now`."""
        rows = await self._db.fetchall(
            f"{_SHIFT} WHERE s.reminded_at IS NULL AND s.cancelled_at IS NULL "
            "AND s.starts_at <= ? AND s.ends_at > ? ORDER BY s.starts_at", (until, now))
        return [_shift(row) for row in rows]

    async def series(self, series_id: int) -> PatrolSeries | None:
        row = await self._db.fetchone("SELECT * FROM patrol_series WHERE id = ?", (series_id,))
        return None if row is None else _series(row)

    async def team_series(self, team_id: int) -> list[PatrolSeries]:
        """The team's weekly series still running."""
        rows = await self._db.fetchall(
            "SELECT * FROM patrol_series WHERE team_id = ? AND stopped_at IS NULL ORDER BY id",
            (team_id,))
        return [_series(row) for row in rows]

    async def active_series(self) -> list[PatrolSeries]:
        rows = await self._db.fetchall(
            "SELECT * FROM patrol_series WHERE stopped_at IS NULL ORDER BY id")
        return [_series(row) for row in rows]

    async def series_members(self, series_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT resident_id FROM patrol_series_members WHERE series_id = ?", (series_id,))
        return [int(row[0]) for row in rows]

    async def reports_of(self, shift_id: int) -> list[int]:
        rows = await self._db.fetchall(
            "SELECT report_id FROM patrol_reports WHERE shift_id = ? ORDER BY report_id",
            (shift_id,))
        return [int(row[0]) for row in rows]
