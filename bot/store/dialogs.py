"""The open conversation of each person (bot/dialog's runner keeps its state here)."""

from __future__ import annotations

import sqlite3

from bot.models import Channel, Dialog
from bot.store.db import Database, Tx


def _dialog(row: sqlite3.Row) -> Dialog:
    return Dialog(
        resident_id=row["resident_id"], flow=row["flow"], step=row["step"], data=row["data"],
        channel=row["channel"], address=row["address"], prompt_seq=row["prompt_seq"],
        choices=row["choices"], expires_at=row["expires_at"], updated_at=row["updated_at"],
        shadowed_by=row["shadowed_by"],
    )


class DialogStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, resident_id: int) -> Dialog | None:
        row = await self._db.fetchone("SELECT * FROM dialogs WHERE resident_id = ?",
                                      (resident_id,))
        return _dialog(row) if row is not None else None

    async def put(self, dialog: Dialog) -> None:
        await self._db.write(
            "INSERT OR REPLACE INTO dialogs (resident_id, flow, step, data, channel,"
            " address, prompt_seq, choices, updated_at, expires_at, shadowed_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (dialog.resident_id, dialog.flow, dialog.step, dialog.data, dialog.channel,
             dialog.address, dialog.prompt_seq, dialog.choices, self._db.now_iso(),
             dialog.expires_at, dialog.shadowed_by))

    async def end(self, resident_id: int, flow: str | None = None) -> bool:
        """End the person's open flow (only if it is `flow`, when given); True if one was."""
        return await self._db.write(
            "DELETE FROM dialogs WHERE resident_id = ? AND (? IS NULL OR flow = ?)",
            (resident_id, flow, flow)) > 0

    async def take(self, resident_id: int) -> str | None:
        """End the person's open flow; its name, None if none was open (one statement)."""
        rows = await self._db.write_returning(
            "DELETE FROM dialogs WHERE resident_id = ? RETURNING flow", (resident_id,))
        return str(rows[0][0]) if rows else None

    async def take_of_account(self, channel: Channel, external_id: str) -> str | None:
        """The same for the person behind an account (one statement, no lookup first)."""
        rows = await self._db.write_returning(
            "DELETE FROM dialogs WHERE resident_id = (SELECT resident_id FROM accounts "
            "WHERE channel = ? AND external_id = ?) RETURNING flow", (channel, external_id))
        return str(rows[0][0]) if rows else None

    async def end_in(self, tx: Tx, resident_id: int, flow: str | None = None) -> bool:
        cursor = await tx.execute(
            "DELETE FROM dialogs WHERE resident_id = ? AND (? IS NULL OR flow = ?)",
            (resident_id, flow, flow))
        return cursor.rowcount > 0

    async def take_expired(self, now: str) -> list[Dialog]:
        """The conversations past their expiry, removed."""
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "DELETE FROM dialogs WHERE expires_at <= ? RETURNING *", (now,))
        return [_dialog(row) for row in rows]
