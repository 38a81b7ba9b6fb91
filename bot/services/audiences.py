"""Audiences: who in a commune gets a broadcast — from codes (CLI, campaign files) or buttons."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from bot.catalog import Catalog
from bot.models import Audience
from bot.store import Store


class AudienceError(ValueError):
    """An audience names something that does not exist; the message says which field and code."""


def to_json(audience: Audience) -> str:
    return json.dumps(asdict(audience), ensure_ascii=False)


def from_json(raw: str) -> Audience:
    data = json.loads(raw)
    return Audience(
        commune_id=int(data["commune_id"]),
        hamlets=tuple(data.get("hamlets", ())), teams=tuple(data.get("teams", ())),
        team_kinds=tuple(data.get("team_kinds", ())), tags=tuple(data.get("tags", ())),
    )


async def from_codes(
    store: Store, catalog: Catalog, commune: str, *, hamlets: Sequence[str] = (),
    teams: Sequence[str] = (), team_kinds: Sequence[str] = (), tags: Sequence[str] = (),
) -> Audience:
    """The audience named by codes, as in areas files; AudienceError names an unknown one."""
    found = await store.areas.commune_by_code(commune)
    if found is None:
        raise AudienceError(f"commune: no commune with code {commune!r}")
    hamlet_ids, team_ids = [], []
    for code in hamlets:
        hamlet = await store.areas.hamlet_by_code(found.id, code)
        if hamlet is None:
            raise AudienceError(f"hamlets: no hamlet {code!r} in {commune}")
        hamlet_ids.append(hamlet.id)
    for code in teams:
        team = await store.areas.team_by_code(found.id, code)
        if team is None:
            raise AudienceError(f"teams: no team {code!r} in {commune}")
        team_ids.append(team.id)
    check_codes(catalog, team_kinds=team_kinds, tags=tags)
    return Audience(found.id, tuple(hamlet_ids), tuple(team_ids), tuple(team_kinds), tuple(tags))


def check_codes(catalog: Catalog, *, team_kinds: Sequence[str], tags: Sequence[str]) -> None:
    for kind in team_kinds:
        if kind not in catalog.team_kinds:
            raise AudienceError(f"team_kinds: unknown team kind {kind!r}")
    for tag in tags:
        if tag not in catalog.tags:
            raise AudienceError(f"tags: unknown tag {tag!r}")


async def describe(store: Store, catalog: Catalog, audience: Audience, lang: str) -> list[str]:
    """Names of the audience's parts, for a preview ([] means the whole commune)."""
    parts: list[str] = []
    for hamlet_id in audience.hamlets:
        hamlet = await store.areas.hamlet(hamlet_id)
        parts.append(hamlet.name if hamlet else str(hamlet_id))
    for team_id in audience.teams:
        team = await store.areas.team(team_id)
        parts.append(team.name if team else str(team_id))
    parts += [catalog.kind_name(kind, lang) for kind in audience.team_kinds]
    parts += [catalog.tags[tag].name(lang) if tag in catalog.tags else tag
              for tag in audience.tags]
    return parts
