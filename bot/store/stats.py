"""Counts for the commune police's statistics (/thongke), per commune and period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.store.db import Database


@dataclass(frozen=True)
class CommuneCounts:
    residents: int
    teams: int
    members: int  # who have opened the bot (a leader named in the areas file may not yet)
    pending: int
    leaders_unopened: int
    reports_by_state: dict[str, int]
    reports_by_category: dict[str, int]
    minutes_to_accept: list[float]
    alarms: int
    alarm_recipients: int
    alarm_coming: int
    broadcasts: int
    messages_sent: int
    messages_failed: int


class StatsStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def commune(self, commune_id: int, since: str) -> CommuneCounts:
        """Everything counted for one commune; reports, alarms, broadcasts since `since`."""
        db = self._db
        residents = await db.scalar(
            "SELECT count(*) FROM residents WHERE commune_id = ? AND consent = 'given'",
            (commune_id,))
        teams = await db.scalar("SELECT count(*) FROM teams WHERE commune_id = ?", (commune_id,))
        member_rows = await db.fetchall(
            "SELECT m.state, count(*) FROM memberships m JOIN teams t ON t.id = m.team_id "
            "JOIN residents r ON r.id = m.resident_id "
            "WHERE t.commune_id = ? AND r.opened_at IS NOT NULL GROUP BY m.state", (commune_id,))
        members = {row[0]: row[1] for row in member_rows}
        unopened = await db.scalar(
            "SELECT count(*) FROM memberships m JOIN teams t ON t.id = m.team_id "
            "JOIN residents r ON r.id = m.resident_id WHERE t.commune_id = ? "
            "AND m.role = 'leader' AND r.opened_at IS NULL", (commune_id,))
        by_state = {row[0]: row[1] for row in await db.fetchall(
            "SELECT state, count(*) FROM reports WHERE commune_id = ? AND created_at >= ? "
            "GROUP BY state", (commune_id, since))}
        by_category = {row[0]: row[1] for row in await db.fetchall(
            "SELECT category, count(*) FROM reports WHERE commune_id = ? AND created_at >= ? "
            "GROUP BY category ORDER BY count(*) DESC", (commune_id, since))}
        accepted = await db.fetchall(
            "SELECT (julianday(min(a.at)) - julianday(r.created_at)) * 1440 FROM reports r "
            "JOIN audit_log a ON a.subject_type = 'report' AND a.subject_id = r.id "
            "AND a.action IN ('report.accept', 'report.assign', 'report.resolve', "
            "'report.reject') WHERE r.commune_id = ? AND r.created_at >= ? GROUP BY r.id",
            (commune_id, since))
        alarm = await db.fetchone(
            "SELECT count(DISTINCT a.id), count(r.resident_id), "
            "coalesce(sum(r.response = 'coming'), 0) FROM alarms a "
            "LEFT JOIN alarm_recipients r ON r.alarm_id = a.id "
            "WHERE a.commune_id = ? AND a.sent_at >= ?", (commune_id, since))
        gone = await db.fetchone(  # recipients who have since deleted their data
            "SELECT coalesce(sum(f.recipients), 0), coalesce(sum(f.coming), 0) "
            "FROM alarm_forgotten f JOIN alarms a ON a.id = f.alarm_id "
            "WHERE a.commune_id = ? AND a.sent_at >= ?", (commune_id, since))
        sent = await db.fetchone(
            "SELECT count(DISTINCT b.id), coalesce(sum(o.state = 'sent'), 0), "
            "coalesce(sum(o.state IN ('failed', 'unreachable')), 0) FROM broadcasts b "
            "LEFT JOIN outbox o ON o.broadcast_id = b.id WHERE b.commune_id = ? "
            "AND b.created_at >= ? AND b.lane IN ('announcement', 'propaganda') "
            "AND b.state != 'cancelled'",
            (commune_id, since))
        assert alarm is not None and gone is not None and sent is not None
        return CommuneCounts(
            residents=int(residents or 0), teams=int(teams or 0),
            members=members.get("active", 0), pending=members.get("pending", 0),
            leaders_unopened=int(unopened or 0),
            reports_by_state=by_state, reports_by_category=by_category,
            minutes_to_accept=sorted(float(row[0]) for row in accepted if row[0] is not None),
            alarms=int(alarm[0]), alarm_recipients=int(alarm[1]) + int(gone[0]),
            alarm_coming=int(alarm[2]) + int(gone[1]),
            broadcasts=int(sent[0]), messages_sent=int(sent[1]), messages_failed=int(sent[2]),
        )


@dataclass(frozen=True)
class Durations:
    """Minutes from filing to the first officer's step, and to the first resolution, of
    each report that had one (unsorted)."""

    to_accept: list[float]
    to_resolve: list[float]


class FigureStore:
    """The figures page's counts (bot/services/figures.py): grouped over several communes
    at once, since a moment (stored form)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def reports_by(self, communes: Sequence[int],
                         since: str) -> list[tuple[str, int | None, str, int]]:
        """(category, hamlet id, state, how many) for reports filed since `since`: one scan
        for both the category and the hamlet tables."""
        rows = await self._db.fetchall(
            "SELECT category, hamlet_id, state, count(*) FROM reports WHERE commune_id IN "
            f"({_marks(communes)}) AND created_at >= ? GROUP BY category, hamlet_id, state",
            (*communes, since))
        return [(str(row[0]), row[1], str(row[2]), int(row[3])) for row in rows]

    async def reports_by_hour(self, communes: Sequence[int],
                              since: str) -> list[tuple[str, str, int]]:
        """(the UTC hour they were filed, "YYYY-MM-DDTHH"; state; how many) for reports filed
        since `since`: few enough rows for a year, each placed in its local day by the caller."""
        rows = await self._db.fetchall(
            "SELECT substr(created_at, 1, 13), state, count(*) FROM reports WHERE commune_id "
            f"IN ({_marks(communes)}) AND created_at >= ? GROUP BY 1, 2",
            (*communes, since))
        return [(str(row[0]), str(row[1]), int(row[2])) for row in rows]

    async def durations(self, communes: Sequence[int], since: str) -> Durations:
        """Minutes from filing to the first action (accept, assign, resolve or reject) and to
        the first resolution, of the reports filed since `since` (one index: reports_times)."""
        rows = await self._db.fetchall(
            "SELECT (julianday(first_acted_at) - julianday(created_at)) * 1440, "
            "(julianday(resolved_at) - julianday(created_at)) * 1440 FROM reports "
            f"WHERE commune_id IN ({_marks(communes)}) AND created_at >= ? "
            "AND first_acted_at IS NOT NULL", (*communes, since))
        return Durations([float(row[0]) for row in rows],
                         [float(row[1]) for row in rows if row[1] is not None])

    async def alarms_by_kind(self, communes: Sequence[int],
                             since: str) -> list[tuple[str, int, int, int]]:
        """(kind, alarms, recipients, coming), counting those who have since deleted their
        data (alarm_forgotten)."""
        marks = _marks(communes)
        rows = await self._db.fetchall(
            "SELECT a.kind, count(*), sum(coalesce(r.n, 0) + coalesce(f.recipients, 0)), "
            "sum(coalesce(r.coming, 0) + coalesce(f.coming, 0)) FROM alarms a "
            "LEFT JOIN (SELECT alarm_id, count(*) AS n, coalesce(sum(response = 'coming'), 0) "
            "AS coming FROM alarm_recipients GROUP BY alarm_id) r ON r.alarm_id = a.id "
            "LEFT JOIN alarm_forgotten f ON f.alarm_id = a.id "
            f"WHERE a.commune_id IN ({marks}) AND a.sent_at >= ? GROUP BY a.kind "
            "ORDER BY count(*) DESC, a.kind", (*communes, since))
        return [(str(row[0]), int(row[1]), int(row[2]), int(row[3])) for row in rows]

    async def broadcasts_by_channel(self, communes: Sequence[int],
                                    since: str) -> list[tuple[str, int, int, int, int, int]]:
        """(channel, announcements, messages, sent, failed or unreachable, skipped) of the
        announcements and campaigns (not cancelled) created since `since`."""
        rows = await self._db.fetchall(
            "SELECT o.channel, count(DISTINCT b.id), count(*), sum(o.state = 'sent'), "
            "sum(o.state IN ('failed', 'unreachable')), sum(o.state = 'skipped') "
            "FROM broadcasts b JOIN outbox o ON o.broadcast_id = b.id "
            f"WHERE b.commune_id IN ({_marks(communes)}) AND b.created_at >= ? "
            "AND b.lane IN ('announcement', 'propaganda') AND b.state != 'cancelled' "
            "GROUP BY o.channel ORDER BY o.channel", (*communes, since))
        return [(str(row[0]), int(row[1]), int(row[2]), int(row[3] or 0), int(row[4] or 0),
                 int(row[5] or 0)) for row in rows]


def _marks(ids: Sequence[int]) -> str:
    if not ids:
        raise ValueError("no commune")
    return ", ".join("?" for _ in ids)
