"""Content that is data: team kinds and resident tags (content/*.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class CatalogError(Exception):
    """A content file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Named:
    """A coded item with a name per language (a team kind, a tag)."""

    code: str
    names: dict[str, str]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["vi"]


CAP_CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env",
                  "Transport", "Infra", "CBRNE", "Other")
CAP_URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
CAP_SEVERITY = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CAP_CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


@dataclass(frozen=True, slots=True)
class AlarmKind:
    """A kind of security-gong alarm, with its CAP 1.2 classification."""

    code: str
    emoji: str
    names: dict[str, str]
    cap_category: str
    cap_event: str
    urgency: str
    severity: str
    certainty: str
    emergency: str = ""  # the number to call as well ("114" for a fire)

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["vi"]


@dataclass(frozen=True)
class Catalog:
    team_kinds: dict[str, Named]
    tags: dict[str, Named]
    alarm_kinds: dict[str, AlarmKind]

    @classmethod
    def load(cls, folder: Path) -> Catalog:
        return cls(
            team_kinds=_named(folder / "team_kinds.toml", "kind"),
            tags=_named(folder / "tags.toml", "tag"),
            alarm_kinds=_alarm_kinds(folder / "alarm_kinds.toml"),
        )

    def kind_name(self, code: str, language: str) -> str:
        kind = self.team_kinds.get(code)
        return kind.name(language) if kind else code


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise CatalogError(f"{path}: {error}") from None


def _named(path: Path, table: str) -> dict[str, Named]:
    items: dict[str, Named] = {}
    for index, entry in enumerate(read_toml(path).get(table, []), start=1):
        where = f"{path}: [[{table}]] #{index}"
        code = entry.get("code")
        if not isinstance(code, str) or not code:
            raise CatalogError(f"{where}: code must be a non-empty string")
        if code in items:
            raise CatalogError(f"{where}: code {code!r} appears twice")
        names = {lang: entry.get(f"name_{lang}") for lang in ("vi", "en")}
        if not all(isinstance(name, str) and name for name in names.values()):
            raise CatalogError(f"{where} ({code}): name_vi and name_en are required strings")
        items[code] = Named(code, {lang: str(name) for lang, name in names.items()})
    return items


def _alarm_kinds(path: Path) -> dict[str, AlarmKind]:
    kinds: dict[str, AlarmKind] = {}
    allowed = {"cap_category": CAP_CATEGORIES, "urgency": CAP_URGENCY,
               "severity": CAP_SEVERITY, "certainty": CAP_CERTAINTY}
    for code, named in _named(path, "kind").items():
        entry = next(e for e in read_toml(path)["kind"] if e.get("code") == code)
        for key, choices in allowed.items():
            if entry.get(key) not in choices:
                raise CatalogError(f"{path}: kind {code!r}: {key} must be one of {choices}")
        kinds[code] = AlarmKind(
            code=code, emoji=str(entry.get("emoji", "🔔")), names=named.names,
            cap_category=entry["cap_category"], cap_event=str(entry.get("cap_event", code)),
            urgency=entry["urgency"], severity=entry["severity"], certainty=entry["certainty"],
            emergency=str(entry.get("emergency", "")),
        )
    return kinds
