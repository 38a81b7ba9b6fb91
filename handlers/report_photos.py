"""The photos a resident attaches while filing a report (/baotin): the size and count limits,
albums and captions. A photo or a caption is never dropped without the resident being told.

Telegram sends an album as one message per photo, sharing an album id: the rest of an album
may arrive after the step that took its first photo has moved on, so the draft remembers the
album ("album") and whether its photos past the limit were already announced."""

from __future__ import annotations

import enum

from bot.dialog import Kind, Turn

CAPTION_MARK = "📷"


class Kept(enum.Enum):
    ADDED = "added"  # kept, with room for more
    FULL = "full"  # kept, and the draft now holds max_photos
    REFUSED = "refused"  # too large, past the limit, not downloaded (the resident was told)


def in_album(turn: Turn) -> bool:
    """Whether the photo sent belongs to the album a photo of this draft came from."""
    media = turn.input.media
    album = media.album if media is not None else None
    return album is not None and album == turn.data.get("album")


def count(turn: Turn) -> int:
    return len(turn.data.get("photos", []))


async def keep(turn: Turn, *, caption: bool = True) -> Kept:
    """Add the photo sent to the draft (within max_photos and [media] max_photo_bytes, stored
    in the media store), and its caption to the description unless `caption` is False (the
    caller took it already)."""
    media = turn.input.media
    assert turn.kind is Kind.PHOTO and media is not None
    config, draft = turn.services.config.reports, turn.data
    if media.album is not None:
        draft["album"] = media.album
    if count(turn) >= config.max_photos:
        await over_limit(turn)
        return Kept.REFUSED
    stored = await turn.keep_media("photo")
    if stored is None:
        return Kept.REFUSED
    photos: list[list[str | None]] = draft.setdefault("photos", [])
    photos.append([media.cache_id, media.unique, stored.key])
    if caption and turn.text:
        await _add_caption(turn, turn.text)
    return Kept.FULL if len(photos) >= config.max_photos else Kept.ADDED


async def over_limit(turn: Turn) -> None:
    """Say that the photo was not kept: how many were, and the limit (once per album)."""
    media = turn.input.media
    album = media.album if media is not None else None
    if album is not None and turn.data.get("told_full") == album:
        return
    turn.data["told_full"] = album
    await turn.say(turn.t("report.photos_over_limit", kept=count(turn),
                          max=turn.services.config.reports.max_photos))


async def _add_caption(turn: Turn, caption: str) -> None:
    """A photo's caption goes into the description (and so onto the officers' card), marked
    as a photo's; one that would make the description too long is announced instead."""
    limit = turn.services.config.reports.max_text_length
    description = str(turn.data.get("description", ""))
    text = f"{CAPTION_MARK} {caption.strip()}"
    longer = f"{description}\n{text}" if description else text
    if len(longer) > limit:
        await turn.say(turn.t("report.caption_too_long", limit=limit))
        return
    turn.data["description"] = longer
