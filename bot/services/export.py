"""Reports as Open311 GeoReport v2 service requests (JSON) or CSV, for `anninh export`.

Photos: `media_url` is `tg-file://<file_id>` — the Telegram file id of the report's first photo,
which the bot resolves with getFile (…/file/bot<token>/<file_path>). No reporter's name or
Telegram id is ever exported; `extensions.anonymous` says how the report was filed.
`lat`/`long` are always numbers: a report filed without a shared location carries the
commune's centre (`center` in the areas file, else [reports] center_latitude/center_longitude) and
`extensions.location_precise` false.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.i18n import I18n
from bot.models import REPORT_STATES, Report, closed_states, is_open, open_states
from bot.services.categories import Categories
from bot.services.report_values import center_of
from bot.store import Store
from bot.store.reports import ReportQuery

# The Open311 GeoReport v2 fields, in order, then anninh's own under "extensions".
OPEN311_FIELDS = (
    "service_request_id", "status", "status_notes", "service_code", "service_name",
    "description", "requested_datetime", "updated_datetime", "lat", "long", "address",
    "agency_responsible", "media_url",
)
EXTENSION_FIELDS = ("state", "team", "anonymous", "urgency")
MEDIA_SCHEME = "tg-file://"


class ExportError(ValueError):
    """A filter that cannot be used (an unknown commune, a malformed date)."""


@dataclass(frozen=True)
class ExportFilter:
    since: str | None = None  # YYYY-MM-DD or ISO 8601; dates are local days
    until: str | None = None  # inclusive for a date, exclusive for a date-time
    commune: str | None = None  # commune code
    status: str | None = None  # open | closed | one of the states


def parse_moment(value: str, tz: ZoneInfo, *, end: bool) -> str:
    """A CLI date or date-time as the stored UTC ISO string."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value) + timedelta(days=1 if end else 0)
            moment = datetime.combine(day, time(), tzinfo=tz)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
    except ValueError:
        raise ExportError(f"{value!r} is not a date (YYYY-MM-DD) or ISO 8601 time") from None
    return moment.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")


def _states(status: str | None) -> tuple[str, ...] | None:
    if status is None:
        return None
    if status == "open":
        return open_states()
    if status == "closed":
        return closed_states()
    if status in REPORT_STATES:
        return (status,)
    raise ExportError(f"status {status!r}: expected open, closed or one of {REPORT_STATES}")


async def _query(store: Store, config: Config, wanted: ExportFilter) -> ReportQuery:
    tz = config.locale.tz
    commune_id = None
    if wanted.commune is not None:
        commune = await store.areas.commune_by_code(wanted.commune)
        if commune is None:
            raise ExportError(f"no commune with the code {wanted.commune!r}")
        commune_id = commune.id
    return ReportQuery(
        since=parse_moment(wanted.since, tz, end=False) if wanted.since else None,
        until=parse_moment(wanted.until, tz, end=True) if wanted.until else None,
        commune_id=commune_id, states=_states(wanted.status),
    )


async def service_requests(
    store: Store, config: Config, wanted: ExportFilter | None = None
) -> list[dict[str, Any]]:
    """Reports matching the filter as Open311 service requests, oldest first."""
    query = await _query(store, config, wanted or ExportFilter())
    return await as_service_requests(store, config, await store.reports.query(query))


async def as_service_requests(
    store: Store, config: Config, rows: Sequence[tuple[Report, str | None]]
) -> list[dict[str, Any]]:
    """Reports (each with its first photo's Telegram file id, if any) as service requests."""
    i18n = I18n.load(config.content.folder, config.locale.default_language)
    categories = Categories.load(config.content.folder)
    communes = {c.id: c for c in await store.areas.communes()}
    teams = {t.id: t.name for t in await store.areas.teams()}
    lang = i18n.default
    tz = config.locale.tz
    result = []
    for report, photo in rows:
        commune = communes.get(report.commune_id or 0)
        request = _request(report, photo, tz, i18n, lang, categories,
                           commune.name if commune else None, teams.get(report.team_id or 0))
        if report.latitude is None or report.longitude is None:
            request["lat"], request["long"] = center_of(commune, config.reports)
        result.append(request)
    return result


def _request(
    report: Report, photo: str | None, tz: ZoneInfo, i18n: I18n, lang: str,
    categories: Categories, commune: str | None, team: str | None,
) -> dict[str, Any]:
    def local(stamp: str) -> str:
        return datetime.fromisoformat(stamp).astimezone(tz).isoformat(timespec="seconds")

    return {
        "service_request_id": report.code,
        "status": "open" if is_open(report.state) else "closed",
        "status_notes": report.state_note or i18n.t(lang, f"report.export.state_{report.state}"),
        "service_code": report.category,
        "service_name": categories.name(report.category, lang),
        "description": report.description,
        "requested_datetime": local(report.created_at),
        "updated_datetime": local(report.updated_at),
        "lat": report.latitude,
        "long": report.longitude,
        "address": report.address or "",
        "agency_responsible": i18n.t(lang, "report.export.agency", commune=commune)
        if commune else "",
        "media_url": f"{MEDIA_SCHEME}{photo}" if photo else "",
        "extensions": {
            "state": report.state,
            "team": team or "",
            "anonymous": report.anonymous,
            "urgency": report.urgency,
            "location_precise": report.latitude is not None,
        },
    }


async def export_reports(
    store: Store, config: Config, fmt: str, wanted: ExportFilter | None = None
) -> str:
    return as_text(await service_requests(store, config, wanted), fmt)


def as_text(requests: list[dict[str, Any]], fmt: str) -> str:
    """Service requests as `anninh export reports` prints them: JSON (Open311) or CSV."""
    if fmt == "json":
        return json.dumps(requests, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*OPEN311_FIELDS, *EXTENSION_FIELDS])
    for request in requests:
        extensions = request.get("extensions", {})
        writer.writerow([_cell(request.get(f)) for f in OPEN311_FIELDS]
                        + [_cell(extensions.get(f)) for f in EXTENSION_FIELDS])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
