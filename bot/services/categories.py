"""Incident categories (content/categories.toml): name, urgency, emergency number."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.catalog import CatalogError, read_toml
from bot.text import fold, matches

URGENCIES = ("critical", "high", "normal")


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    names: dict[str, str]
    emoji: str
    urgency: str
    emergency: str
    words: tuple[str, ...] = ()  # what residents type for it besides its names

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["vi"]

    def label(self, language: str) -> str:
        return f"{self.emoji} {self.name(language)}".strip()

    def score(self, said: set[str]) -> int:
        """How many of the typed words (folded) name this category: the words of a name, and
        of each phrase of `words` typed whole."""
        phrases = [fold(phrase).split() for phrase in self.words]
        phrases += [[word] for name in self.names.values() for word in fold(name).split()
                    if word.isalnum()]
        covered = {word for words in phrases if words and set(words) <= said for word in words}
        return len(covered)


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
        """The one category the typed text names (accent-insensitive), else None: a part of
        one name ("trom cap", "cháy"), else the category whose names' words and `words`
        cover most of the typed words ("trộm xe" → Trộm cắp; "đánh bạc" → Cờ bạc, not
        Đánh nhau); a tie is no answer."""
        found = [c for c in self.items.values()
                 if any(matches(name, typed) for name in c.names.values())]
        if len(found) == 1:
            return found[0]
        said = set(fold(typed).split())
        scores = sorted(((c.score(said), c.code) for c in self.items.values()), reverse=True)
        best, runner_up = scores[0][0], scores[1][0] if len(scores) > 1 else 0
        return self.items[scores[0][1]] if best > runner_up else None


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
    words = entry.get("words", [])
    if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
        raise CatalogError(f"{where} ({code}): words must be a list of non-empty strings")
    return Category(code, {k: str(v) for k, v in names.items()}, emoji, str(urgency), emergency,
                    tuple(words))
