"""Swaps of a patrol shift: a member asks another to take their place; the other decides."""

from __future__ import annotations

from bot.models import PatrolSwap
from bot.store.db import Database, Tx

_SWAP = "SELECT id, shift_id, from_resident, to_resident, state FROM patrol_swaps"


class PatrolSwapStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ask(self, tx: Tx, shift_id: int, from_id: int, to_id: int) -> int:
        """A new request; an earlier one still open for the same shift and asker is
        withdrawn (declined), so only the latest can be accepted."""
        now = self._db.now_iso()
        await tx.execute(
            "UPDATE patrol_swaps SET state = 'declined', decided_at = ? WHERE shift_id = ? "
            "AND from_resident = ? AND state = 'asked'", (now, shift_id, from_id))
        cursor = await tx.execute(
            "INSERT INTO patrol_swaps (shift_id, from_resident, to_resident, created_at) "
            "VALUES (?, ?, ?, ?)", (shift_id, from_id, to_id, now))
        return int(cursor.lastrowid or 0)

    async def decide(self, tx: Tx, swap_id: int, accepted: bool) -> bool:
        """Accepted or declined; False when it was decided already."""
        cursor = await tx.execute(
            "UPDATE patrol_swaps SET state = ?, decided_at = ? WHERE id = ? AND state = 'asked'",
            ("accepted" if accepted else "declined", self._db.now_iso(), swap_id))
        return cursor.rowcount > 0

    async def get(self, swap_id: int) -> PatrolSwap | None:
        row = await self._db.fetchone(f"{_SWAP} WHERE id = ?", (swap_id,))
        return None if row is None else PatrolSwap(*row)
