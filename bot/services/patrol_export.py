"""`anninh export patrols --team CODE --month YYYY-MM --format csv`: a team's monthly patrol
log, one row per person per shift (who came, when, who missed, who declined and why); the web
console's team page shows the same rows (`patrol_rows`) and downloads the same CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.models import PatrolAttendance, PatrolShift, Team, tracking_code
from bot.services.export import ExportError
from bot.store import Store

COLUMNS = ("shift_id", "date", "starts", "ends", "team", "route", "member", "status",
           "checked_in", "checked_out", "note", "reason", "reports", "place", "confirmed")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


async def export_patrols(
    store: Store, tz: ZoneInfo, team_code: str, month: str, commune_code: str | None = None
) -> str:
    """The CSV; ExportError for an unknown team or commune, or a malformed month."""
    team = await _team(store, team_code, commune_code)
    return as_csv(await patrol_rows(store, tz, team, month))


def as_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def month_of(month: str) -> tuple[int, int]:
    """(year, month) of "YYYY-MM"; ExportError when malformed."""
    found = _MONTH.match(month)
    if found is None or not 1 <= int(found[2]) <= 12:
        raise ExportError(f"--month: expected YYYY-MM, got {month!r}")
    return int(found[1]), int(found[2])


async def patrol_rows(store: Store, tz: ZoneInfo, team: Team, month: str) -> list[list[str]]:
    """The team's shifts starting in `month` ("YYYY-MM", local time): a row (COLUMNS) per
    person per shift; ExportError for a malformed month."""
    year, number = month_of(month)
    since = datetime(year, number, 1, tzinfo=tz)
    until = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    shifts = [shift for shift in await store.patrols.team_shifts(
        team.id, _iso(since), _iso(until)) if shift.starts_at >= _iso(since)]
    now = store.db.now_iso()
    rows = []
    for shift in shifts:
        reports = " ".join(tracking_code(r) for r in await store.patrols.reports_of(shift.id))
        for part in await store.patrols.attendance(shift.id):
            rows.append(_row(shift, part, team, tz, now, reports))
    return rows


def _row(shift: PatrolShift, part: PatrolAttendance, team: Team, tz: ZoneInfo, now: str,
         reports: str) -> list[str]:
    starts, ends = _local(shift.starts_at, tz), _local(shift.ends_at, tz)
    return [str(shift.id), starts[:10], starts[11:16], ends[11:16], team.code, shift.note or "",
            part.display_name or "", _status(shift, part, now),
            _local(part.checked_in_at, tz), _local(part.checked_out_at, tz), part.note or "",
            part.reason or "", reports, _place(part), _local(part.confirmed_at, tz)]


def _place(part: PatrolAttendance) -> str:
    """Where the person checked in: the typed place, or "lat,lon" of a shared location."""
    if part.place:
        return part.place
    if part.lat is None or part.lon is None:
        return ""
    return f"{part.lat:.6f},{part.lon:.6f}"


def _status(shift: PatrolShift, part: PatrolAttendance, now: str) -> str:
    if part.checked_in_at:
        return "came" if part.checked_out_at or shift.ends_at <= now else "on_patrol"
    if part.state == "declined":
        return "declined"
    return "missed" if shift.ends_at <= now else "planned"


async def _team(store: Store, code: str, commune_code: str | None) -> Team:
    communes = await store.areas.communes()
    if commune_code is not None:
        communes = [c for c in communes if c.code == commune_code]
        if not communes:
            raise ExportError(f"--commune: no commune {commune_code!r}")
    teams = [t for c in communes if (t := await store.areas.team_by_code(c.id, code))]
    if not teams:
        raise ExportError(f"--team: no team {code!r}")
    if len(teams) > 1:
        raise ExportError(f"--team: {code!r} is a team of several communes; add --commune")
    return teams[0]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _local(stamp: str | None, tz: ZoneInfo) -> str:
    return "" if not stamp else datetime.fromisoformat(stamp).astimezone(tz).isoformat(
        timespec="minutes")
