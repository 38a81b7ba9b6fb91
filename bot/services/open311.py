"""Open311 GeoReport v2 for the systems around a commune (a hotline operator's tool, a
province's operation centre): the categories as services; a report filed with an API key,
entering the same triage as one from chat (anonymous, with no reporter: no one to tell or
relay to); a request followed by its tracking code, as `anninh export reports` shows it.

Only a live key of the report's commune sees what was said and where (description, address,
lat/long, notes, photo): anyone else asking for one request gets its state alone. The web
layer (bot/web/open311.py) turns a `Problem` into GeoReport's error shape."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Config
from bot.events import Events
from bot.i18n import I18n
from bot.markup import visible_text
from bot.models import ApiKey, Report, ReportPhoto
from bot.services.api_keys import FILED, FILINGS_PER_MINUTE, ApiKeyService
from bot.services.export import ExportError, ExportFilter, as_service_requests, service_requests
from bot.services.media import Fetch, MediaService, Refusal
from bot.services.report_values import Draft, iso
from bot.services.reports import ReportService
from bot.store import Store

MAX_DESCRIPTION = 4000
MAX_ADDRESS = 300
MAX_LISTED = 1000  # GeoReport's usual ceiling for one listing
LISTED_DAYS = 90  # without start_date, a listing covers the last 90 days, as GeoReport's default
ORIGIN = "open311"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"  # as Service Discovery names it
FORMATS = ("text/xml", "application/json")
_CODE = re.compile(r"(?:TB-)?0*(\d{1,9})", re.IGNORECASE)
# What only the report's own commune sees (the rest is its state).
PRIVATE = ("description", "address", "lat", "long", "media_url")

Link = Callable[[str], str]  # a media key → an address a system can fetch the photo at


class Problem(Exception):
    """A request GeoReport answers with an error: its HTTP status and the text's key."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


@dataclass(frozen=True)
class Submission:
    """A POST requests.json's fields, as received (strings, or None when absent)."""

    service_code: str | None
    description: str | None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    jurisdiction_id: str | None = None


