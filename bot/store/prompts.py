"""Choices offered outside any flow to chats without buttons (see migration 0016)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Channel
from bot.store.db import Database, Tx
from bot.store.dialogs import DialogStore


@dataclass(frozen=True, slots=True)
class OpenPrompt:
    id: int
    choices: tuple[tuple[str, str], ...]  # (label, action)
    created_at: str


class PromptStore:
    def __init__(self, db: Database, dialogs: DialogStore) -> None:
        self._db = db
        self._dialogs = dialogs

    async def offer(
        self, tx: Tx, channel: Channel, address: str, choices: Sequence[tuple[str, str]],
        expires_at: str,
    ) -> None:
        """Offer choices to a chat; a flow open there now asks an older question."""
        cursor = await tx.execute(
            "INSERT INTO open_prompts (channel, address, choices, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (channel, address, json.dumps([list(c) for c in choices], ensure_ascii=False),
             self._db.now_iso(), expires_at))
        assert cursor.lastrowid is not None
        await self._dialogs.shadow(tx, channel, address, cursor.lastrowid)

    async def open(self, channel: Channel, address: str, since: int = 0) -> list[OpenPrompt]:
        """The chat's prompts not yet expired (from id `since` on), newest first."""
        rows = await self._db.fetchall(
            "SELECT id, choices, created_at FROM open_prompts WHERE channel = ? AND address = ? "
            "AND expires_at > ? AND id >= ? ORDER BY id DESC",
            (channel, address, self._db.now_iso(), since))
        return [OpenPrompt(row[0], tuple((str(label), str(action))
                                         for label, action in json.loads(row[1])), row[2])
                for row in rows]

    async def forget_expired(self) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM open_prompts WHERE expires_at <= ?",
                             (self._db.now_iso(),))

    async def forget_chat(self, tx: Tx, channel: Channel, address: str) -> None:
        await tx.execute("DELETE FROM open_prompts WHERE channel = ? AND address = ?",
                         (channel, address))
