"""Load communes, hamlets, teams, leaders and officers from an areas TOML file."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.catalog import Catalog, CatalogError, read_toml
from bot.services.accounts import AccountRef, parse_account
from bot.store import Store

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_JOIN_CODE = re.compile(r"^[A-Za-z0-9]{3,16}$")
_OA_ID = re.compile(r"^([0-9]{1,32})?$")


class AreasFileError(Exception):
    """The areas file is malformed; the message names the offending entry."""


@dataclass(frozen=True)
class TeamSpec:
    code: str
    name: str
    kind: str
    join_code: str
    leader: AccountRef | None
    approval: bool
    max_members: int


@dataclass(frozen=True)
class HamletSpec:
    code: str
    name: str
    teams: list[TeamSpec] = field(default_factory=list)
    households: int | None = None  # how many households, for the yearly review


@dataclass(frozen=True)
class CommuneSpec:
    code: str
    name: str
    staff_chat_id: int | None
    officers: list[AccountRef]
    hamlets: list[HamletSpec]
    center: tuple[float, float] | None = None
    zalo_oa_id: str | None = None  # None: not in the file (kept); "": none (cleared)
    official_code: str | None = None  # the unit's official code (bot/services/official_units.py)
    province: str | None = None  # where its name is looked for in the official list


@dataclass(frozen=True)
class LoadSummary:
    communes: int
    hamlets: int
    teams: int
    officers_added: int
    leaders_changed: int


def parse_areas(path: Path, catalog: Catalog, default_approval: bool = True) -> list[CommuneSpec]:
    """Read and check the whole file before anything is written."""
    try:
        raw = read_toml(path)
    except CatalogError as error:
        raise AreasFileError(str(error)) from None
    unknown = set(raw) - {"commune"}
    if unknown:
        raise AreasFileError(f"{path}: unknown table(s) {sorted(unknown)}; expected [[commune]]")
    communes: list[CommuneSpec] = []
    join_codes: dict[str, str] = {}
    for c_index, commune in enumerate(_tables(path, raw, "commune", "[[commune]]"), start=1):
        where = f"{path}: [[commune]] #{c_index}"
        code = _code(where, commune)
        where = f"{path}: commune {code!r}"
        _only(where, commune, {"code", "name", "staff_chat_id", "officers", "center", "hamlet",
                               "zalo_oa_id", "official_code", "province"})
        listed = commune.get("officers", [])
        parsed = [parse_account(o) for o in listed] if isinstance(listed, list) else [None]
        officers = [o for o in parsed if o is not None]
        if len(officers) != len(parsed):
            raise AreasFileError(
                f"{where}: officers must be a list of accounts: Telegram user ids, or strings "
                f'"telegram:<id>", "zalo:<id>", "zalo_oa:<id>"')
        staff = commune.get("staff_chat_id")
        if staff is not None and (isinstance(staff, bool) or not isinstance(staff, int)):
            raise AreasFileError(f"{where}: staff_chat_id must be a Telegram chat id (a number)")
        hamlets = []
        for h_index, hamlet in enumerate(_tables(where, commune, "hamlet", "hamlet"), start=1):
            h_code = _code(f"{where}, hamlet #{h_index}", hamlet)
            h_where = f"{where}, hamlet {h_code!r}"
            _only(h_where, hamlet, {"code", "name", "team", "households"})
            teams = [
                _team(f"{h_where}, team #{t_index}", team, catalog, default_approval, join_codes)
                for t_index, team in enumerate(_tables(h_where, hamlet, "team", "team"), start=1)
            ]
            hamlets.append(HamletSpec(h_code, _name(h_where, hamlet), teams,
                                      _households(h_where, hamlet.get("households"))))
        _unique(where, [h.code for h in hamlets], "hamlet")
        _unique(where, [t.code for h in hamlets for t in h.teams], "team")
        communes.append(CommuneSpec(code, _name(where, commune), staff, officers, hamlets,
                                    _center(where, commune.get("center")),
                                    _oa_id(where, commune.get("zalo_oa_id")),
                                    _official_code(where, commune.get("official_code")),
                                    _province(where, commune.get("province"))))
    _unique(str(path), [c.code for c in communes], "commune")
    return communes


async def load_areas(store: Store, communes: list[CommuneSpec], actor: str) -> LoadSummary:
    """Create or update everything in one transaction; audit every role change."""
    try:
        return await _write(store, communes, actor)
    except sqlite3.IntegrityError as error:
        raise AreasFileError(f"the file conflicts with the database ({error})") from None


async def _write(store: Store, communes: list[CommuneSpec], actor: str) -> LoadSummary:
    officers_added = leaders_changed = hamlet_count = team_count = 0
    async with store.db.transaction() as tx:
        for commune in communes:
            commune_id = await store.areas.upsert_commune(
                tx, commune.code, commune.name, commune.staff_chat_id, commune.center
            )
            if commune.zalo_oa_id is not None:
                await store.zalo_oa.set_commune_oa(tx, commune_id, commune.zalo_oa_id or None)
            for officer in commune.officers:
                resident_id = await store.residents.ensure_account(tx, *officer)
                if await store.residents.grant_role(tx, resident_id, "officer", commune_id, actor):
                    officers_added += 1
                    await store.audit.record(
                        tx, actor_id=None, actor_label=actor, action="role.grant",
                        subject_type="resident", subject_id=resident_id,
                        role="officer", commune=commune.code,
                    )
            for hamlet in commune.hamlets:
                hamlet_count += 1
                hamlet_id = await store.areas.upsert_hamlet(
                    tx, commune_id, hamlet.code, hamlet.name, hamlet.households
                )
                for team in hamlet.teams:
                    team_count += 1
                    team_id = await store.areas.upsert_team(
                        tx, commune_id=commune_id, hamlet_id=hamlet_id, code=team.code,
                        name=team.name, kind=team.kind, join_code=team.join_code,
                        requires_approval=team.approval, max_members=team.max_members,
                    )
                    if team.leader is not None:
                        resident_id = await store.residents.ensure_account(tx, *team.leader)
                        current = await store.memberships.get(team_id, resident_id)
                        if current is None or current.role != "leader":
                            leaders_changed += 1
                            await store.memberships.set_leader(tx, team_id, resident_id, None)
                            await store.audit.record(
                                tx, actor_id=None, actor_label=actor, action="role.leader",
                                subject_type="team", subject_id=team_id,
                                **_leader_detail(team.leader, resident_id),
                            )
    return LoadSummary(len(communes), hamlet_count, team_count, officers_added, leaders_changed)


def _leader_detail(leader: AccountRef, resident_id: int) -> dict[str, object]:
    """How the audit names a new leader: the Telegram id as before, else the person."""
    if leader[0] == "telegram":
        return {"leader_telegram_id": int(leader[1])}
    return {"leader_resident_id": resident_id}


def _tables(
    where: str | Path, parent: dict[str, Any], key: str, label: str
) -> list[dict[str, Any]]:
    items = parent.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise AreasFileError(f"{where}: {label} must be an array of tables ([[{label}]])")
    return items


def _only(where: str, table: dict[str, Any], allowed: set[str]) -> None:
    extra = set(table) - allowed
    if extra:
        raise AreasFileError(f"{where}: unknown key(s) {sorted(extra)}")


def _code(where: str, table: dict[str, Any]) -> str:
    code = table.get("code")
    if not isinstance(code, str) or not _CODE.match(code):
        raise AreasFileError(
            f"{where}: code must be lower-case letters, digits and dashes, got {code!r}"
        )
    return code


def _households(where: str, value: object) -> int | None:
    """`households = N` on a hamlet (optional): a whole number, 0 or more."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AreasFileError(f"{where}: households must be a whole number (0 or more), "
                             f"got {value!r}")
    return value


