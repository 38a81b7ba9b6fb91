"""Photos and voice notes into the media store (bot/media.py), whatever channel brought them:
the size limits ([media]), fetching the bytes at once, and removing the files nobody needs.

A channel hands `keep` a fetch: a coroutine function that downloads the file (Telegram: getFile
and the file URL; Zalo: the photo's URL) and raises MediaUnavailable when it cannot. The
channel checks nothing itself: what the person is told comes from the outcome.

Files go only after the database stopped naming them (bot/store/media.py): `discard` right
after a deletion was committed; `sweep` at start-up and every hour, for what a crash in between
left and for the photos of drafts dropped unfiled (cancelled, timed out, ended by a command).
A file is stored a moment before anything names it (a draft is saved within a second, a row
written in the same step), so the sweep spares files younger than ORPHAN_GRACE.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.clock import Clock
from bot.config import MediaConfig
from bot.media import MediaKind, MediaRef, MediaStore, Mirrored
from bot.store import Store
from bot.store.media import referenced_in_copy

log = logging.getLogger(__name__)

# Far longer than a file waits to be named: PTB saves a draft within a second (bot/persistence.py),
# a step writes its row right after storing the file.
ORPHAN_GRACE = timedelta(minutes=10)
SWEEP_EVERY = timedelta(hours=1)

Fetch = Callable[[], Awaitable[bytes]]


class MediaUnavailable(Exception):
    """The channel could not hand over the file (raised by a fetch)."""


class Refusal(enum.StrEnum):
    TOO_LARGE = "too_large"  # past [media] max_photo_bytes / max_voice_bytes
    FAILED = "failed"  # the download failed, or the file could not be written


@dataclass(frozen=True)
class Stored:
    """What `keep` did: the stored file's ref, or why there is none (with the size found
    too large, in bytes)."""

    ref: MediaRef | None = None
    refused: Refusal | None = None
    size: int = 0


class MediaService:
    def __init__(
        self, store: Store, files: MediaStore, config: MediaConfig, clock: Clock
    ) -> None:
        self._store = store
        self.files = files
        self._config = config
        self._clock = clock

    def limit(self, kind: MediaKind) -> int:
        """The most bytes a file of `kind` may have."""
        return self._config.max_photo_bytes if kind == "photo" else self._config.max_voice_bytes

    async def keep(
        self, kind: MediaKind, fetch: Fetch, *, size: int | None, content_type: str
    ) -> Stored:
        """Fetch the file at once and store it. `size` is what the channel declared (None:
        unknown): past the limit, it is refused without being fetched; the bytes fetched are
        held to the limit too."""
        if size is not None and size > self.limit(kind):
            return Stored(refused=Refusal.TOO_LARGE, size=size)
        try:
            data = await fetch()
        except MediaUnavailable as error:
            log.warning("could not fetch a %s: %s", kind, error)
            return Stored(refused=Refusal.FAILED)
        if len(data) > self.limit(kind):
            return Stored(refused=Refusal.TOO_LARGE, size=len(data))
        try:
            return Stored(await self.files.put(data, kind, content_type))
        except OSError:
            log.exception("could not write a %s to the media folder %s", kind, self.files.folder)
            return Stored(refused=Refusal.FAILED)

    async def discard(self, keys: Iterable[str]) -> int:
        """After a committed change that stopped naming `keys`: remove the files of those no
        row or draft names any more; how many went."""
        wanted = set(keys)
        if not wanted:
            return 0
        unnamed = wanted - await self._store.media.referenced()
        gone = 0
        for key in sorted(unnamed):
            gone += await self.files.delete(key)
        return gone

    async def sweep(self) -> int:
        """Remove the files nothing names, stored more than ORPHAN_GRACE ago: what a crash
        between a deletion and `discard` left, and the photos of drafts dropped unfiled."""
        gone = await self.files.sweep(await self._store.media.referenced(),
                                      self._clock.now() - ORPHAN_GRACE)
        if gone:
            log.info("removed %d media file(s) nothing names from %s", gone, self.files.folder)
        return gone

    async def backup(self, database_copy: Path, folder: Path) -> Mirrored:
        """Copy into `folder` the files a copy of the database names (after the copy was made:
        files never change, so copy and files agree), and only those."""
        named = await referenced_in_copy(database_copy)
        await asyncio.to_thread(folder.mkdir, mode=0o700, parents=True, exist_ok=True)
        return await self.files.mirror(named, MediaStore(folder, self._clock))
