"""The web console's queue: a commune's reports filtered and ordered for triage, and how
many are in each state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.models import Alarm, MapPoint, Report, closed_states, open_states
from bot.store.alarms import _alarm
from bot.store.db import Database
from bot.store.reports import _report

QUEUE_LIMIT = 50  # reports on one page of the queue
MAP_LIMIT = 5000  # markers on one map


@dataclass(frozen=True)
class QueueFilter:
    """None (or empty) means no filter; `overdue_at`: only reports still waiting to be
    accepted past their deadline, as of this time (the deadlines' form)."""

    commune_ids: Sequence[int]
    states: Sequence[str] = ()
    category: str | None = None
    hamlet_id: int | None = None
    urgency: str | None = None
    overdue_at: str | None = None


class QueueStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def reports(self, wanted: QueueFilter, limit: int = QUEUE_LIMIT,
                      offset: int = 0) -> list[Report]:
        """Open reports first, oldest first; then the closed ones, latest first (`limit` of
        them, after the first `offset`). Two queries, each walking an index in its order, so
        a year of closed reports is never sorted."""
        found: list[Report] = []
        for states, order in ((open_states(), "id"), (closed_states(), "id DESC")):
            wanted_states = [s for s in states if not wanted.states or s in wanted.states]
            if not wanted_states or len(found) >= limit:
                continue
            where, params = _where(wanted, wanted_states)
            if offset and not found:  # how many of this part the offset skips
                total = int(await self._db.scalar(
                    f"SELECT count(*) FROM reports WHERE {where}", params))
                if offset >= total:
                    offset -= total
                    continue
            rows = await self._db.fetchall(
                f"SELECT * FROM reports WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                [*params, limit - len(found), offset if not found else 0])
            found += [_report(row) for row in rows]
            offset = 0
        return found

    async def located(self, commune_ids: Sequence[int], since: str, limit: int = MAP_LIMIT, *,
                      states: Sequence[str] = (), category: str | None = None
                      ) -> list[MapPoint]:
        """The communes' reports filed since `since` with a shared location, newest first;
        only those in `states` and of `category` when given."""
        where, params = _located(commune_ids, since, states, category)
        rows = await self._db.fetchall(
            "SELECT id, latitude, longitude, state, category, created_at FROM reports "
            f"WHERE {where} ORDER BY id DESC LIMIT ?", [*params, limit])
        return [MapPoint(*row) for row in rows]

    async def located_count(self, commune_ids: Sequence[int], since: str, *,
                            states: Sequence[str] = (), category: str | None = None) -> int:
        """How many `located` would find (without its limit)."""
        where, params = _located(commune_ids, since, states, category)
        return int(await self._db.scalar(f"SELECT count(*) FROM reports WHERE {where}", params))

    async def alarms(self, commune_ids: Sequence[int], since: str,
                     limit: int = MAP_LIMIT) -> list[Alarm]:
        """The communes' gongs sounded since `since`, newest first (with a place or not)."""
        marks = ", ".join("?" for _ in commune_ids) or "NULL"
        rows = await self._db.fetchall(
            f"SELECT * FROM alarms WHERE commune_id IN ({marks}) AND sent_at >= ? "
            "ORDER BY id DESC LIMIT ?", [*commune_ids, since, limit])
        return [_alarm(row) for row in rows]

    async def counts(self, commune_ids: Sequence[int]) -> dict[str, int]:
        """How many of the communes' reports are in each state."""
        marks = ", ".join("?" for _ in commune_ids) or "NULL"
        rows = await self._db.fetchall(
            f"SELECT state, count(*) FROM reports WHERE commune_id IN ({marks}) GROUP BY state",
            list(commune_ids))
        return {str(row[0]): int(row[1]) for row in rows}


def _where(wanted: QueueFilter, states: Sequence[str]) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in wanted.commune_ids) or "NULL"
    where, params = [f"commune_id IN ({marks})"], list[Any](wanted.commune_ids)
    where.append(f"state IN ({', '.join('?' for _ in states)})")
    params.extend(states)
    for column, value in (("category", wanted.category), ("hamlet_id", wanted.hamlet_id),
                          ("urgency", wanted.urgency)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if wanted.overdue_at is not None:
        where.append("state = 'submitted' AND (escalation_level > 0 OR escalate_at <= ?)")
        params.append(wanted.overdue_at)
    return " AND ".join(where), params


def _located(commune_ids: Sequence[int], since: str, states: Sequence[str],
             category: str | None) -> tuple[str, list[Any]]:
    marks = ", ".join("?" for _ in commune_ids) or "NULL"
    where = [f"commune_id IN ({marks})", "created_at >= ?",
             "latitude IS NOT NULL AND longitude IS NOT NULL"]
    params: list[Any] = [*commune_ids, since]
    if states:
        where.append(f"state IN ({', '.join('?' for _ in states)})")
        params.extend(states)
    if category is not None:
        where.append("category = ?")
        params.append(category)
    return " AND ".join(where), params
