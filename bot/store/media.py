"""Which media files the database still names (the files themselves: bot/media.py).

A file is named by a report's photo or voice note (report_media, reports.voice_media_key), by a
message about a report (report_messages), by an announcement's photo (the payload of a
broadcast not yet sent or of a repeating one), or by a draft not yet filed: a draft keeps its
photos' keys in the person's open conversation (dialogs.data, bot/dialog's runner) or, for the
flows still on python-telegram-bot, their saved conversation data (ptb_user_data), so any
key-shaped string there counts. When drafts move to other tables, this is the one place
to follow them.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.store.db import Database
from bot.store.dialogs import DialogStore

_NAMED = (
    "SELECT media_key FROM report_media WHERE media_key IS NOT NULL "
    "UNION SELECT voice_media_key FROM reports WHERE voice_media_key IS NOT NULL "
    "UNION SELECT media_key FROM report_messages WHERE media_key IS NOT NULL"
)
_DRAFTS = (
    "SELECT data FROM ptb_user_data UNION ALL SELECT data FROM dialogs "
    "UNION ALL SELECT payload FROM broadcasts WHERE state IN ('scheduled', 'queued') "
    "UNION ALL SELECT payload FROM broadcast_schedules"
)
_KEY_IN_TEXT = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def keys_in(text: str) -> set[str]:
    """The media keys a text (a draft's JSON) holds."""
    return set(_KEY_IN_TEXT.findall(text))


def _referenced(named: Iterable[Any], drafts: Iterable[Any]) -> set[str]:
    """The keys of rows (one column each) and the keys in drafts' data."""
    keys = {str(row[0]) for row in named}
    for row in drafts:
        keys |= keys_in(str(row[0]))
    return keys


class MediaRefStore:
    def __init__(self, db: Database, dialogs: DialogStore) -> None:
        self._db = db
        self._dialogs = dialogs

    async def referenced(self) -> set[str]:
        """Every media key a row or a draft names."""
        await self._dialogs.flush()  # the drafts not yet written name keys too
        named = await self._db.fetchall(_NAMED)
        drafts = await self._db.fetchall(_DRAFTS)
        return _referenced(named, drafts)


async def referenced_in_copy(path: Path) -> set[str]:
    """The same, read from a copy of the database (a backup) without writing anything to it."""

    def read() -> set[str]:
        uri = f"{path.resolve().as_uri()}?immutable=1"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as copy:
            return _referenced(copy.execute(_NAMED), copy.execute(_DRAFTS))

    return await asyncio.to_thread(read)
