"""Filing a report (ReportService's first half): the hourly limit, where it happened, the
report itself with its photos and duplicate, and what the reporter adds later. The rest of
ReportService (triage, teams, escalation) is bot/services/reports.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import ReportsConfig
from bot.models import Report, ReportPhoto, Resident
from bot.services.categories import Categories
from bot.services.report_values import (
    Acted,
    Draft,
    Filed,
    Outcome,
    center_of,
    distance_km,
    iso,
)
from bot.store import Store
from bot.store.reports import NewReport
from bot.text import clean, fold


class ReportFiling:
    _store: Store
    _config: ReportsConfig
    _clock: Clock
    categories: Categories

    # --- the resident -----------------------------------------------------------------------

    async def may_report(self, resident: Resident) -> bool:
        """False once the resident has filed max_per_hour reports in the last hour."""
        since = iso(self._clock.now() - timedelta(hours=1))
        count = await self._store.reports.count_of_reporter(resident.id, since)
        return count < self._config.max_per_hour

    async def may_report_again_at(self, resident: Resident) -> datetime | None:
        """When a resident held back by max_per_hour may file again (the hour of the report
        that puts them at the limit runs out); None when they may now."""
        since = iso(self._clock.now() - timedelta(hours=1))
        stamps = await self._store.reports.reporter_times(resident.id, since)
        limit = self._config.max_per_hour
        if len(stamps) < limit:
            return None
        return datetime.fromisoformat(stamps[limit - 1]) + timedelta(hours=1)

    async def too_far_km(
        self, commune_id: int | None, latitude: float, longitude: float
    ) -> float | None:
        """The distance from the commune's centre when it is beyond max_distance_km (the
        centre from the areas file, else [reports] center_latitude/center_longitude)."""
        limit = self._config.max_distance_km
        commune = await self._store.areas.commune(commune_id) if commune_id else None
        lat, lon = center_of(commune, self._config)
        away = distance_km(lat, lon, latitude, longitude)
        return away if limit and away > limit else None

    async def file(self, resident: Resident, draft: Draft) -> Filed:
        """Store the report (one transaction) with its photos, deadline and audit entry.

        A draft is filed once: a repeated "Gửi" (even one arriving in the same instant)
        gets ALREADY with the report the first one filed."""
        if draft.token is not None and (
                earlier := await self._store.reports.by_draft_token(resident.id, draft.token)):
            return Filed(Outcome.ALREADY, earlier)
        category = self.categories.get(draft.category)
        # Someone who has not registered reports anonymously, in the commune they name.
        registered = resident.has_consented
        commune_id = resident.commune_id if registered else draft.commune_id
        if commune_id is None or category is None or (
                not registered and await self._store.areas.commune(commune_id) is None):
            return Filed(Outcome.NO_COMMUNE)
        if not await self.may_report(resident):
            return Filed(Outcome.RATE_LIMITED)
        new, duplicate = await self.prepare(commune_id, draft, reporter_id=resident.id,
                                            anonymous=draft.anonymous or not registered)
        async with self._store.db.transaction() as tx:
            # Checked again inside the write transaction (they run one at a time): of two
            # presses that both got past the check above, the second finds the first's report.
            if draft.token is not None and (earlier := await self._store.reports.by_draft_token(
                    resident.id, draft.token)):
                return Filed(Outcome.ALREADY, earlier)
            report_id = await self._store.reports.insert(
                tx, new, draft.photos, iso(self._clock.now()))
            await self._store.audit.record(
                tx, actor_id=resident.id, actor_label="resident", action="report.submitted",
                subject_type="report", subject_id=report_id, category=new.category,
            )
        return Filed(Outcome.DONE, await self._get(report_id), duplicate)

    async def prepare(
        self, commune_id: int, draft: Draft, *, reporter_id: int | None, anonymous: bool
    ) -> tuple[NewReport, Report | None]:
        """The row a draft of a known category becomes in the commune (its hamlet, deadline
        and cleaned text), and an open report it probably repeats; stored by the caller."""
        category = self.categories.get(draft.category)
        assert category is not None
        now = self._clock.now()
        duplicate = await self._duplicate(commune_id, draft, now)
        minutes = self._config.escalate_minutes(category.urgency)
        return NewReport(
            commune_id=commune_id,
            hamlet_id=await self.incident_hamlet(commune_id, draft.address),
            reporter_id=reporter_id, anonymous=anonymous, category=category.code,
            urgency=category.urgency, description=clean(draft.description),
            voice_file_id=draft.voice_file_id, voice_media_key=draft.voice_media_key,
            latitude=draft.latitude,
            longitude=draft.longitude, address=clean(draft.address) or None,
            duplicate_of=duplicate.id if duplicate else None,
            escalate_at=iso(now + timedelta(minutes=minutes)), draft_token=draft.token,
        ), duplicate

    async def incident_hamlet(self, commune_id: int, address: str | None) -> int | None:
        """The hamlet where the incident happened, when the typed address names one of the
        commune's hamlets in full ("… ấp Dốc Mơ"; the longest name wins). Never the
        reporter's own hamlet: for an anonymous report that would point at the reporter."""
        if not address:
            return None
        where = fold(address)
        named = [h for h in await self._store.areas.hamlets(commune_id) if fold(h.name)
                 and re.search(rf"(?<!\w){re.escape(fold(h.name))}(?!\w)", where)]
        return max(named, key=lambda h: len(fold(h.name))).id if named else None

    async def _duplicate(self, commune_id: int, draft: Draft, now: datetime) -> Report | None:
        if draft.latitude is None or draft.longitude is None:
            return None
        since = iso(now - timedelta(minutes=self._config.duplicate_minutes))
        radius_km = self._config.duplicate_radius_m / 1000
        for earlier in await self._store.reports.recent_same_category(
                commune_id, draft.category, since):
            assert earlier.latitude is not None and earlier.longitude is not None
            if distance_km(earlier.latitude, earlier.longitude,
                           draft.latitude, draft.longitude) <= radius_km:
                return earlier
        return None

    async def mine(self, resident: Resident) -> list[Report]:
        return await self._store.reports.of_reporter(resident.id)

    async def addable(self, resident: Resident, report_id: int) -> Report | None:
        """The resident's own open report with this id, which "Bổ sung" may add to."""
        report = await self._store.reports.get(report_id)
        if report is None or report.reporter_id != resident.id or not report.is_open:
            return None
        return report

    async def add_info(
        self, resident: Resident, report_id: int, text: str | None, photo: ReportPhoto | None
    ) -> Acted:
        """The reporter adds text or a photo to an open report: NOT_FOUND if it is not theirs
        or closed, PHOTO_LIMIT (nothing stored) when it holds [reports] max_photos already."""
        report = await self.addable(resident, report_id)
        if report is None:
            return Acted(Outcome.NOT_FOUND)
        text = clean(text) or None
        async with self._store.db.transaction() as tx:
            if photo is not None and await self.photo_room(report) == 0:
                return Acted(Outcome.PHOTO_LIMIT, report)  # counted inside the write lock
            now = iso(self._clock.now())
            await self._store.reports.add_message(
                tx, report.id, "reporter", resident.id, text,
                photo.file_id if photo else None, now, photo.media_key if photo else None)
            if photo is not None:
                await self._store.reports.add_photos(tx, report.id, [photo])
            await self._store.reports.touch(tx, report.id, now)
        return Acted(Outcome.DONE, report)

    async def photo_room(self, report: Report) -> int:
        """How many more photos the reporter may give the report ([reports] max_photos counts
        the photos filed with it, those added with "Bổ sung" and those sent in replies)."""
        given = await self._store.reports.photo_count(report.id)
        return max(0, self._config.max_photos - given)

    # --- officers and leaders -------------------------------------------------------------

    async def _get(self, report_id: int) -> Report:
        report = await self._store.reports.get(report_id)
        assert report is not None
        return report
