"""The open conversation of each person (bot/dialog's runner keeps its state here).

Every update reads its person's open flow and writes it back, so the rows are kept in memory
and written behind: a step's state is in the database within FLUSH_SECONDS, together with
everyone else's steps of that moment, in one transaction. A graceful stop writes what is left
(`flush`); a crash loses at most the last FLUSH_SECONDS of steps (python-telegram-bot's
persistence, which this replaced, wrote every minute). Everything that changes these rows goes
through this class, so memory and database never disagree: the runner's steps, an offer that
shadows a flow's question (`shadow`), a person deleted or merged away (`drop`), expiry
(`take_expired`); whoever reads the rows' data directly (the media sweep) calls `flush` first.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import replace

from bot.models import Channel, Dialog
from bot.store.db import Database, Tx

log = logging.getLogger(__name__)

FLUSH_SECONDS = 0.2
KEEP_CLEAN = 20_000  # rows kept in memory beyond the unwritten ones; past it, forgotten

_COLUMNS = ("resident_id, flow, step, data, channel, address, prompt_seq, choices, updated_at,"
            " expires_at, shadowed_by")
# A person deleted while their step waited to be written is not brought back.
_UPSERT = (f"INSERT OR REPLACE INTO dialogs ({_COLUMNS}) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
           " WHERE EXISTS (SELECT 1 FROM residents WHERE id = ?)")


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
        self._known: dict[int, Dialog | None] = {}  # None: no open flow
        self._dirty: dict[int, Dialog | None] = {}  # not yet written (None: to delete)
        self._flushing = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None

    async def get(self, resident_id: int) -> Dialog | None:
        if resident_id in self._known:
            return self._known[resident_id]
        row = await self._db.fetchone("SELECT * FROM dialogs WHERE resident_id = ?",
                                      (resident_id,))
        if resident_id in self._known:  # a step of theirs ran while this read waited
            return self._known[resident_id]
        dialog = _dialog(row) if row is not None else None
        self._remember(resident_id, dialog)
        return dialog

    async def put(self, dialog: Dialog) -> None:
        self._change(dialog.resident_id, replace(dialog, updated_at=self._db.now_iso()))

    async def end(self, resident_id: int, flow: str | None = None) -> bool:
        """End the person's open flow (only if it is `flow`, when given); True if one was."""
        dialog = await self.get(resident_id)
        if dialog is None or (flow is not None and dialog.flow != flow):
            return False
        self._change(resident_id, None)
        return True

    async def take(self, resident_id: int) -> str | None:
        """End the person's open flow; its name, None if none was open."""
        dialog = await self.get(resident_id)
        if dialog is None:
            return None
        self._change(resident_id, None)
        return dialog.flow

    async def take_of_account(self, channel: Channel, external_id: str) -> str | None:
        """The same for the person behind an account."""
        row = await self._db.fetchone(
            "SELECT resident_id FROM accounts WHERE channel = ? AND external_id = ?",
            (channel, external_id))
        return None if row is None else await self.take(int(row[0]))

    def drop(self, resident_id: int) -> None:
        """The person is gone (deleted, merged into another): forget their flow, and make sure
        a step of theirs not yet written never is."""
        self._change(resident_id, None)

    async def shadow(self, tx: Tx, channel: Channel, address: str, prompt_id: int) -> None:
        """Choices offered to a chat outside any flow: a flow open there now asks an older
        question (its `shadowed_by` is the offer, unless an earlier offer already is)."""
        await tx.execute(
            "UPDATE dialogs SET shadowed_by = ? WHERE channel = ? AND address = ? "
            "AND shadowed_by IS NULL", (prompt_id, channel, address))
        for resident_id, dialog in list(self._known.items()):
            if (dialog is not None and dialog.shadowed_by is None
                    and (dialog.channel, dialog.address) == (channel, address)):
                shadowed = replace(dialog, shadowed_by=prompt_id)
                self._known[resident_id] = shadowed
                if resident_id in self._dirty:
                    self._dirty[resident_id] = shadowed

    async def take_expired(self, now: str) -> list[Dialog]:
        """The conversations past their expiry, removed."""
        await self.flush()
        async with self._db.transaction() as tx:
            rows = await tx.execute_fetchall(
                "DELETE FROM dialogs WHERE expires_at <= ? RETURNING *", (now,))
        expired = []
        for dialog in map(_dialog, rows):
            if dialog.resident_id in self._dirty:  # a step ran since: theirs is newer
                continue
            self._known.pop(dialog.resident_id, None)
            expired.append(dialog)
        return expired

    async def flush(self) -> None:
        """Write every step not yet written, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._flushing:
            if not self._dirty:
                return
            batch, self._dirty = self._dirty, {}
            try:
                async with self._db.transaction() as tx:
                    await tx.executemany(
                        "DELETE FROM dialogs WHERE resident_id = ?",
                        [(pid,) for pid, dialog in batch.items() if dialog is None])
                    await tx.executemany(_UPSERT, [
                        (d.resident_id, d.flow, d.step, d.data, d.channel, d.address,
                         d.prompt_seq, d.choices, d.updated_at, d.expires_at, d.shadowed_by,
                         d.resident_id) for d in batch.values() if d is not None])
            except BaseException:
                for pid, dialog in batch.items():  # written later, unless newer came since
                    self._dirty.setdefault(pid, dialog)
                raise

    async def close(self) -> None:
        """Stop writing behind; what was not written is written now."""
        if self._task is not None and not self._task.done():
            await asyncio.gather(self._task, return_exceptions=True)
        await self.flush()

    def _change(self, resident_id: int, dialog: Dialog | None) -> None:
        self._remember(resident_id, dialog)
        self._dirty[resident_id] = dialog
        if self._timer is None and (self._task is None or self._task.done()):
            self._timer = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._due)

    def _remember(self, resident_id: int, dialog: Dialog | None) -> None:
        if len(self._known) >= KEEP_CLEAN + len(self._dirty):
            self._known = {pid: d for pid, d in self._known.items() if pid in self._dirty}
        self._known[resident_id] = dialog

    def _due(self) -> None:
        self._timer = None
        self._task = asyncio.get_running_loop().create_task(self._flush_due())

    async def _flush_due(self) -> None:
        try:
            await self.flush()
        except Exception:  # kept unwritten; the next step or the stop tries again
            log.exception("could not write the open conversations")
        if self._dirty and self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_SECONDS, self._due)
