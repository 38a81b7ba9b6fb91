"""How a person is reached: on their preferred account, and whether they can be at all.

A person's preferred account is the reachable one (no `unreachable_at`) they used last
(`accounts.last_seen_at`; accounts never used come after, oldest first); when none is
reachable, the one they used last all the same (a message to them is tried: they may have
come back). A person with no account row at all (rows written before accounts existed) is
reached by their Telegram id. Audiences and alarms take only people who are reachable:
through an account, or, without any, by a Telegram id not marked unreachable — exactly as
before accounts. The SQL fragments below are the one definition of these rules: audiences,
alarm recipients and the outbox all use them.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.models import Channel, Recipient
from bot.store.db import Database, Tx

_CHUNK = 500  # resident ids per query


def preferred_account(person_id: str) -> str:
    """A subquery: the id of the preferred account of the person `person_id` (an SQL
    expression), or NULL when they have no account."""
    return (f"(SELECT pa.id FROM accounts pa WHERE pa.resident_id = {person_id} "
            "ORDER BY pa.unreachable_at IS NOT NULL, pa.last_seen_at IS NULL, "
            "pa.last_seen_at DESC, pa.id LIMIT 1)")


def route_join(person: str = "r") -> str:
    """Joins `ra`, the preferred account of the residents row `person`."""
    return f"LEFT JOIN accounts ra ON ra.id = {preferred_account(f'{person}.id')}"


def route_columns(person: str = "r") -> str:
    """Two columns after `route_join`: the channel and the address (text, or Telegram's
    integer id for a person without accounts); both NULL when there is no way to them."""
    return (f"coalesce(ra.channel, CASE WHEN {person}.telegram_id IS NOT NULL "
            f"THEN 'telegram' END), coalesce(ra.external_id, {person}.telegram_id)")


def reachable(person: str = "r") -> str:
    """A condition on the residents row `person`: some account of theirs is reachable, or
    they have none and a Telegram id not marked unreachable."""
    return (f"(EXISTS (SELECT 1 FROM accounts ya WHERE ya.resident_id = {person}.id "
            "AND ya.unreachable_at IS NULL) OR "
            f"({person}.telegram_id IS NOT NULL AND {person}.unreachable_at IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM accounts na WHERE na.resident_id = {person}.id)))")


class RouteStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def recipients(self, resident_ids: Iterable[int]) -> dict[int, Recipient]:
        """Each person as an outbox recipient on their preferred account (see the module);
        people with neither an account nor a Telegram id are left out."""
        ids = sorted(set(resident_ids))
        found: dict[int, Recipient] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = await self._db.fetchall(
                f"SELECT r.id, {route_columns()} FROM residents r {route_join()} "
                f"WHERE r.id IN ({', '.join('?' * len(chunk))})", chunk)
            found.update((row[0], Recipient.account(row[0], row[1], row[2]))
                         for row in rows if row[1] is not None)
        return found

    async def mark_reachable(
        self, tx: Tx, channel: Channel, external_id: str, reachable: bool, *,
        resident_id: int | None = None, at: str | None = None,
    ) -> None:
        """The messenger said the account blocked the bot, or came back (see `mark`); `at`
        (ISO 8601, UTC) defaults to now."""
        await mark(tx, channel, external_id, reachable=reachable,
                   now=at or self._db.now_iso(), resident_id=resident_id)


async def mark(
    tx: Tx, channel: Channel, external_id: str, *, reachable: bool, now: str,
    resident_id: int | None = None,
) -> None:
    """The account can no longer be reached, or can again. Its person (`resident_id`, and the
    account's owner) is marked unreachable once none of their accounts is reachable, and
    reachable again with it."""
    people = ("WHERE id IN (?, (SELECT resident_id FROM accounts WHERE channel = ? "
              "AND external_id = ?))")
    if reachable:
        await tx.execute("UPDATE accounts SET unreachable_at = NULL WHERE channel = ? "
                         "AND external_id = ?", (channel, external_id))
        await tx.execute(f"UPDATE residents SET unreachable_at = NULL, updated_at = ? {people} "
                         "AND unreachable_at IS NOT NULL",
                         (now, resident_id, channel, external_id))
        return
    await tx.execute("UPDATE accounts SET unreachable_at = ? WHERE channel = ? "
                     "AND external_id = ? AND unreachable_at IS NULL", (now, channel, external_id))
    await tx.execute(
        f"UPDATE residents SET unreachable_at = ?, updated_at = ? {people} "
        "AND unreachable_at IS NULL AND NOT EXISTS (SELECT 1 FROM accounts a "
        "WHERE a.resident_id = residents.id AND a.unreachable_at IS NULL)",
        (now, now, resident_id, channel, external_id))
