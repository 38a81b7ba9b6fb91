"""The yearly "An toàn về an ninh, trật tự" review (Circular 124/2021/TT-BCA): households
commit to the movement through the bot (/camket — the hamlet and the household's number or
address, nothing more; one commitment per household a year and one per person a year), and
the year's figures per hamlet for the commune's review meeting: commitments against the
hamlet's household count, reports by category and outcome, patrols done, gongs and how many
came (`anninh export review`)."""

from __future__ import annotations

import csv
import enum
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.models import Hamlet, Resident
from bot.services.categories import Categories
from bot.services.export import ExportError
from bot.store import Store
from bot.text import fold

HOUSEHOLD_LIMIT = 120
OPEN_STATES = ("submitted", "accepted", "assigned")


class Commit(enum.StrEnum):
    DONE = "done"
    HOUSEHOLD_TAKEN = "household_taken"  # someone registered this household this year
    ALREADY = "already_done"  # the person committed this year (for some household)
    NO_HAMLET = "no_hamlet"  # not a hamlet of the person's commune


def household_key(typed: str) -> str:
    """The same household however it is written: "Số 12" and "so 12," fold alike."""
    return " ".join(re.sub(r"[^\w]+", " ", fold(typed)).split())


class CommitmentService:
    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo) -> None:
        self._store, self._clock, self._tz = store, clock, tz

    def year(self) -> int:
        return self._clock.now().astimezone(self._tz).year

    async def hamlets(self, person: Resident) -> list[Hamlet]:
        """The hamlets a person may commit for: those of their commune."""
        return [] if person.commune_id is None else await self._store.areas.hamlets(
            person.commune_id)

    async def mine(self, person: Resident) -> tuple[Hamlet, str] | None:
        """The person's commitment this year: the hamlet and the household as typed."""
        found = await self._store.review.commitment_of(self.year(), person.id)
        hamlet = None if found is None else await self._store.areas.hamlet(found[0])
        return None if found is None or hamlet is None else (hamlet, found[1])

    async def commit(self, person: Resident, hamlet_id: int, household: str) -> Commit:
        """The household's commitment for this year, audited without the household."""
        hamlet = await self._store.areas.hamlet(hamlet_id)
        if hamlet is None or hamlet.commune_id != person.commune_id:
            return Commit.NO_HAMLET
        year, key = self.year(), household_key(household)
        if await self._store.review.commitment_of(year, person.id) is not None:
            return Commit.ALREADY
        async with self._store.db.transaction() as tx:
            if not await self._store.review.commit(tx, year, hamlet_id, household.strip(), key,
                                                   person.id):
                return Commit.HOUSEHOLD_TAKEN
            await self._store.audit.record(
                tx, actor_id=person.id, actor_label="resident", action="household.committed",
                subject_type="hamlet", subject_id=hamlet_id, year=year)
        return Commit.DONE


# --- the year's figures ---------------------------------------------------------------------


@dataclass
class Outcomes:
    total: int = 0
    resolved: int = 0
    rejected: int = 0
    open: int = 0

    def add(self, state: str, count: int) -> None:
        self.total += count
        if state == "resolved":
            self.resolved += count
        elif state == "rejected":
            self.rejected += count
        elif state in OPEN_STATES:
            self.open += count


@dataclass
class HamletFigures:
    name: str  # "" for what names no hamlet (a report without one, a gong to the commune)
    households: int | None = None
    commitments: int = 0
    reports: Outcomes = field(default_factory=Outcomes)
    by_category: dict[str, Outcomes] = field(default_factory=dict)  # category name → outcomes
    patrols: int = 0
    gongs: int = 0
    coming: int = 0  # answers "Đang đến"

    @property
    def share(self) -> int | None:
        """Commitments as a whole percentage of the households, where the count is known."""
        return None if not self.households else round(100 * self.commitments / self.households)


@dataclass(frozen=True)
class CommuneReview:
    code: str
    name: str
    hamlets: list[HamletFigures]  # in the hamlets' order, then what names no hamlet (if any)


async def gather_review(store: Store, tz: ZoneInfo, categories: Categories, year: int,
                        commune_code: str | None = None, lang: str = "vi"
                        ) -> list[CommuneReview]:
    """The year's figures, per commune and hamlet."""
    if not 2000 <= year <= 2100:
        raise ExportError(f"--year: expected a year such as 2026, got {year}")
    communes = await store.areas.communes()
    if commune_code is not None:
        communes = [c for c in communes if c.code == commune_code]
        if not communes:
            raise ExportError(f"--commune: no commune {commune_code!r}")
    since = datetime(year, 1, 1, tzinfo=tz).astimezone(UTC).isoformat(timespec="seconds")
    until = datetime(year + 1, 1, 1, tzinfo=tz).astimezone(UTC).isoformat(timespec="seconds")
    reviews = []
    for commune in communes:
        rows: dict[int | None, HamletFigures] = {
            h.id: HamletFigures(h.name, h.households)
            for h in await store.areas.hamlets(commune.id)}
        review = store.review
        for hamlet_id, count in (await review.commitments(commune.id, year)).items():
            _row(rows, hamlet_id).commitments = count
        for hamlet_id, category, state, count in await review.reports(commune.id, since, until):
            row = _row(rows, hamlet_id)
            row.reports.add(state, count)
            row.by_category.setdefault(categories.name(category, lang), Outcomes()).add(
                state, count)
        for hamlet_id, count in (await review.patrols_done(commune.id, since, until)).items():
            _row(rows, hamlet_id).patrols = count
        for hamlet_id, (gongs, coming) in (await review.gongs(commune.id, since,
                                                               until)).items():
            row = _row(rows, hamlet_id)
            row.gongs, row.coming = gongs, coming
        reviews.append(CommuneReview(commune.code, commune.name, list(rows.values())))
    return reviews


def _row(rows: dict[int | None, HamletFigures], hamlet_id: int | None) -> HamletFigures:
    return rows.setdefault(hamlet_id, HamletFigures(""))


REVIEW_COLUMNS = ("year", "commune", "hamlet", "households", "commitments",
                  "commitments_percent", "reports", "resolved", "rejected", "open",
                  "by_category", "patrols_done", "gongs", "gong_coming")


def review_csv(reviews: list[CommuneReview], year: int) -> str:
    """One row per hamlet (and one, with no hamlet, for what names none); `by_category`
    as "Trộm cắp: 3 (resolved 2, rejected 1, open 0); …"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_COLUMNS)
    for commune in reviews:
        for row in commune.hamlets:
            categories = "; ".join(
                f"{name}: {o.total} (resolved {o.resolved}, rejected {o.rejected}, "
                f"open {o.open})" for name, o in sorted(row.by_category.items()))
            writer.writerow((
                year, commune.code, row.name, "" if row.households is None else row.households,
                row.commitments, "" if row.share is None else row.share, row.reports.total,
                row.reports.resolved, row.reports.rejected, row.reports.open, categories,
                row.patrols, row.gongs, row.coming))
    return out.getvalue()
