"""The media store: the photos and voice notes anninh keeps itself, so that every channel and
the export can show them. A messenger's own file id is only a cache.

Files are content-addressed: a file's key is the SHA-256 of its bytes in hex, and the file lives
at `<folder>/<first two hex digits>/<key>`. The same bytes are stored once. A file is written
to a temporary file beside it, then renamed, so it is whole or absent; it never changes after,
so it may be copied at any time (a backup). A key is checked before any path is made of it:
64 lowercase hex digits, nothing else, so no key reaches outside the folder.

Which files are still needed is the database's to say (bot/store/media.py, and
bot/services/media.py for the rules). Each store or touch stamps the file with the clock's time,
so the sweep of files no row names can spare the recent ones (a draft's photos are stored before
a row names them).

Files and folders are made private to the bot's user (0600, 0700): they are personal data.
The blocking file work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from bot.clock import Clock, SystemClock

MediaKind = Literal["photo", "voice"]
# What a file's first bytes say it is: photos (a campaign's may be a PNG), voice notes (Ogg
# from Telegram, MP4 audio, MP3 or AMR elsewhere).
_IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
                (b"GIF8", "image/gif"), (b"RIFF", "image/webp"))
_AUDIO_TYPES = ((b"OggS", "audio/ogg"), (b"ID3", "audio/mpeg"), (b"\xff\xfb", "audio/mpeg"),
                (b"\xff\xf3", "audio/mpeg"), (b"\xff\xf2", "audio/mpeg"),
                (b"#!AMR", "audio/amr"))
HEAD_BYTES = 12  # enough of a file's start for `image_type_of` and `audio_type_of`


def image_type_of(head: bytes) -> str | None:
    """The image type a file's first bytes show; None for anything else."""
    return next((kind for magic, kind in _IMAGE_TYPES if head.startswith(magic)), None)


def audio_type_of(head: bytes) -> str | None:
    """The audio type a file's first bytes show; None for anything else."""
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    return next((kind for magic, kind in _AUDIO_TYPES if head.startswith(magic)), None)
_KEY = re.compile(r"[0-9a-f]{64}")
_TEMP = ".tmp"  # the suffix of a file being written


class InvalidMediaKey(ValueError):
    """A key that is not 64 lowercase hex digits (and so never a path)."""


@dataclass(frozen=True, slots=True)
class MediaRef:
    """What was stored: the key to record, and what the caller said it was."""

    key: str
    kind: MediaKind
    content_type: str  # as the channel declared it: image/jpeg, audio/ogg …
    size: int


@dataclass(frozen=True, slots=True)
class Usage:
    files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class Mirrored:
    """What a mirror did: files copied (and their bytes), wanted keys absent here, files
    removed from the copy because they are no longer wanted."""

    copied: int
    bytes: int
    missing: int
    removed: int


