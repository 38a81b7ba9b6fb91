"""Incident categories (content/categories.toml): name, urgency, emergency number."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.catalog import CatalogError, read_toml
from bot.text import matches

URGENCIES = ("critical", "high", "normal")


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    names: dict[str, str]
    emoji: str
    urgency: str
    emergency: str

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["vi"]

    def label(self, language: str) -> str:
        return f"{self.emoji} {self.name(language)}".strip()


@dataclass(frozen=True)
class Categories:
    items: dict[str, Category]

    @classmethod
    def load(cls, folder: Path) -> Categories:
        path = folder / "categories.toml"
        items: dict[str, Category] = {}
        for index, entry in enumerate(read_toml(path).get("category", []), start=1):
            category = _category(f"{path}: [[category]] #{index}", entry)
            if category.code in items:
                raise CatalogError(f"{path}: category {category.code!r} appears twice")
            items[category.code] = category
        if not items:
            raise CatalogError(f"{path}: no [[category]] entries")
        return cls(items)

    def get(self, code: str) -> Category | None:
        return self.items.get(code)

    def name(self, code: str, language: str) -> str:
        category = self.items.get(code)
        return category.name(language) if category else code

    def match(self, typed: str) -> Category | None:
        """The one category the typed words name (accent-insensitive), else None."""
        found = [c for c in self.items.values()
                 if any(matches(name, typed) for name in c.names.values())]
        return found[0] if len(found) == 1 else None


def _category(where: str, entry: dict[str, object]) -> Category:
    code = entry.get("code")
    if not isinstance(code, str) or not code:
        raise CatalogError(f"{where}: code must be a non-empty string")
    names = {lang: entry.get(f"name_{lang}") for lang in ("vi", "en")}
    if not all(isinstance(n, str) and n for n in names.values()):
        raise CatalogError(f"{where} ({code}): name_vi and name_en are required strings")
    urgency = entry.get("urgency", "normal")
    if urgency not in URGENCIES:
        raise CatalogError(f"{where} ({code}): urgency must be one of {', '.join(URGENCIES)}")
    emoji, emergency = entry.get("emoji", ""), entry.get("emergency", "")
    if not isinstance(emoji, str) or not isinstance(emergency, str):
        raise CatalogError(f"{where} ({code}): emoji and emergency are strings")
    return Category(code, {k: str(v) for k, v in names.items()}, emoji, str(urgency), emergency)
