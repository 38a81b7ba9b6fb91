"""What the web console's tests share: the console's app on the test's database (no bot),
the sample commune's people, a report to look at, and a session per persona."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp.test_utils import TestClient, TestServer

from bot.catalog import Catalog
from bot.clock import Clock
from bot.config import Config
from bot.models import Report, ReportPhoto, Resident
from bot.services.container import Services
from bot.services.report_values import Draft, Outcome
from bot.services.residents import ResidentService
from bot.services.web_auth import digest
from bot.store import Store
from bot.web.server import build_app

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64 + b"\xff\xd9"
OGG = b"OggS\x00\x02" + b"\x00" * 64  # the start of a voice note as Telegram sends it
COOKIE = "anninh"  # the session cookie over plain HTTP


@dataclass(frozen=True)
class People:
    officer: Resident  # Hưng Lộc's officer (Telegram 1001)
    stranger_officer: Resident  # an officer of another commune only
    resident: Resident


async def person(services: Services, config: Config, telegram_id: int, name: str) -> Resident:
    residents = ResidentService(services.store, Catalog.load(config.content.folder),
                                services.media)
    someone = await residents.ensure(telegram_id)
    someone = await residents.give_consent(someone, "v1", name, "vi")
    hung_loc = await services.store.areas.commune_by_code("hung-loc")
    assert hung_loc is not None
    async with services.store.db.transaction() as tx:
        await services.store.residents.update(tx, someone.id, commune_id=hung_loc.id)
    fresh = await services.store.residents.get(someone.id)
    assert fresh is not None
    return fresh


async def people(services: Services, config: Config) -> People:
    store = services.store
    officer = await person(services, config, 1001, "Cán bộ Hùng")
    other = await person(services, config, 1002, "Cán bộ Phú Hội")
    async with store.db.transaction() as tx:
        commune_id = await store.areas.upsert_commune(tx, "phu-hoi", "Xã Phú Hội", None)
        await store.residents.grant_role(tx, other.id, "officer", commune_id, "test")
    resident = await person(services, config, 4001, "Nguyễn Văn Hà")
    return People(officer, other, resident)


async def file_report(services: Services, reporter: Resident, *, anonymous: bool = True,
                      photo: bool = False, voice: bool = False,
                      description: str = "Mất trộm xe máy") -> Report:
    photos = []
    if photo:
        ref = await services.media.files.put(JPEG, "photo", "image/jpeg")
        photos = [ReportPhoto(None, None, ref.key)]
    voice_key = None
    if voice:
        voice_key = (await services.media.files.put(OGG, "voice", "audio/ogg")).key
    filed = await services.reports.file(reporter, Draft(
        "trom-cap", description, address="Ấp Hưng Nhơn, gần chợ", photos=photos,
        anonymous=anonymous, voice_media_key=voice_key))
    assert filed.outcome is Outcome.DONE and filed.report is not None
    return filed.report


async def session_of(services: Services, someone: Resident) -> str:
    """A session cookie's value for an officer, through a login link as the console gives."""
    issued = await services.web_auth.issue(someone, "cli")
    assert issued.token is not None
    logged_in = await services.web_auth.log_in(issued.token)
    assert logged_in is not None
    return logged_in.token


async def forged_session(store: Store, someone: Resident, clock: Clock) -> str:
    """A session row for anyone (a resident never gets one from a link): the console must
    still check the role on each request."""
    token = f"forged-{someone.id}"
    now = clock.now().isoformat(timespec="seconds")
    async with store.db.transaction() as tx:
        await store.web.put_session(tx, digest(token), someone.id, "csrf-x", "cli", None, now,
                                    "2999-01-01T00:00:00+00:00")
    return token


def csrf_in(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, "no form on the page"
    return found[1]


def token_in(page: str) -> str:
    """The draft token a form that acts once carries (a gong, a new team)."""
    found = re.search(r'name="token" value="([^"]+)"', page)
    assert found is not None, "no such form on the page"
    return found[1]


async def console_client(services: Services, config: Config) -> AsyncIterator[TestClient]:
    web = config.web_on
    assert web is not None
    client = TestClient(TestServer(build_app(services, web, None)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
