"""Bot API methods that send messages: text, media, locations, polls, copies and forwards."""

from __future__ import annotations

import struct
from typing import Any

from bot.sandbox.api_base import TEXT_LIMIT, ApiBase, public, text_fields
from bot.sandbox.params import Params, Upload
from bot.sandbox.world import StoredFile, bad_request

JSON = dict[str, Any]

_PHOTO_STEPS = (90, 320, 800, 1280)
_MEDIA_DEFAULTS: dict[str, JSON] = {
    "video": {"width": 640, "height": 360, "duration": 1},
    "animation": {"width": 320, "height": 240, "duration": 1},
    "audio": {"duration": 1},
    "voice": {"duration": 1},
    "video_note": {"length": 240, "duration": 1},
    "sticker": {
        "width": 512,
        "height": 512,
        "type": "regular",
        "is_animated": False,
        "is_video": False,
    },
}


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, read from its header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + int(length)
    return None


def photo_sizes(stored: StoredFile, width: int, height: int) -> list[JSON]:
    """PhotoSize list like Telegram's: thumbnails up to the original size, largest last."""
    longest = max(width, height, 1)
    steps = [step for step in _PHOTO_STEPS if step < longest] + [longest]
    sizes = []
    for index, step in enumerate(steps):
        scale = step / longest
        last = index == len(steps) - 1
        suffix = "" if last else f"_{step}"
        size = len(stored.data) if last else max(1, round(len(stored.data) * scale**2))
        sizes.append(
            {
                "file_id": stored.file_id + suffix,
                "file_unique_id": stored.file_unique_id + suffix,
                "width": max(1, round(width * scale)),
                "height": max(1, round(height * scale)),
                "file_size": size,
            }
        )
    return sizes


