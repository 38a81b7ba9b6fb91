"""Telegram's side of the media store (bot/media.py, bot/services/media.py).

What a person sends is downloaded into the store at once (getFile, then the file URL), its
declared size checked first. What the bot sends from the store goes by Telegram's file id where
one is cached, else is uploaded from the store (media that came through another channel); the
ids Telegram gives the uploads are handed back, to be cached.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Audio, Bot, InputMediaPhoto, Message, PhotoSize, Voice
from telegram.error import TelegramError

from bot.media import MediaKind, MediaStore
from bot.models import Report, ReportPhoto
from bot.services.media import Fetch, MediaService, MediaUnavailable, Stored

log = logging.getLogger(__name__)

ALBUM = 10  # photos in one Telegram album


def fetch(bot: Bot, file_id: str) -> Fetch:
    """The download of a file a person sent; MediaUnavailable when Telegram or the network
    refuses it."""

    async def download() -> bytes:
        try:
            found = await bot.get_file(file_id)
            return bytes(await found.download_as_bytearray())
        except TelegramError as error:
            raise MediaUnavailable(f"{file_id}: {type(error).__name__}: {error}") from error

    return download


async def keep(
    media: MediaService, bot: Bot, kind: MediaKind, file: PhotoSize | Voice | Audio
) -> Stored:
    """Download a photo (pass its largest size) or a voice note into the store."""
    mime = None if isinstance(file, PhotoSize) else file.mime_type
    content_type = mime or ("image/jpeg" if kind == "photo" else "audio/ogg")
    return await media.keep(kind, fetch(bot, file.file_id), size=file.file_size,
                            content_type=content_type)


@dataclass(frozen=True)
class SentMedia:
    """The messages sent, and Telegram's ids for what was uploaded (to cache)."""

    message_ids: list[int]
    uploaded_photos: list[ReportPhoto]
    uploaded_voice: str | None


async def send_report_media(
    bot: Bot, files: MediaStore, report: Report, photos: Sequence[ReportPhoto], chat_id: int,
    reply_to: int,
) -> SentMedia:
    """A report's photos (one album) and voice note, as replies to `reply_to`; TelegramError
    when Telegram refuses them. A photo whose file is neither cached nor stored is left out."""
    sources = [(photo, source) for photo in photos[:ALBUM]
               if (source := await _source(files, photo.file_id, photo.media_key)) is not None]
    sent: list[Message] = []
    if len(sources) == 1:
        sent.append(await bot.send_photo(chat_id, sources[0][1], reply_to_message_id=reply_to))
    elif sources:
        sent.extend(await bot.send_media_group(
            chat_id, [InputMediaPhoto(source) for _, source in sources],
            reply_to_message_id=reply_to))
    uploaded = [ReportPhoto(message.photo[-1].file_id, message.photo[-1].file_unique_id,
                            photo.media_key)
                for (photo, source), message in zip(sources, sent, strict=True)
                if isinstance(source, bytes) and message.photo]
    voice = await _source(files, report.voice_file_id, report.voice_media_key)
    uploaded_voice = None
    if voice is not None:
        message = await bot.send_voice(chat_id, voice, reply_to_message_id=reply_to)
        sent.append(message)
        if isinstance(voice, bytes) and message.voice is not None:
            uploaded_voice = message.voice.file_id
    return SentMedia([m.message_id for m in sent], uploaded, uploaded_voice)


async def _source(files: MediaStore, file_id: str | None, key: str | None) -> str | bytes | None:
    """What to hand PTB: Telegram's cached id, else the stored bytes to upload."""
    if file_id:
        return file_id
    if key is None:
        return None
    try:
        return await files.read(key)
    except OSError:
        log.warning("the media file %s is missing from %s", key, files.folder)
        return None
