"""ReportService and ReportStore on real SQLite: filing, limits, transitions, erasure."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import Config
from bot.models import Resident, closed_states, is_open, open_states, tracking_code
from bot.services.categories import Categories
from bot.services.report_values import Action, Draft, Outcome, distance_km
from bot.services.reports import ReportService
from bot.services.residents import ResidentService
from bot.store import Store
from tests.helpers import media_service


@pytest.fixture
def service(store: Store, config: Config, clock: FakeClock) -> ReportService:
    return ReportService(store, config.reports, clock, Categories.load(config.content.folder))


async def _resident(store: Store, config: Config, telegram_id: int = 4001) -> Resident:
    residents = ResidentService(store, Catalog.load(config.content.folder),
                                media_service(store, config))
    resident = await residents.ensure(telegram_id)
    return await residents.give_consent(resident, "v1", "Hà", "vi")


def test_state_groups_and_codes() -> None:
    assert open_states() == ("submitted", "accepted", "assigned")
    assert closed_states() == ("resolved", "rejected")
    assert is_open("assigned") and not is_open("rejected")
    assert tracking_code(123) == "TB-000123"
    assert 0.1 < distance_km(10.95, 107.16, 10.951, 107.161) < 0.2


def test_categories_cover_the_issue_and_match_without_accents(config: Config) -> None:
    categories = Categories.load(config.content.folder)
    assert len(categories.items) >= 10
    assert categories.match("trom cap") is not None
    found = categories.match("chay no")
    assert found is not None and found.emergency == "114"
    assert categories.match("zzz") is None


async def test_hourly_limit_follows_the_clock(
    service: ReportService, store: Store, config: Config, clock: FakeClock
) -> None:
    resident = await _resident(store, config)
    first = clock.now()
    for _ in range(config.reports.max_per_hour):
        assert await service.may_report_again_at(resident) is None
        assert (await service.file(resident, Draft("trom-cap", "x"))).outcome is Outcome.DONE
        clock.advance(timedelta(minutes=5))
    assert (await service.file(resident, Draft("trom-cap", "x"))).outcome is Outcome.RATE_LIMITED
    # the first of the hour's reports ages out first: the resident is told that moment
    assert await service.may_report_again_at(resident) == first + timedelta(hours=1)
    clock.advance(first + timedelta(minutes=61) - clock.now())
    assert await service.may_report(resident)
    assert await service.may_report_again_at(resident) is None


async def test_far_away_is_measured_from_the_commune_s_own_centre(
    service: ReportService, store: Store, config: Config
) -> None:
    """A district spans many communes: each one's centre comes from the areas file; a commune
    without one falls back to [reports] center_latitude/center_longitude."""
    hung_loc = await store.areas.commune_by_code("hung-loc")
    assert hung_loc is not None and hung_loc.center == (10.95, 107.16)
    async with store.db.transaction() as tx:
        far_north = await store.areas.upsert_commune(tx, "phuc-xa", "Phường Phúc Xá", None,
                                                     (21.05, 105.85))
        unplaced = await store.areas.upsert_commune(tx, "xa-moi", "Xã Mới", None)
    assert await service.too_far_km(far_north, 21.04, 105.84) is None  # in Hà Nội, near it
    away = await service.too_far_km(far_north, 10.95, 107.16)  # Hưng Lộc, from Hà Nội
    assert away is not None and 1000 < away < 1300
    assert await service.too_far_km(hung_loc.id, 10.96, 107.17) is None
    assert await service.too_far_km(hung_loc.id, 21.04, 105.84) is not None
    assert config.reports.center_latitude == 10.95  # the fallback for a commune without one
    assert await service.too_far_km(unplaced, 10.96, 107.17) is None
    assert await service.too_far_km(unplaced, 21.04, 105.84) is not None


async def test_transitions_are_checked(
    service: ReportService, store: Store, config: Config
) -> None:
    resident = await _resident(store, config)
    filed = await service.file(resident, Draft("trom-cap", "x"))
    assert filed.report is not None
    officer = await store.residents.by_telegram_id(1001)
    assert officer is not None
    report_id = filed.report.id
    assert (await service.act(resident, report_id, Action.ACCEPT)).outcome is Outcome.NOT_ALLOWED
    assert (await service.act(officer, report_id, Action.REJECT)).outcome is Outcome.DONE
    again = await service.act(officer, report_id, Action.ACCEPT)
    assert again.outcome is Outcome.WRONG_STATE
    report = await store.reports.get(report_id)
    assert report is not None and report.state == "rejected" and report.escalate_at is None


async def test_forgetting_a_resident_keeps_their_reports_unlinked(
    service: ReportService, store: Store, config: Config
) -> None:
    resident = await _resident(store, config)
    filed = await service.file(resident, Draft("trom-cap", "x", anonymous=False))
    assert filed.report is not None
    residents = ResidentService(store, Catalog.load(config.content.folder),
                                media_service(store, config))
    forgotten = await residents.forget(resident)
    assert forgotten.reports_kept == 1
    report = await store.reports.get(filed.report.id)
    assert report is not None and report.reporter_id is None and report.description == "x"


async def test_a_reply_finds_its_report_by_code_only_in_the_right_chat(
    service: ReportService, store: Store, config: Config
) -> None:
    """While a message's link is still being recorded, the tracking code in it names the
    report, but only in the commune's staff group, the reporter's own chat, or the chat of
    the leader of the team it is assigned to."""
    resident = await _resident(store, config, telegram_id=4002)
    filed = await service.file(resident, Draft("trom-cap", "Mất xe"))
    assert filed.report is not None
    code, report_id = filed.report.code, filed.report.id
    staff_chat = -1001000000001
    card = f"🆕 {code} · Trộm cắp"
    assert await service.by_message(staff_chat, 77, None) is None  # no link, no text
    found = await service.by_message(staff_chat, 77, card)
    assert found is not None and (found.report.id, found.party) == (report_id, "reporter")
    own = await service.by_message(4002, 78, f"Công an xã về tin {code}: …")
    assert own is not None and (own.report.id, own.party) == (report_id, "reporter")
    assert await service.by_message(4003, 78, f"tin {code}") is None  # someone else's chat
    assert await service.by_message(-100999, 79, card) is None  # another group
    assert await service.by_message(2001, 80, f"Nhiệm vụ — tin {code}") is None  # not assigned

    officer = await store.residents.by_telegram_id(1001)
    team = next(t for t in await store.areas.teams(filed.report.commune_id or 0)
                if t.code == "hn-01")
    assert officer is not None
    assert (await service.act(officer, report_id, Action.ASSIGN, team.id)).outcome is (
        Outcome.DONE)
    task = await service.by_message(2001, 80, f"Nhiệm vụ — tin {code}")
    assert task is not None and (task.report.id, task.party) == (report_id, "leader")
    assert await service.by_message(2002, 80, f"Nhiệm vụ — tin {code}") is None  # other leader

    await service.link(report_id, [(staff_chat, 90)], "leader")
    linked = await service.by_message(staff_chat, 90)
    assert linked is not None and (linked.report.id, linked.party) == (report_id, "leader")


async def test_one_draft_files_one_report_however_many_presses_race(
    service: ReportService, store: Store, config: Config
) -> None:
    """Three "Gửi" on one draft at the same instant: one report, the others get it back."""
    resident = await _resident(store, config)
    draft = Draft("trom-cap", "Mất xe", token="draft-1")
    filed = await asyncio.gather(*(service.file(resident, draft) for _ in range(3)))
    assert sorted(f.outcome for f in filed) == [Outcome.ALREADY, Outcome.ALREADY, Outcome.DONE]
    ids = {f.report.id for f in filed if f.report is not None}
    assert len(ids) == 1
    assert [r.id for r in await store.reports.of_reporter(resident.id)] == list(ids)
    audit = await store.audit.entries("report", ids.pop())
    assert [e.action for e in audit] == ["report.submitted"]
    again = await service.file(resident, draft)  # later, e.g. after a restart
    assert again.outcome is Outcome.ALREADY
    other = await service.file(resident, Draft("trom-cap", "Mất xe", token="draft-2"))
    assert other.outcome is Outcome.DONE  # a new draft is a new report


@pytest.mark.parametrize(("typed", "code"), [
    ("trộm xe", "trom-cap"), ("trom xe may", "trom-cap"), ("bị móc túi ở chợ", "trom-cap"),
    ("đánh bạc", "co-bac"), ("đánh nhau ở quán", "danh-nhau"),
    ("chồng đánh vợ", "bao-luc-gia-dinh"), ("cháy nhà", "chay-no"),
    ("tông xe ngoài đường", "tai-nan"), ("cho vay nặng lãi", "tin-dung-den"),
    ("người lạ", "nguoi-la"), ("theft", "trom-cap"),
])
def test_categories_match_on_the_words_residents_type(
    config: Config, typed: str, code: str
) -> None:
    found = Categories.load(config.content.folder).match(typed)
    assert found is not None and found.code == code


def test_a_category_is_not_guessed_from_words_that_name_none_or_two(config: Config) -> None:
    categories = Categories.load(config.content.folder)
    assert categories.match("hôm qua") is None
    assert categories.match("trộm rồi cháy") is None  # as much the one as the other
