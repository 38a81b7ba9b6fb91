"""`anninh export commendations --period 2026-Q4|2026|2026-11 --format csv`: the people and the
teams proposed for commendation in a period, with what earned it — named contributions only
(an anonymous report earns its reporter points, never a place on this list)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services.export import ExportError
from bot.services.points import Rule
from bot.store import Store

COLUMNS = ("kind", "name", "teams", "points", "earned_by", "period")
_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(\d{2}))?$")


def period_bounds(period: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of "YYYY", "YYYY-Qn" or "YYYY-MM" in local time; ExportError otherwise."""
    found = _PERIOD.match(period)
    if found is None or (found[3] is not None and not 1 <= int(found[3]) <= 12):
        raise ExportError(f"--period: expected YYYY, YYYY-Qn or YYYY-MM, got {period!r}")
    year = int(found[1])
    if found[2] is not None:
        first, months = (int(found[2]) - 1) * 3 + 1, 3
    elif found[3] is not None:
        first, months = int(found[3]), 1
    else:
        first, months = 1, 12
    start = datetime(year, first, 1, tzinfo=tz)
    last = first - 1 + months
    end = datetime(year + last // 12, last % 12 + 1, 1, tzinfo=tz)
    return start, end


@dataclass
class Proposed:
    """A person or a team on the list, with its points and what earned them."""

    name: str
    points: int = 0
    earned_by: list[str] = field(default_factory=list)  # "3 tin báo được tiếp nhận"
    teams: list[str] = field(default_factory=list)  # a person's active teams
    counts: dict[str, int] = field(default_factory=dict)  # rule → times


@dataclass(frozen=True)
class Commendations:
    period: str
    start: datetime  # local, inclusive
    end: datetime  # local, exclusive
    communes: list[str]  # the communes' names the list covers
    people: list[Proposed]  # most points first
    teams: list[Proposed]  # their members' points and counts


async def gather_commendations(store: Store, tz: ZoneInfo, rules: dict[str, Rule],
                               period: str, commune_code: str | None = None,
                               lang: str = "vi") -> Commendations:
    """People (named contributions only) and teams (their members' points) of the period."""
    start, end = period_bounds(period, tz)
    communes = await store.areas.communes()
    commune_id = None
    if commune_code is not None:
        communes = [c for c in communes if c.code == commune_code]
        if not communes:
            raise ExportError(f"--commune: no commune {commune_code!r}")
        commune_id = communes[0].id
    people: dict[int, Proposed] = {}
    for resident_id, name, rule, times, points in await store.points.earned(
            _iso(start), _iso(end), commune_id):
        person = people.setdefault(resident_id, Proposed(name))
        person.points += points
        person.counts[rule] = times
        person.earned_by.append(_what(rules, rule, times, lang))
    teams: dict[str, Proposed] = {}
    for resident_id, person in people.items():
        person.teams = [team.name for team, membership in
                        await store.memberships.of_resident(resident_id)
                        if membership.state == "active"]
        for name in person.teams:
            team = teams.setdefault(name, Proposed(name))
            team.points += person.points
            for rule, times in person.counts.items():
                team.counts[rule] = team.counts.get(rule, 0) + times
    for team in teams.values():
        team.earned_by = [_what(rules, rule, times, lang)
                          for rule, times in sorted(team.counts.items())]
    return Commendations(period, start, end, [c.name for c in communes],
                         sorted(people.values(), key=lambda p: -p.points),
                         sorted(teams.values(), key=lambda t: -t.points))


async def export_commendations(store: Store, tz: ZoneInfo, rules: dict[str, Rule],
                               period: str, commune_code: str | None = None) -> str:
    """The CSV: people first (most points first), then teams (their members' points)."""
    found = await gather_commendations(store, tz, rules, period, commune_code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in found.people:
        writer.writerow(("person", person.name, "; ".join(person.teams), person.points,
                         "; ".join(person.earned_by), period))
    for team in found.teams:
        writer.writerow(("team", team.name, "", team.points, "", period))
    return out.getvalue()


def _what(rules: dict[str, Rule], rule: str, times: int, lang: str) -> str:
    return f"{times} {rules[rule].what(lang) if rule in rules else rule}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