class Open311Service:
    def __init__(
        self, store: Store, config: Config, i18n: I18n, reports: ReportService,
        keys: ApiKeyService, media: MediaService, events: Events, clock: Clock,
    ) -> None:
        self._store, self._config, self._i18n, self._clock = store, config, i18n, clock
        self._reports, self._keys, self._media, self._events = reports, keys, media, events
        # The services are the categories, loaded with the rest of the content at start: they
        # change only with a restart, so that is the discovery document's changeset.
        self._loaded = iso(self._now())

    def services(self) -> list[dict[str, Any]]:
        """The report categories as GeoReport services."""
        language = self._i18n.default
        return [{"service_code": c.code, "service_name": c.name(language),
                 "description": c.name("en" if language != "en" else "vi"),
                 "metadata": False, "type": "realtime",
                 "keywords": ", ".join(c.words), "group": c.urgency}
                for c in self._reports.categories.items.values()]

    def definition(self, code: str) -> dict[str, Any]:
        """A service's definition: no attributes (every service has `metadata` false)."""
        if self._reports.categories.get(code) is None:
            raise Problem(404, "no_service", service=code)
        return {"service_code": code, "attributes": []}

    def discovery(self, endpoint: str) -> dict[str, Any]:
        """GeoReport's Service Discovery: this deployment's one endpoint (`endpoint`, the
        address of /open311/v2), who runs it and how to get a key."""
        section, language = self._config.open311, self._i18n.default
        return {
            "changeset": self._loaded,
            "contact": section.contact or visible_text(
                self._i18n.t(language, "open311.contact")),
            "key_service": section.key_service or visible_text(
                self._i18n.t(language, "open311.key_service")),
            "endpoints": [{"specification": SPECIFICATION, "url": endpoint,
                           "changeset": self._loaded, "type": "production",
                           "formats": list(FORMATS)}],
        }

    async def jurisdiction(self, code: str | None) -> None:
        """A jurisdiction_id, when given, must be a commune's code (404 otherwise)."""
        if code and await self._store.areas.commune_by_code(code) is None:
            raise Problem(404, "no_jurisdiction", jurisdiction=code)

    async def key(self, secret: str | None, jurisdiction: str | None = None) -> ApiKey:
        """The live key `secret` is, for `jurisdiction` when one is named (403 otherwise)."""
        key = await self._keys.check(secret or "")
        if key is None:
            raise Problem(403, "bad_key")
        await self.jurisdiction(jurisdiction)
        if jurisdiction and jurisdiction != key.commune_code:
            raise Problem(403, "other_commune", jurisdiction=jurisdiction)
        return key

    # --- filing --------------------------------------------------------------------------

    async def file(self, key: ApiKey, form: Submission, fetch: Fetch | None) -> Report:
        """File the request as an anonymous report of the key's commune (its photo, from
        `fetch`, stored first) and tell the officers, as a report from chat."""
        draft = await self._draft(key, form)
        if not await self._keys.may_file(key):
            raise Problem(429, "rate_limited", max=FILINGS_PER_MINUTE)
        photos = [ReportPhoto(None, None, await self._photo(fetch))] if fetch else []
        new, duplicate = await self._reports.prepare(
            key.commune_id, draft, reporter_id=None, anonymous=True)
        async with self._store.db.transaction() as tx:
            # Counted again inside the write lock: two requests at once cannot both pass.
            since = iso(self._now() - timedelta(minutes=1))
            if await self._store.api_keys.uses_since(key.id, FILED, since) \
                    >= FILINGS_PER_MINUTE:
                raise Problem(429, "rate_limited", max=FILINGS_PER_MINUTE)
            report_id = await self._store.reports.insert(
                tx, new, photos, iso(self._now()))
            await self._store.audit.record(
                tx, actor_id=None, actor_label=ORIGIN, action="report.submitted",
                subject_type="report", subject_id=report_id, category=new.category,
                origin=key.name)
            await self._keys.record(tx, key, FILED, report=report_id)
        report = await self._reports.get(report_id)
        assert report is not None
        await self._events.report_filed(report, duplicate)
        return report

    def _now(self) -> datetime:
        return self._clock.now().astimezone(UTC)

    async def _draft(self, key: ApiKey, form: Submission) -> Draft:
        code = (form.service_code or "").strip()
        if not code:
            raise Problem(400, "no_service", service="")
        if self._reports.categories.get(code) is None:
            raise Problem(404, "no_service", service=code)
        description = (form.description or "").strip()
        if not description:
            raise Problem(400, "no_description")
        if len(description) > MAX_DESCRIPTION:
            raise Problem(400, "long_description", max=MAX_DESCRIPTION)
        address = (form.address_string or "").strip()[:MAX_ADDRESS] or None
        latitude, longitude = _point(form.lat, form.long)
        if latitude is None and address is None:
            raise Problem(400, "no_location")
        if latitude is not None and longitude is not None:
            away = await self._reports.too_far_km(key.commune_id, latitude, longitude)
            if away is not None:
                raise Problem(400, "too_far", km=f"{away:.0f}")
        return Draft(code, description, latitude=latitude, longitude=longitude,
                     address=address, anonymous=True)

    async def _photo(self, fetch: Fetch) -> str:
        stored = await self._media.keep("photo", fetch, size=None, content_type="image/jpeg")
        if stored.ref is None:
            if stored.refused is Refusal.TOO_LARGE:
                raise Problem(400, "media_too_large",
                              max=f"{self._media.limit('photo') / 1e6:.0f}")
            raise Problem(400, "media_failed")
        return stored.ref.key

    # --- following -----------------------------------------------------------------------

    async def one(self, code: str, key: ApiKey | None, link: Link | None) -> dict[str, Any]:
        """The request with that tracking code; its state alone unless `key` is of its
        commune."""
        match = _CODE.fullmatch(code.strip())
        report = await self._reports.get(int(match[1])) if match else None
        if report is None:
            raise Problem(404, "not_found", id=code)
        [request] = await self._requests([report], link)
        if key is None or key.commune_id != report.commune_id:
            return self._public(request)
        await self._keys.used(key, "api_key.read", report=report.id)
        return request

    async def many(self, key: ApiKey, query: dict[str, str], link: Link | None,
                   ) -> list[dict[str, Any]]:
        """The key's commune's requests, filtered as GeoReport's GET requests asks (ids,
        service_code, start_date, end_date, status), newest MAX_LISTED."""
        start = query.get("start_date") or iso(
            self._now() - timedelta(days=LISTED_DAYS))
        wanted = ExportFilter(since=start, until=query.get("end_date") or None,
                              commune=key.commune_code, status=query.get("status") or None)
        if wanted.status not in (None, "open", "closed"):
            raise Problem(400, "bad_filter")
        try:
            found = await service_requests(self._store, self._config, wanted)
        except ExportError:
            raise Problem(400, "bad_filter") from None
        ids = {i.strip().upper() for i in query.get("service_request_id", "").split(",")
               if i.strip()}
        codes = {c.strip() for c in query.get("service_code", "").split(",") if c.strip()}
        found = [r for r in found if (not ids or r["service_request_id"] in ids)
                 and (not codes or r["service_code"] in codes)][-MAX_LISTED:]
        await self._keys.used(key, "api_key.listed", count=len(found))
        return [await self._with_photo(r, link) for r in reversed(found)]

    def _public(self, request: dict[str, Any]) -> dict[str, Any]:
        """What anyone may know of a request: its state, not what was said, where, by whom
        it is handled or the officers' notes. Every field of the export is there (a follower
        reads the same shape with or without a key); what could say who or where is empty."""
        shown = {k: (None if k in ("lat", "long", "media_url") else "") if k in PRIVATE else v
                 for k, v in request.items()}
        state = request["extensions"]["state"]
        shown["status_notes"] = self._i18n.t(self._i18n.default, f"report.export.state_{state}")
        shown["extensions"] = {**{k: None for k in request["extensions"]}, "state": state,
                               "urgency": request["extensions"]["urgency"]}
        return shown

    async def _requests(self, reports: Sequence[Report], link: Link | None,
                        ) -> list[dict[str, Any]]:
        rows = await as_service_requests(self._store, self._config,
                                         [(r, None) for r in reports])
        return [await self._with_photo(r, link) for r in rows]

    async def _with_photo(self, request: dict[str, Any], link: Link | None) -> dict[str, Any]:
        """`media_url`: an address of the first photo kept in the media store (never a
        messenger's file id), when the web server has a public address."""
        match = _CODE.fullmatch(request["service_request_id"])
        assert match is not None
        photos = await self._store.reports.photos(int(match[1]))
        keys = [p.media_key for p in photos if p.media_key]
        return {**request, "media_url": link(keys[0]) if keys and link else ""}


def _point(lat: str | None, long: str | None) -> tuple[float | None, float | None]:
    """lat/long as numbers (both or neither, in range); 400 otherwise."""
    if not (lat or "").strip() and not (long or "").strip():
        return None, None
    try:
        latitude, longitude = float(lat or ""), float(long or "")
    except ValueError:
        raise Problem(400, "bad_location") from None
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise Problem(400, "bad_location")
    return latitude, longitude
