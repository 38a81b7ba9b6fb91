"""The media store on a real folder: content addressing, atomic writes, keys that cannot leave
the folder, orphans and their sweep, and mirroring (the backup's copy)."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.media import InvalidMediaKey, MediaStore, check_key

JPEG = b"\xff\xd8\xff\xe0" + b"photo one" * 100
OGG = b"OggS" + b"voice" * 100


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def media(tmp_path: Path, clock: FakeClock) -> MediaStore:
    return MediaStore(tmp_path / "data" / "media", clock)


async def test_put_stores_the_bytes_under_their_sha256_once(media: MediaStore) -> None:
    ref = await media.put(JPEG, "photo", "image/jpeg")
    assert ref.key == hashlib.sha256(JPEG).hexdigest()
    assert (ref.kind, ref.content_type, ref.size) == ("photo", "image/jpeg", len(JPEG))
    assert media.path(ref.key) == media.folder / ref.key[:2] / ref.key
    assert media.exists(ref.key) and await media.read(ref.key) == JPEG
    again = await media.put(JPEG, "photo", "image/jpeg")
    assert again.key == ref.key
    assert await media.keys() == [ref.key]
    usage = await media.usage()
    assert (usage.files, usage.bytes) == (1, len(JPEG))
    # Personal data: only the bot's user may read it; no temporary file is left.
    assert stat.S_IMODE(media.path(ref.key).stat().st_mode) == 0o600
    assert stat.S_IMODE(media.path(ref.key).parent.stat().st_mode) == 0o700
    assert [p.name for p in media.path(ref.key).parent.iterdir()] == [ref.key]


@pytest.mark.parametrize("key", [
    "../x", "", "A" * 64, "0" * 63, "0" * 65, "../" + "0" * 61, "0" * 62 + "/x", "g" * 64,
    "/etc/passwd", "0" * 64 + "\n",
])
async def test_a_key_that_is_not_64_hex_digits_is_refused_before_any_path(
    media: MediaStore, key: str
) -> None:
    with pytest.raises(InvalidMediaKey):
        check_key(key)
    with pytest.raises(InvalidMediaKey):
        media.path(key)
    with pytest.raises(InvalidMediaKey):
        await media.read(key)
    with pytest.raises(InvalidMediaKey):
        await media.delete(key)


async def test_read_and_delete_of_a_key_not_stored(media: MediaStore) -> None:
    key = "ab" * 32
    assert not media.exists(key)
    with pytest.raises(FileNotFoundError):
        await media.read(key)
    assert await media.delete(key) is False
    assert await media.keys() == [] and (await media.usage()).files == 0


async def test_orphans_spare_what_is_named_and_what_is_recent(
    media: MediaStore, clock: FakeClock
) -> None:
    old = await media.put(JPEG, "photo", "image/jpeg")
    named = await media.put(OGG, "voice", "audio/ogg")
    clock.advance(timedelta(days=2))
    recent = await media.put(b"a draft's photo", "photo", "image/jpeg")
    (media.folder / "ab").mkdir()
    leftover = media.folder / "ab" / ".abababab.x1.tmp"  # an interrupted write
    leftover.write_bytes(b"half")
    stamp = (clock.now() - timedelta(days=3)).timestamp()
    os.utime(leftover, (stamp, stamp))
    (media.folder / "README").write_text("not ours", encoding="utf-8")
    cutoff = clock.now() - timedelta(days=1)
    assert await media.orphans({named.key}, cutoff) == [old.key]
    assert await media.sweep({named.key}, cutoff) == 2
    assert sorted(await media.keys()) == sorted([named.key, recent.key])
    assert not leftover.exists() and (media.folder / "README").exists()


async def test_storing_the_same_bytes_again_makes_the_file_recent(
    media: MediaStore, clock: FakeClock
) -> None:
    ref = await media.put(JPEG, "photo", "image/jpeg")
    clock.advance(timedelta(days=2))
    await media.put(JPEG, "photo", "image/jpeg")  # a new draft needs it again
    assert await media.orphans(set(), clock.now() - timedelta(days=1)) == []
    assert media.exists(ref.key)


async def test_mirror_copies_what_is_wanted_and_drops_the_rest(
    media: MediaStore, tmp_path: Path
) -> None:
    one = await media.put(JPEG, "photo", "image/jpeg")
    two = await media.put(OGG, "voice", "audio/ogg")
    copy = MediaStore(tmp_path / "backup.media")
    stale = await copy.put(b"erased since the last backup", "photo", "image/jpeg")
    absent = "cd" * 32
    done = await media.mirror({one.key, two.key, absent}, copy)
    assert (done.copied, done.bytes, done.missing, done.removed) == (
        2, len(JPEG) + len(OGG), 1, 1)
    assert sorted(await copy.keys()) == sorted([one.key, two.key])
    assert await copy.read(two.key) == OGG and not copy.exists(stale.key)
    again = await media.mirror({one.key}, copy)
    assert (again.copied, again.removed) == (0, 1)