def check_key(key: str) -> str:
    """`key` if it is one (64 lowercase hex digits); InvalidMediaKey otherwise."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidMediaKey(f"not a media key: {key!r}")
    return key


def is_key(text: str) -> bool:
    return bool(_KEY.fullmatch(text))


class MediaStore:
    def __init__(self, folder: Path, clock: Clock | None = None) -> None:
        self.folder = folder
        self._clock = clock or SystemClock()

    def path(self, key: str) -> Path:
        """Where the file of `key` is (or would be): for uploading it, or reading it."""
        check_key(key)
        return self.folder / key[:2] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    async def put(self, data: bytes, kind: MediaKind, content_type: str) -> MediaRef:
        """Store `data` (once for the same bytes) and return its key."""
        key = await asyncio.to_thread(self._write, data)
        return MediaRef(key, kind, content_type, len(data))

    async def image_type(self, key: str) -> str:
        """The content type of the photo stored under `key`, from its first bytes."""

        return image_type_of(await self.head(key)) or "image/jpeg"

    async def head(self, key: str) -> bytes:
        """The first HEAD_BYTES of the file stored under `key`."""

        def read() -> bytes:
            with self.path(key).open("rb") as file:
                return file.read(HEAD_BYTES)

        return await asyncio.to_thread(read)

    async def read(self, key: str) -> bytes:
        """The bytes of `key`; FileNotFoundError when it is not stored."""
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def delete(self, key: str) -> bool:
        """Remove the file of `key`; False when there was none."""
        path = self.path(key)

        def remove() -> bool:
            try:
                path.unlink()
            except FileNotFoundError:
                return False
            return True

        return await asyncio.to_thread(remove)

    async def keys(self) -> list[str]:
        """Every stored key."""
        return await asyncio.to_thread(lambda: [key for key, _ in self._files()])

    async def missing(self, keys: Collection[str]) -> list[str]:
        """The keys of `keys` not stored here."""
        return await asyncio.to_thread(lambda: sorted(k for k in keys if not self.exists(k)))

    async def usage(self) -> Usage:
        def count() -> Usage:
            sizes = [path.stat().st_size for _, path in self._files()]
            return Usage(len(sizes), sum(sizes))

        return await asyncio.to_thread(count)

    async def orphans(self, referenced: Collection[str], older_than: datetime) -> list[str]:
        """The keys no one needs (not in `referenced`) whose file was stored or touched before
        `older_than`."""
        limit = older_than.timestamp()

        def find() -> list[str]:
            return [key for key, path in self._files()
                    if key not in referenced and _mtime(path) < limit]

        return await asyncio.to_thread(find)

    async def sweep(self, referenced: Collection[str], older_than: datetime) -> int:
        """Remove the orphans (see `orphans`) and what interrupted writes left behind before
        `older_than`; how many files went."""
        limit = older_than.timestamp()
        orphans = await self.orphans(referenced, older_than)

        def remove() -> int:
            gone = 0
            stale = [p for p in self._temporaries() if _mtime(p) < limit]
            for path in [self.path(key) for key in orphans] + stale:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    gone += 1
            return gone

        return await asyncio.to_thread(remove)

    async def mirror(self, keys: Collection[str], target: MediaStore) -> Mirrored:
        """Make `target` hold exactly the files of `keys` (those stored here): copy what it
        lacks, remove what it has beyond them. Files never change, so a file already there is
        kept as it is."""

        def copy() -> Mirrored:
            copied = size = missing = 0
            for key in keys:
                if target.exists(key):
                    continue
                try:
                    data = self.path(key).read_bytes()
                except FileNotFoundError:
                    missing += 1
                    continue
                target._write(data)
                copied, size = copied + 1, size + len(data)
            removed = 0
            for key, path in list(target._files()):
                if key not in keys:
                    path.unlink()
                    removed += 1
            return Mirrored(copied, size, missing, removed)

        return await asyncio.to_thread(copy)

    # --- inside (blocking) --------------------------------------------------------------------

    def _write(self, data: bytes) -> str:
        key = hashlib.sha256(data).hexdigest()
        target = self.path(key)
        stamp = self._clock.now().timestamp()
        try:
            os.utime(target, (stamp, stamp))  # the same bytes, stored before: needed anew
        except FileNotFoundError:
            pass
        else:
            return key
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=_TEMP,
                                             dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.utime(temporary, (stamp, stamp))
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return key

    def _files(self) -> Iterator[tuple[str, Path]]:
        for path in self._in_fans():
            if is_key(path.name) and path.name[:2] == path.parent.name:
                yield path.name, path

    def _temporaries(self) -> Iterator[Path]:
        return (path for path in self._in_fans()
                if path.name.startswith(".") and path.name.endswith(_TEMP))

    def _in_fans(self) -> Iterator[Path]:
        """Every file in the two-hex-digit folders (none when the folder does not exist)."""
        if not self.folder.is_dir():
            return
        for fan in sorted(self.folder.iterdir()):
            if fan.is_dir() and re.fullmatch(r"[0-9a-f]{2}", fan.name):
                yield from (path for path in fan.iterdir() if path.is_file())


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # gone meanwhile: nothing to remove
