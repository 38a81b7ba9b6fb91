"""Fixtures: a Telegram sandbox, a config pointing at it, and the real bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import Config, load_config
from bot.context import AnninhApp
from bot.delivery import DeliveryEngine
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.zalo import ZaloSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.delivery_kit import DATABASE, FAST, TZ
from tests.helpers import (
    LEADER_ID,
    OFFICER_ID,
    SAMPLE_AREAS,
    STAFF_CHAT_ID,
    BotRunner,
    zalo_section,
)
from tests.people import CHANNELS, Channel, People


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--wall-clock", metavar="YYYY-MM-DD", default=None,
        help="run with the wall clock moved to this date (time keeps ticking): any rule that "
        "reads the wall clock instead of the injected Clock then fails",
    )


@pytest.fixture(autouse=True, scope="session")
def _wall_clock(pytestconfig: pytest.Config) -> Iterator[None]:
    moved = pytestconfig.getoption("--wall-clock")
    if moved is None:
        yield
        return
    import time_machine

    with time_machine.travel(date.fromisoformat(moved), tick=True):
        yield


def write_config(folder: Path, api_base_url: str, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(
        f'[telegram]\napi_base_url = "{api_base_url}"\n\n[database]\npath = "anninh.sqlite3"\n'
        + extra,
        encoding="utf-8",
    )
    return path


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as emulator:
        yield emulator


@pytest.fixture
def config_extra() -> str:
    """Override in a test module to add config sections."""
    return ""


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloSandbox]:
    """A Zalo Bot Platform sandbox (the bot talks to it where `zalo_config` is in the config)."""
    async with ZaloSandbox() as emulator:
        yield emulator


@pytest.fixture
def zalo_config(zalo: ZaloSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """config.toml's [zalo_bot] for the bot to talk to the `zalo` sandbox, its token set:
    a module puts it in its `config_extra` to run the bot on both channels."""
    monkeypatch.setenv("ZALO_BOT_TOKEN", zalo.token)
    return zalo_section(zalo)


@pytest.fixture
def config(tmp_path: Path, sandbox: Sandbox, config_extra: str) -> Config:
    """The bot's config: the sandbox, a database of its own, `config_extra`; the shipped
    content unless `config_extra` names its own (its campaigns name no commune: they speak to
    the suite's)."""
    return load_config(write_config(tmp_path, sandbox.api_base_url, config_extra))


@pytest.fixture
async def store(config: Config, clock: FakeClock) -> AsyncIterator[Store]:
    """The bot's database with the sample commune loaded (a second connection, for checks)."""
    opened = await Store.open(config.database.path, clock)
    try:
        catalog = Catalog.load(config.content.folder)
        await load_areas(opened, parse_areas(SAMPLE_AREAS, catalog), "test")
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def clock() -> FakeClock:
    """The bot's clock in tests: 08:00 in Vietnam on 2026-11-24 until a test moves it."""
    return FakeClock()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Store]:
    """An empty database of its own (no areas, no bot): for the store and the engine."""
    opened = await Store.open(tmp_path / DATABASE)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def engine(db: Store, clock: FakeClock) -> AsyncIterator[DeliveryEngine]:
    """A delivery engine on `db`, not started, that retries at once."""
    delivery = DeliveryEngine(db, FAST, clock, TZ)
    delivery.backoff = 0.01
    try:
        yield delivery
    finally:
        await delivery.stop()


@pytest.fixture
async def runner(config: Config, store: Store, clock: FakeClock) -> AsyncIterator[BotRunner]:
    bots = BotRunner(config, clock)
    try:
        yield bots
    finally:
        await bots.stop_all()


@pytest.fixture
async def bot(runner: BotRunner) -> AnninhApp:
    return await runner.start()


@pytest.fixture
def officer(sandbox: Sandbox) -> SimUser:
    return sandbox.user(OFFICER_ID, first_name="Cán bộ Hùng")


@pytest.fixture
def leader(sandbox: Sandbox) -> SimUser:
    return sandbox.user(LEADER_ID, first_name="Tổ trưởng Bình")


@pytest.fixture
def staff_group(sandbox: Sandbox, officer: SimUser) -> SimGroup:
    return sandbox.group(STAFF_CHAT_ID, "Công an xã Hưng Lộc", members=[officer])


@pytest.fixture(params=CHANNELS)
def channel(request: pytest.FixtureRequest) -> Channel:
    """The messenger of a story told the same on each (tests/people.py); a module that uses it
    runs the bot on both, with `zalo_config` in its `config_extra`."""
    channel: Channel = request.param
    return channel


@pytest.fixture
def people(sandbox: Sandbox, zalo: ZaloSandbox, channel: Channel) -> People:
    return People(sandbox, zalo, channel)
