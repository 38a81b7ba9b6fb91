"""python-telegram-bot persistence on the anninh database (JSON rows, no pickle files).

It also owns opening the store: PTB reads persistence in `Application.initialize()`,
before `post_init` runs, so the first reader opens the database and later ones share it.
"""

from __future__ import annotations

import asyncio
from copy import deepcopy
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.clock import Clock
from bot.store import Store

UserData = dict[Any, Any]


class SqlitePersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    """Opens the store for the application. Nothing of PTB's own is kept any more: the flows'
    state and drafts live in bot/dialog's table (`dialogs`), so user, chat and bot data stay
    in memory and are not written after every update."""

    def __init__(
        self, database_path: Path, update_interval: float = 1.0, clock: Clock | None = None
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._path = database_path
        self._clock = clock
        self._store: Store | None = None
        self._opening = asyncio.Lock()

    async def store(self) -> Store:
        """The open store, opening (and migrating) it on first use."""
        async with self._opening:
            if self._store is None:
                self._store = await Store.open(self._path, self._clock)
            return self._store

    async def close(self) -> None:
        async with self._opening:
            if self._store is not None:
                await self._store.close()
                self._store = None

    async def get_conversations(self, name: str) -> ConversationDict:
        store = await self.store()
        return await store.persistence.conversations(name)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        store = await self.store()
        async with store.db.transaction() as tx:
            await store.persistence.save_conversation(tx, name, key, new_state)

    async def get_user_data(self) -> dict[int, UserData]:
        store = await self.store()
        return await store.persistence.user_data()

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        store = await self.store()
        async with store.db.transaction() as tx:
            await store.persistence.save_user_data(tx, user_id, deepcopy(data))

    async def drop_user_data(self, user_id: int) -> None:
        store = await self.store()
        async with store.db.transaction() as tx:
            await store.persistence.drop_user_data(tx, user_id)

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """Nothing to do: this process is the only writer of user data."""

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Chat data is not persisted."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not persisted."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Chat data is not persisted."""

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        """Bot data holds live services, never persisted."""

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        """Bot data holds live services, never persisted."""

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        """Arbitrary callback data is not used."""

    async def flush(self) -> None:
        """Every update is written when it happens; nothing is buffered here."""
