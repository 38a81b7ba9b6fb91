"""User-facing texts from content/locales/<lang>.toml, with {named} placeholders."""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.text import nfc

LANGUAGES = ("vi", "en")
_FORMATTER = string.Formatter()


class I18nError(Exception):
    pass


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = nfc(value)
        else:
            raise I18nError(f"{name}: texts are strings, got {type(value).__name__}")
    return flat


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in _FORMATTER.parse(text) if field}


@dataclass(frozen=True)
class I18n:
    texts: Mapping[str, Mapping[str, str]]
    default: str = "vi"

    @classmethod
    def load(cls, folder: Path, default: str = "vi") -> I18n:
        texts: dict[str, dict[str, str]] = {}
        for language in LANGUAGES:
            path = folder / "locales" / f"{language}.toml"
            try:
                texts[language] = _flatten(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, tomllib.TOMLDecodeError) as error:
                raise I18nError(f"{path}: {error}") from None
        return cls(texts, default)

    def language(self, preferred: str | None, telegram_code: str | None = None) -> str:
        """The language to answer in: the resident's choice, else Telegram's, else default."""
        for candidate in (preferred, (telegram_code or "")[:2].lower()):
            if candidate and candidate in self.texts:
                return candidate
        return self.default

    def t(self, language: str, key: str, **values: object) -> str:
        """The text `key` in `language` (falling back to the default), formatted."""
        table = self.texts.get(language, self.texts[self.default])
        template = table.get(key) or self.texts[self.default].get(key)
        if template is None:
            raise KeyError(f"no text {key!r} in content/locales")
        return template.format(**values) if values else template

    def all(self, key: str) -> dict[str, str]:
        """The text `key` in every language (for command menus and accent-free matching)."""
        return {language: table[key] for language, table in self.texts.items() if key in table}