class SendApi(ApiBase):
    async def api_sendMessage(self, p: Params) -> JSON:
        state = self.target(p)
        raw = p.string("text") or ""
        if not raw.strip():
            raise bad_request("message text is empty")
        text, entities = self.formatted(p, raw, limit=TEXT_LIMIT, too_long="message is too long")
        if not text.strip():
            raise bad_request("message text is empty")
        return self.send(state, p, text_fields(text, entities))

    async def api_sendPhoto(self, p: Params) -> JSON:
        state = self.target(p)
        return self.send(state, p, {"photo": self.photo(p.file("photo")), **self.caption(p)})

    def photo(self, source: Upload | str | None) -> list[JSON]:
        if isinstance(source, Upload):
            stored = self.world.store_file(source.data, "photos", ".jpg")
            width, height = image_size(source.data) or (1280, 960)
            sizes = photo_sizes(stored, width, height)
            for size in sizes[:-1]:
                self.world.files[size["file_id"]] = stored
            self.world.media[stored.file_id] = {"photo": sizes}
            return sizes
        known = self.known_file(source, "photo").get("photo")
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return list(known)

    def known_file(self, source: str | None, field: str) -> JSON:
        """Media sent before (by file_id) or a URL Telegram would fetch."""
        if not source:
            raise bad_request(f"there is no {field} in the request")
        stored = self.world.files.get(source)
        if stored is not None:
            return self.world.media.get(stored.file_id) or {}
        if source.startswith(("http://", "https://")):
            stored = self.world.store_file(b"", f"{field}s", "")
            meta: JSON = (
                {"photo": photo_sizes(stored, 1280, 960)}
                if field == "photo"
                else {field: self.file_meta(stored, field, source.rsplit("/", 1)[-1])}
            )
            self.world.media[stored.file_id] = meta
            return meta
        raise bad_request("wrong file identifier/HTTP URL specified")

    def file_meta(self, stored: StoredFile, kind: str, filename: str, mime: str = "") -> JSON:
        meta: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if kind in ("document", "audio", "video", "animation"):
            meta["file_name"] = filename
            meta["mime_type"] = mime or "application/octet-stream"
        meta.update(_MEDIA_DEFAULTS.get(kind, {}))
        return meta

    def media_file(self, source: Upload | str | None, kind: str) -> JSON:
        if isinstance(source, Upload):
            suffix = "." + source.filename.rsplit(".", 1)[-1] if "." in source.filename else ""
            stored = self.world.store_file(source.data, f"{kind}s", suffix)
            meta = self.file_meta(stored, kind, source.filename, source.content_type)
            self.world.media[stored.file_id] = {kind: meta}
            return meta
        known = self.known_file(source, kind).get(kind)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        result: JSON = known
        return result

    async def api_sendDocument(self, p: Params) -> JSON:
        return await self._media(p, "document")

    async def api_sendVideo(self, p: Params) -> JSON:
        return await self._media(p, "video")

    async def api_sendAudio(self, p: Params) -> JSON:
        return await self._media(p, "audio")

    async def api_sendVoice(self, p: Params) -> JSON:
        return await self._media(p, "voice")

    async def api_sendAnimation(self, p: Params) -> JSON:
        return await self._media(p, "animation")

    async def api_sendSticker(self, p: Params) -> JSON:
        return await self._media(p, "sticker")

    async def _media(self, p: Params, kind: str) -> JSON:
        state = self.target(p)
        fields = {} if kind == "sticker" else self.caption(p)
        return self.send(state, p, {kind: self.media_file(p.file(kind), kind), **fields})

    async def api_sendMediaGroup(self, p: Params) -> list[JSON]:
        state = self.target(p)
        items = p.obj("media")
        if not isinstance(items, list) or not 2 <= len(items) <= 10:
            raise bad_request("media must include 2-10 items")
        group_id = str(self.world.next_id())
        sent = []
        for item in items:
            kind = str(item.get("type", ""))
            item_params = Params({**p.raw, **{k: v for k, v in item.items() if k != "type"}})
            source = item_params.file("media")
            content: JSON = (
                {"photo": self.photo(source)}
                if kind == "photo"
                else {kind: self.media_file(source, kind)}
            )
            content.update(self.caption(item_params))
            content["media_group_id"] = group_id
            sent.append(self.send(state, p, content))
        return sent

    async def api_sendLocation(self, p: Params) -> JSON:
        state = self.target(p)
        latitude, longitude = p.number("latitude"), p.number("longitude")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong latitude or longitude")
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if "live_period" in p:
            location["live_period"] = p.integer("live_period")
        return self.send(state, p, {"location": location})

    async def api_sendContact(self, p: Params) -> JSON:
        state = self.target(p)
        contact: JSON = {
            "phone_number": p.require_str("phone_number", "phone number is empty"),
            "first_name": p.require_str("first_name", "first name is empty"),
        }
        return self.send(state, p, {"contact": contact})

    async def api_sendPoll(self, p: Params) -> JSON:
        state = self.target(p)
        question = p.require_str("question", "poll question must be non-empty")
        if not 1 <= len(question) <= 300:
            raise bad_request("poll question length must not exceed 300")
        raw_options = p.obj("options") or []
        options = [o["text"] if isinstance(o, dict) else str(o) for o in raw_options]
        if not 2 <= len(options) <= 12:
            raise bad_request("poll must have at least 2 option")
        kind = p.string("type") or "regular"
        poll_id = self.world.next_id()
        poll: JSON = {
            "id": str(poll_id),
            "question": question,
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": f"{poll_id}-{index}"}
                for index, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": p.flag("is_closed"),
            "is_anonymous": p.flag("is_anonymous") if "is_anonymous" in p else True,
            "type": kind,
            "allows_multiple_answers": p.flag("allows_multiple_answers"),
            "allows_revoting": p.flag("allows_revoting"),
            "members_only": p.flag("members_only"),
        }
        if kind == "quiz":
            # Bot API 9.6 replaced correct_option_id with the list correct_option_ids
            correct = p.obj("correct_option_ids")
            if correct is None and "correct_option_id" in p:
                correct = [p.integer("correct_option_id")]
            if not correct or not all(
                isinstance(i, int) and 0 <= i < len(options) for i in correct
            ):
                raise bad_request("wrong correct option ID specified")
            poll["correct_option_ids"] = list(correct)
            explanation = p.string("explanation")
            if explanation:
                text, entities = self.formatted(
                    p, explanation, limit=200, too_long="explanation is too long",
                    prefix="explanation_",
                )
                poll["explanation"] = text
                if entities:
                    poll["explanation_entities"] = entities
        return self.send(state, p, {"poll": poll})

    def source(self, p: Params, not_found: str) -> JSON:
        origin = self.lookup_chat(p, "from_chat_id")
        message = self.world.message(origin.id, p.require_int("message_id", not_found))
        if message is None:
            raise bad_request(not_found)
        return message

    async def api_copyMessage(self, p: Params) -> JSON:
        state = self.target(p)
        original = self.source(p, "message to copy not found")
        content = _content(original)
        if "caption" in p:
            content = {k: v for k, v in content.items() if not k.startswith("caption")}
            content.update(self.caption(p))
        message = self.send(state, p, content)
        return {"message_id": message["message_id"]}

    async def api_forwardMessage(self, p: Params) -> JSON:
        state = self.target(p)
        original = self.source(p, "message to forward not found")
        if original.get("has_protected_content"):
            raise bad_request("message can't be forwarded")
        origin: JSON = {"type": "user", "sender_user": original["from"], "date": original["date"]}
        if original["chat"]["type"] != "private":
            origin = {"type": "chat", "sender_chat": original["chat"], "date": original["date"]}
        content = {**_content(original), "forward_origin": origin}
        return self.send(state, Params({k: v for k, v in p.raw.items() if k != "reply_markup"}),
                         content)


_COPIED = (
    "message_id",
    "from",
    "chat",
    "date",
    "reply_to_message",
    "reply_markup",
    "edit_date",
    "forward_origin",
    "media_group_id",
    "has_protected_content",
)


def _content(message: JSON) -> JSON:
    return {k: v for k, v in public(message).items() if k not in _COPIED}
