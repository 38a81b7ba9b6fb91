"""Rows behind python-telegram-bot's persistence: conversation states and user data, as JSON."""

from __future__ import annotations

import json
from typing import Any

from bot.store.db import Database, Tx


class PersistenceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def conversations(self, name: str) -> dict[tuple[str | int, ...], object]:
        rows = await self._db.fetchall(
            "SELECT key, state FROM ptb_conversations WHERE name = ?", (name,)
        )
        return {tuple(json.loads(row[0])): json.loads(row[1]) for row in rows}

    async def save_conversation(
        self, tx: Tx, name: str, key: tuple[str | int, ...], state: object | None
    ) -> None:
        encoded_key = json.dumps(list(key))
        if state is None:
            await tx.execute(
                "DELETE FROM ptb_conversations WHERE name = ? AND key = ?", (name, encoded_key)
            )
            return
        await tx.execute(
            "INSERT INTO ptb_conversations (name, key, state) VALUES (?, ?, ?) "
            "ON CONFLICT (name, key) DO UPDATE SET state = excluded.state",
            (name, encoded_key, json.dumps(state)),
        )

    async def user_data(self) -> dict[int, dict[Any, Any]]:
        rows = await self._db.fetchall("SELECT user_id, data FROM ptb_user_data")
        return {row[0]: json.loads(row[1]) for row in rows}

    async def save_user_data(self, tx: Tx, user_id: int, data: dict[Any, Any]) -> None:
        if not data:
            await self.drop_user_data(tx, user_id)
            return
        await tx.execute(
            "INSERT INTO ptb_user_data (user_id, data) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data",
            (user_id, json.dumps(data, ensure_ascii=False)),
        )

    async def drop_user_data(self, tx: Tx, user_id: int) -> None:
        await tx.execute("DELETE FROM ptb_user_data WHERE user_id = ?", (user_id,))