def _name(where: str, table: dict[str, Any]) -> str:
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AreasFileError(f"{where}: name must be a non-empty string")
    return name.strip()


def _center(where: str, value: object) -> tuple[float, float] | None:
    """`center = [latitude, longitude]`, optional."""
    if value is None:
        return None
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not (-90 <= value[0] <= 90 and -180 <= value[1] <= 180)):
        raise AreasFileError(f"{where}: center must be [latitude, longitude] in degrees, "
                             "e.g. [10.95, 107.16]")
    return float(value[0]), float(value[1])


def _unique(where: str, codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise AreasFileError(f"{where}: {what} code {code!r} appears twice")
        seen.add(code)


def _team(
    where: str, team: dict[str, Any], catalog: Catalog, default_approval: bool,
    join_codes: dict[str, str],
) -> TeamSpec:
    code = _code(where, team)
    where = where.rsplit(", team #", 1)[0] + f", team {code!r}"
    _only(where, team, {"code", "name", "kind", "leader", "join_code", "approval", "max_members"})
    kind = team.get("kind")
    if kind not in catalog.team_kinds:
        known = ", ".join(catalog.team_kinds)
        raise AreasFileError(f"{where}: kind {kind!r} is not in team_kinds.toml ({known})")
    join_code = team.get("join_code")
    if not isinstance(join_code, str) or not _JOIN_CODE.match(join_code):
        raise AreasFileError(
            f"{where}: join_code must be 3–16 letters or digits, got {join_code!r}"
        )
    if (other := join_codes.get(join_code.upper())) is not None:
        raise AreasFileError(f"{where}: join_code {join_code!r} is already used by {other}")
    join_codes[join_code.upper()] = where
    given = team.get("leader")
    leader = None if given is None else parse_account(given)
    if given is not None and leader is None:
        raise AreasFileError(
            f'{where}: leader must be an account (a Telegram user id, or "telegram:<id>", '
            f'"zalo:<id>", "zalo_oa:<id>"), got {given!r}')
    approval = team.get("approval", default_approval)
    if not isinstance(approval, bool):
        raise AreasFileError(f"{where}: approval must be true or false")
    max_members = team.get("max_members", 0)
    if isinstance(max_members, bool) or not isinstance(max_members, int) or max_members < 0:
        raise AreasFileError(f"{where}: max_members must be 0 (no limit) or a positive number")
    return TeamSpec(code, _name(where, team), kind, join_code, leader, approval, max_members)


def _province(where: str, value: object) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise AreasFileError(f'{where}: province must be a name, such as "Đồng Nai"')
    return value.strip() if isinstance(value, str) else None


def _official_code(where: str, value: object) -> str | None:
    """An official unit's code: digits, as text ("26041") or a number."""
    if value is None:
        return None
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(text, str) or not text.isdigit() or len(text) > 5:
        raise AreasFileError(f'{where}: official_code must be an official unit\'s code, such '
                             f'as "26041", got {value!r}')
    return text.zfill(5)


def _oa_id(where: str, value: object) -> str | None:
    """A commune's Zalo Official Account id: digits, as Zalo shows it ("" clears it)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _OA_ID.match(value):
        raise AreasFileError(f"{where}: zalo_oa_id must be the Official Account's id (a string "
                             f"of digits, or \"\" for none), got {value!r}")
    return value
