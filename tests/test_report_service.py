"""ReportService and ReportStore on real SQLite: filing, limits, transitions, erasure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import Config
from bot.models import Resident, closed_states, is_open, open_states, tracking_code
from bot.services.categories import Categories
from bot.services.reports import Action, Draft, Outcome, ReportService, distance_km
from bot.services.residents import ResidentService
from bot.store import Store


@pytest.fixture
def service(store: Store, config: Config, clock: FakeClock) -> ReportService:
    return ReportService(store, config.reports, clock, Categories.load(config.content.folder))


async def _resident(store: Store, config: Config, telegram_id: int = 4001) -> Resident:
    residents = ResidentService(store, Catalog.load(config.content.folder))
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
    for _ in range(config.reports.max_per_hour):
        assert (await service.file(resident, Draft("trom-cap", "x"))).outcome is Outcome.DONE
    assert (await service.file(resident, Draft("trom-cap", "x"))).outcome is Outcome.RATE_LIMITED
    clock.advance(timedelta(minutes=61))
    assert await service.may_report(resident)


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
    residents = ResidentService(store, Catalog.load(config.content.folder))
    forgotten = await residents.forget(resident)
    assert forgotten.reports_kept == 1
    report = await store.reports.get(filed.report.id)
    assert report is not None and report.reporter_id is None and report.description == "x"


async def test_a_reply_finds_its_report_by_code_only_in_the_right_chat(
    service: ReportService, store: Store, config: Config
) -> None:
    """While a card's link is still being recorded, the tracking code in it names the report,
    but only in the commune's staff group or the reporter's own chat."""
    resident = await _resident(store, config, telegram_id=4002)
    filed = await service.file(resident, Draft("trom-cap", "Mất xe"))
    assert filed.report is not None
    code = filed.report.code
    staff_chat = -1001000000001
    card = f"🆕 {code} · Trộm cắp"
    assert await service.by_message(staff_chat, 77, None) is None  # no link, no text
    found = await service.by_message(staff_chat, 77, card)
    assert found is not None and found.id == filed.report.id
    own = await service.by_message(4002, 78, f"Công an xã về tin {code}: …")
    assert own is not None and own.id == filed.report.id
    assert await service.by_message(4003, 78, f"tin {code}") is None  # someone else's chat
    assert await service.by_message(-100999, 79, card) is None  # another group
