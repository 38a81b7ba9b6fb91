"""`anninh export commendations --period 2026-Q4|2026|2026-11 --format csv`: the people and the
teams proposed for commendation in a period, with what earned it — named contributions only
(an anonymous report earns its reporter points, never a place on this list)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
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
class _Person:
    name: str
    points: int = 0
    earned_by: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)


async def export_commendations(store: Store, tz: ZoneInfo, rules: dict[str, Rule],
                               period: str, commune_code: str | None = None) -> str:
    """The CSV: people first (most points first), then teams (their members' points)."""
    start, end = period_bounds(period, tz)
    commune_id = None
    if commune_code is not None:
        commune = await store.areas.commune_by_code(commune_code)
        if commune is None:
            raise ExportError(f"--commune: no commune {commune_code!r}")
        commune_id = commune.id
    people: dict[int, _Person] = {}
    for resident_id, name, rule, times, points in await store.points.earned(
            _iso(start), _iso(end), commune_id):
        person = people.setdefault(resident_id, _Person(name))
        person.points += points
        person.earned_by.append(f"{times} {rules[rule].what('vi') if rule in rules else rule}")
    teams: dict[str, int] = defaultdict(int)
    for resident_id, person in people.items():
        person.teams = [team.name for team, membership in
                        await store.memberships.of_resident(resident_id)
                        if membership.state == "active"]
        for team in person.teams:
            teams[team] += person.points
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for person in sorted(people.values(), key=lambda p: -p.points):
        writer.writerow(("person", person.name, "; ".join(person.teams), person.points,
                         "; ".join(person.earned_by), period))
    for team, points in sorted(teams.items(), key=lambda item: -item[1]):
        writer.writerow(("team", team, "", points, "", period))
    return out.getvalue()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
