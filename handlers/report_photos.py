"""The photos a resident attaches while filing a report (/baotin): the size and count limits,
albums and captions. A photo or a caption is never dropped without the resident being told.

Telegram sends an album as one message per photo, sharing a `media_group_id`: the rest of an
album may arrive after the step that took its first photo has moved on, so the draft remembers
the album ("album") and whether its photos past the limit were already announced.

Each photo kept is downloaded into the media store at once (handlers/common.py `keep_media`):
the draft holds [file_id, file_unique_id, media_key] for it.
"""

from __future__ import annotations

import enum
from typing import Any

from telegram import Message, Update

from bot.context import AppContext
from handlers.common import Caller, answer, keep_media

CAPTION_MARK = "📷"


class Kept(enum.Enum):
    ADDED = "added"  # kept, with room for more
    FULL = "full"  # kept, and the draft now holds max_photos
    REFUSED = "refused"  # too large, past the limit, not downloaded (the resident was told)


def in_album(draft: dict[str, Any], message: Message | None) -> bool:
    """Whether `message` belongs to the album a photo of this draft came from."""
    group = message.media_group_id if message is not None else None
    return group is not None and group == draft.get("album")


def count(draft: dict[str, Any]) -> int:
    return len(draft.get("photos", []))


async def keep(
    update: Update, context: AppContext, who: Caller, draft: dict[str, Any], *,
    caption: bool = True,
) -> Kept:
    """Add the message's photo to the draft (within max_photos and [media] max_photo_bytes,
    stored in the media store), and its caption to the description unless `caption` is False
    (the caller took it already)."""
    message = update.effective_message
    assert message is not None and message.photo
    config = context.services.config.reports
    if message.media_group_id is not None:
        draft["album"] = message.media_group_id
    if count(draft) >= config.max_photos:
        await over_limit(update, context, who, draft)
        return Kept.REFUSED
    stored = await keep_media(update, context, who.lang, "photo")
    if stored is None:
        return Kept.REFUSED
    largest = message.photo[-1]
    photos: list[list[str]] = draft.setdefault("photos", [])
    photos.append([largest.file_id, largest.file_unique_id, stored.key])
    if caption and (message.caption or "").strip():
        await _add_caption(update, context, who, draft, message.caption or "")
    return Kept.FULL if len(photos) >= config.max_photos else Kept.ADDED


async def over_limit(
    update: Update, context: AppContext, who: Caller, draft: dict[str, Any]
) -> None:
    """Say that the photo was not kept: how many were, and the limit (once per album)."""
    message = update.effective_message
    group = message.media_group_id if message is not None else None
    if group is not None and draft.get("told_full") == group:
        return
    draft["told_full"] = group
    await answer(update, context, who.lang, "report.photos_over_limit", edit=False,
                 kept=count(draft), max=context.services.config.reports.max_photos)


async def _add_caption(
    update: Update, context: AppContext, who: Caller, draft: dict[str, Any], caption: str
) -> None:
    """A photo's caption goes into the description (and so onto the officers' card), marked
    as a photo's; one that would make the description too long is announced instead."""
    limit = context.services.config.reports.max_text_length
    description = str(draft.get("description", ""))
    text = f"{CAPTION_MARK} {caption.strip()}"
    longer = f"{description}\n{text}" if description else text
    if len(longer) > limit:
        await answer(update, context, who.lang, "report.caption_too_long", edit=False,
                     limit=limit)
        return
    draft["description"] = longer
