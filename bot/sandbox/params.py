"""Typed access to Bot API request parameters, however they arrived.

PTB sends a form (multipart when files go along) in which every non-string value is JSON-encoded;
other clients send JSON bodies or query strings. Values are decoded lazily by the type the method
expects, so a text of "123" stays a string while a chat_id of "123" becomes an int.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.sandbox.world import bad_request

JSON = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart body."""

    field: str
    filename: str
    content_type: str
    data: bytes


class Params:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) not in (None, "")

    def _decoded(self, name: str) -> Any:
        value = self.raw.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, Upload):
            raise bad_request(f"{name} must be a string")
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, name: str, missing: str) -> str:
        value = self.string(name)
        if value is None:
            raise bad_request(missing)
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self._decoded(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise bad_request(f"{name} must be a number")
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"{name} must be a number") from None

    def require_int(self, name: str, missing: str | None = None) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(missing or f"{name} is empty")
        return value

    def number(self, name: str) -> float:
        value = self._decoded(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise bad_request(f"{name} must be a number")
        return float(value)

    def flag(self, name: str) -> bool:
        value = self._decoded(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def obj(self, name: str) -> Any:
        """A JSON object or array (reply_markup, entities, media, scope …)."""
        value = self._decoded(name)
        if isinstance(value, str) and value:
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def file(self, name: str) -> Upload | str | None:
        """An uploaded file, a file_id or URL, resolving `attach://field` references."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.raw.get(value[len("attach://") :])
            if value is None:
                raise bad_request(f"can't find attached file for {name}")
        if value is None or isinstance(value, Upload | str):
            return value
        raise bad_request(f"wrong {name} specified")

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self._decoded(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.startswith("@"):
            return value
        raise bad_request("chat not found")
