"""Vietnam's official administrative units since the 2025 reorganisation (two levels:
34 provinces, 3,321 communes, wards and special zones), from the `vietnam-provinces` package:
looked up accent-insensitively for `anninh areas init`, and checked against an areas file's
communes by `anninh areas load` (a warning, not an error: a deployment may predate an update
of the list). Codes are the official five-digit ones, as text ("26041")."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

from bot.services.areas import CommuneSpec
from bot.text import fold, nfc

# What a name may start with besides the unit's own name (folded).
_KINDS = ("thanh pho ", "tinh ", "xa ", "phuong ", "dac khu ")
CLOSEST = 5
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Unit:
    name: str  # "Xã Thống Nhất"
    code: str  # "26041"
    short: str  # "thong_nhat"
    province: str  # "Đồng Nai"


class NotFound(LookupError):
    """No single unit has that name: `closest` are the official names nearest to it."""

    def __init__(self, wanted: str, closest: list[str], ambiguous: bool = False) -> None:
        super().__init__(wanted)
        self.wanted, self.closest, self.ambiguous = wanted, closest, ambiguous


def _bare(name: str) -> str:
    """A name folded, without its kind ("Xã Thống Nhất" → "thong nhat")."""
    folded = " ".join(fold(name).split())
    return next((folded[len(k):] for k in _KINDS if folded.startswith(k)), folded)


@dataclass(frozen=True)
class OfficialUnits:
    provinces: dict[str, list[Unit]]  # province name → its communes and wards

    @classmethod
    @cache
    def load(cls) -> OfficialUnits:
        data = json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
        return cls({p["name"].removeprefix("Thành phố ").removeprefix("Tỉnh "): [
            Unit(w["name"], f"{w['code']:05d}", w["short_codename"],
                 p["name"].removeprefix("Thành phố ").removeprefix("Tỉnh "))
            for w in p["wards"]] for p in data})

    def province(self, wanted: str) -> str:
        """The province of that name (accent-insensitive; "Tỉnh" may be left out)."""
        return _one(wanted, list(self.provinces), str)

    def commune(self, province: str, wanted: str) -> Unit:
        """The commune or ward of that province (the kind may be left out)."""
        units = self.provinces[self.province(province)]
        return _one(wanted, units, lambda unit: unit.name)

    def by_code(self, code: str) -> Unit | None:
        return next((u for units in self.provinces.values() for u in units if u.code == code),
                    None)

    def check(self, commune: CommuneSpec) -> str | None:
        """What is wrong with the commune's name (and official_code), if anything."""
        if commune.official_code is not None:
            unit = self.by_code(commune.official_code)
            if unit is None:
                return f"official_code {commune.official_code!r} is no official unit's code"
            if _bare(unit.name) != _bare(commune.name):
                return (f"official_code {commune.official_code} is {unit.name} "
                        f"({unit.province}), not {commune.name}")
            return None
        where = ""
        every = [u for units in self.provinces.values() for u in units]
        if commune.province is not None:
            try:
                every = self.provinces[self.province(commune.province)]
            except NotFound as missing:
                return (f"province {commune.province} is no official province; closest: "
                        f"{', '.join(missing.closest) or 'none'}")
            where = f" in {every[0].province}"
        if any(_bare(u.name) == _bare(commune.name) for u in every):
            return None
        closest = _closest(commune.name, every, lambda u: u.name,
                           lambda u: f"{u.name} ({u.province})")
        return (f"{commune.name} is no official unit's name{where}; closest: "
                f"{', '.join(closest) or 'none'}")


def _one(wanted: str, items: list[T], name_of: Callable[[T], str]) -> T:
    """The one item named `wanted`, with its kind or without: as written, else without
    accents; NotFound with the closest (or with all it could be)."""
    def plain(name: str) -> str:  # as written, but for case and spacing
        return " ".join(nfc(name).casefold().split())

    written = [i for i in items if plain(wanted) in (
        plain(name_of(i)), plain(name_of(i).split(" ", 1)[-1]))]
    found = written if len(written) == 1 else [
        i for i in items if _bare(name_of(i)) == _bare(wanted)]
    if len(found) == 1:
        return found[0]
    if found:
        raise NotFound(wanted, [name_of(i) for i in found], ambiguous=True)
    raise NotFound(wanted, _closest(wanted, items, name_of))


def _closest(wanted: str, items: list[T], name_of: Callable[[T], str],
             label: Callable[[T], str] | None = None) -> list[str]:
    """The names of the items nearest to `wanted` (accents aside), as `label` shows them."""
    names = {_bare(name_of(i)): (label or name_of)(i) for i in reversed(items)}
    near = difflib.get_close_matches(_bare(wanted), list(names), n=CLOSEST, cutoff=0.6)
    return [names[n] for n in near]


def starter(unit: Unit) -> str:
    """A first areas file for `unit`: its official name and code, one example hamlet and team
    (a ward's neighbourhoods are khu phố, a commune's ấp), officers still to fill in."""
    code = unit.short.replace("_", "-")
    hamlet = "Khu phố 1" if unit.name.startswith("Phường") else "Ấp 1"
    return f'''# Areas file for {unit.name} ({unit.province}), official code {unit.code}
# (the 2025 list of administrative units).
# Fill in the officers' group and accounts, the real hamlets and their teams, then run
#   anninh areas load THIS_FILE

[[commune]]
code = "{code}"
name = "{unit.name}"
official_code = "{unit.code}"
province = "{unit.province}"
# staff_chat_id = -1001234567890       # the officers' Telegram group, if they have one
officers = []                         # Telegram user ids, or "zalo:<id>", of the commune police

[[commune.hamlet]]
code = "{code[:12]}-1"
name = "{hamlet}"                     # an example: name the commune's own hamlets

[[commune.hamlet.team]]
code = "{code[:12]}-1-01"
name = "Tổ an ninh nhân dân số 1"
kind = "to-an-ninh-nhan-dan"
join_code = "{''.join(w[0] for w in unit.short.split('_')).upper()}0101"
# leader = 2001                        # the leader's Telegram user id, or "zalo:<id>"
'''
