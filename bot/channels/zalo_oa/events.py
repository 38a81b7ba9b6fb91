"""Zalo OA webhook events → `OaEvent`, and the check of their signature.

The signature (`X-ZEvent-Signature: mac=<hex>`) is the SHA-256 of a first term — the app id,
or where a source says so the OA id (`[zalo_oa] signature_id`) — the raw body, the body's
`timestamp` and the OA secret key, compared in constant time. `parse_event` never raises:
anything it cannot read is kind "other" or None.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard

EventKind = Literal["text", "image", "file", "location", "follow", "unfollow", "contact",
                    "other", "echo", "receipt"]
SIGNATURE_HEADER = "X-ZEvent-Signature"

_OTHER = frozenset({"user_send_sticker", "user_send_audio",
                    "user_send_video", "user_send_link", "user_send_gif",
                    "user_send_business_card"})


@dataclass(frozen=True, slots=True)
class OaEvent:
    kind: EventKind
    name: str  # Zalo's event_name
    oa_id: str
    user_id: str
    msg_id: str  # a stable id for de-duplication (follow/unfollow: made from the event)
    text: str = ""
    url: str = ""  # an image's download address
    location: tuple[float, float] | None = None
    phone: str = ""  # user_submit_info: the number the person put in the OA's form ("84…")
    tracking: str = ""  # user_received_message: the tracking_id of the ZBS template received


def _str(value: Any) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def oa_of(event: dict[str, Any]) -> str:
    """The OA an event is about: the recipient of a follower's message, the sender of the
    OA's own, or `oa_id` (follow, unfollow)."""
    name = _str(event.get("event_name"))
    side = "sender" if name.startswith("oa_send_") else "recipient"
    party = event.get(side)
    found = _str(party.get("id")) if isinstance(party, dict) else ""
    return found or _str(event.get("oa_id"))


def _coordinates(message: dict[str, Any]) -> tuple[float, float] | None:
    for attachment in message.get("attachments") or ():
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        place = payload.get("coordinates") if isinstance(payload, dict) else None
        if not isinstance(place, dict):
            continue
        try:  # Zalo sends them as strings
            lat, lon = float(place.get("latitude")), float(place.get("longitude"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None


def _image(message: dict[str, Any]) -> str:
    for attachment in message.get("attachments") or ():
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if isinstance(payload, dict) and (url := _str(payload.get("url"))):
            return url
    return ""


IMAGE_FILES = (".jpg", ".jpeg", ".png")


def _file(name: str, oa_id: str, user_id: str, msg: str, message: dict[str, Any],
          url: str) -> OaEvent:
    """A file the follower sent: a JPEG or PNG is taken as a photo; anything else is a file
    the bot does not take (its name kept, to say which)."""
    file_name = ""
    for attachment in message.get("attachments") or ():
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if isinstance(payload, dict):
            file_name = _str(payload.get("name"))
            break
    if file_name.lower().endswith(IMAGE_FILES):
        return OaEvent("image", name, oa_id, user_id, msg, _str(message.get("text")), url=url)
    return OaEvent("file", name, oa_id, user_id, msg, file_name or "?", url=url)


def _submitted(event: dict[str, Any], oa_id: str, user_id: str) -> OaEvent | None:
    """The OA's information form, sent back by the person: `info: {name, phone, address…}`
    and no message id (one is made from the event, as for a follow)."""
    info = event.get("info")
    if not user_id or not isinstance(info, dict):
        return None
    stamp = _str(event.get("timestamp"))
    return OaEvent("contact", "user_submit_info", oa_id, user_id,
                   f"user_submit_info:{user_id}:{stamp}", _str(info.get("name")),
                   phone=_str(info.get("phone")))


def _receipt(event: dict[str, Any], name: str, oa_id: str) -> OaEvent:
    """A delivery receipt; only a ZBS template's (its `tracking_id`) is acted on."""
    message, sender = event.get("message"), event.get("sender")
    tracking = _str(message.get("tracking_id")) if isinstance(message, dict) else ""
    tracking = tracking or _str(event.get("tracking_id"))
    user_id = _str(sender.get("id")) if isinstance(sender, dict) else ""
    if name != "user_received_message" or not tracking:
        return OaEvent("receipt", name, oa_id, "", "")
    return OaEvent("receipt", name, oa_id, user_id, f"{name}:{tracking}", tracking=tracking)


def parse_event(event: Any) -> OaEvent | None:
    """The event, or None when it is not one we can read at all."""
    if not isinstance(event, dict):
        return None
    name, oa_id = _str(event.get("event_name")), oa_of(event)
    if not name or not oa_id:
        return None
    if name.startswith("oa_send_"):
        return OaEvent("echo", name, oa_id, "", "")
    if name in ("user_received_message", "user_seen_message"):
        return _receipt(event, name, oa_id)
    if name in ("follow", "unfollow"):
        follower = event.get("follower")
        user_id = _str(follower.get("id")) if isinstance(follower, dict) else ""
        stamp = _str(event.get("timestamp"))
        kind: EventKind = "follow" if name == "follow" else "unfollow"
        return OaEvent(kind, name, oa_id, user_id, f"{name}:{user_id}:{stamp}") if user_id \
            else None
    sender, message = event.get("sender"), event.get("message")
    user_id = _str(sender.get("id")) if isinstance(sender, dict) else ""
    if name == "user_submit_info":
        return _submitted(event, oa_id, user_id)
    if not user_id or not isinstance(message, dict) or not (msg := _str(message.get("msg_id"))):
        return None
    text = _str(message.get("text"))
    if name == "user_send_text":
        return OaEvent("text", name, oa_id, user_id, msg, text)
    if name == "user_send_image" and (url := _image(message)):
        return OaEvent("image", name, oa_id, user_id, msg, text, url=url)
    if name == "user_send_file" and (url := _image(message)):
        return _file(name, oa_id, user_id, msg, message, url)
    if name == "user_send_location" and (place := _coordinates(message)) is not None:
        return OaEvent("location", name, oa_id, user_id, msg, text, location=place)
    if name.startswith("user_") and (name in _OTHER or name.startswith("user_send_")):
        return OaEvent("other", name, oa_id, user_id, msg)
    return None


def acted_on(event: OaEvent | None) -> TypeGuard[OaEvent]:
    """A follower's event the bot acts on: not an echo, an unreadable one, or a receipt other
    than a ZBS template's."""
    if event is None or event.kind == "echo" or not event.user_id:
        return False
    return event.kind != "receipt" or bool(event.tracking)


def expected_signature(first: str, body: bytes, timestamp: str, secret: str) -> str:
    mac = hashlib.sha256(first.encode() + body + timestamp.encode() + secret.encode())
    return f"mac={mac.hexdigest()}"


def signed(header: str | None, first: str, body: bytes, timestamp: str, secret: str) -> bool:
    """Whether `header` is the signature of `body` (constant-time)."""
    if not header or not secret or not timestamp:
        return False
    expected = expected_signature(first, body, timestamp, secret)
    return hmac.compare_digest(header.strip().encode(), expected.encode())
