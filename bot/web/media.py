"""Media by URL: a photo in the media store gets an address only anninh can make (an HMAC of
its key and an expiry, with this database's own secret) and that stops working after `ttl`."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

from bot.clock import Clock
from bot.media import InvalidMediaKey, check_key

LINK_TTL = timedelta(days=3)  # long enough for a message's retries, short enough to expire


class MediaLinks:
    def __init__(self, secret: bytes, public_url: str, clock: Clock) -> None:
        self._secret, self._clock = secret, clock
        self.base = public_url.rstrip("/")

    def url(self, key: str, ttl: timedelta = LINK_TTL) -> str:
        expires = int((self._clock.now() + ttl).timestamp())
        return f"{self.base}/media/{key}.{expires}.{self._sign(key, expires)}"

    def url_of_path(self, path: str, folder: Path) -> str | None:
        """The URL of a file in the media folder (its name is its key); None for any other."""
        file = Path(path).resolve()
        if file.parent.parent != folder.resolve():
            return None
        try:
            return self.url(check_key(file.name))
        except InvalidMediaKey:
            return None

    def key_of(self, token: str) -> str | None:
        """The media key an address names, if anninh made it and it has not expired."""
        key, _, rest = token.partition(".")
        stamp, _, signature = rest.partition(".")
        if not stamp.isdigit() or len(stamp) > 12:
            return None
        if not hmac.compare_digest(signature, self._sign(key, int(stamp))):
            return None
        if int(stamp) < self._clock.now().timestamp():
            return None
        try:
            return check_key(key)
        except InvalidMediaKey:
            return None

    def _sign(self, key: str, expires: int) -> str:
        digest = hmac.new(self._secret, f"{key}.{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()
