"""A commune's OA tokens: seeded by the CLI (a refresh token, or OAuth v4 consent with
PKCE), kept in SQLite, renewed ahead of expiry, one refresh per OA however many calls wait,
and -216/-220 answered by one refresh and one retry. Through the OA emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.channels.zalo_oa.client import OaError, OaGrantError, TokenPair, ZaloOaClient
from bot.channels.zalo_oa.tokens import NotConnected, TokenKeeper, store_pair
from bot.cli import main
from bot.clock import FakeClock
from bot.config import ConfigError, load_config
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox
from bot.services.areas import AreasFileError, load_areas, parse_areas
from bot.store import Store
from tests.helpers import SAMPLE_AREAS

JSON = dict[str, object]


def areas_with_oa(folder: Path, oa_id: str = DEFAULT_OA) -> Path:
    """The sample areas file, its commune naming the OA."""
    text = SAMPLE_AREAS.read_text(encoding="utf-8")
    path = folder / "areas.toml"
    path.write_text(text.replace('name = "Xã Hưng Lộc"\n',
                                 f'name = "Xã Hưng Lộc"\nzalo_oa_id = "{oa_id}"\n', 1),
                    encoding="utf-8")
    return path


@pytest.fixture
async def oa() -> AsyncIterator[OaSandbox]:
    async with OaSandbox() as emulator:
        yield emulator


@pytest.fixture
async def oa_store(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "oa.sqlite3", clock)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def client(oa: OaSandbox) -> AsyncIterator[ZaloOaClient]:
    made = ZaloOaClient(oa.app_id, oa.app_secret, api_base_url=oa.base_url,
                        oauth_base_url=oa.base_url)
    try:
        yield made
    finally:
        await made.close()


async def seeded(oa: OaSandbox, store: Store, clock: FakeClock) -> None:
    pair = oa.issue_tokens()
    await store_pair(store.zalo_oa, clock, DEFAULT_OA,
                     TokenPair(str(pair["access_token"]), str(pair["refresh_token"]), 90_000))


@pytest.mark.parametrize("code", [-216, -220])
async def test_a_refused_token_is_renewed_once_and_the_call_retried(
    oa: OaSandbox, oa_store: Store, client: ZaloOaClient, clock: FakeClock, code: int,
) -> None:
    lan = oa.user(1, "Lan")
    await seeded(oa, oa_store, clock)
    keeper = TokenKeeper(oa_store.zalo_oa, client, clock)
    oa.expired_code = code
    oa.expire_access_tokens()  # Zalo says expired although our clock thinks it is not

    async def work(token: str) -> JSON:
        return await client.send_message(token, lan.id, {"text": "xin chào"})

    sent = await keeper.call(DEFAULT_OA, work)
    assert sent["message_id"] and oa.stats.refreshes == 1 and oa.stats.expired_tokens == 1
    tokens = await oa_store.zalo_oa.tokens(DEFAULT_OA)
    assert tokens is not None and tokens.generation == 2
    assert oa.stats.reused_refresh_tokens == 0


async def test_many_calls_across_an_expiry_make_one_refresh(
    oa: OaSandbox, oa_store: Store, client: ZaloOaClient, clock: FakeClock,
) -> None:
    people = [oa.user(n, f"Người {n}") for n in range(40)]
    await seeded(oa, oa_store, clock)
    keeper = TokenKeeper(oa_store.zalo_oa, client, clock)
    oa.expire_access_tokens()

    async def send(user_id: str) -> JSON:
        async def work(token: str) -> JSON:
            return await client.send_message(token, user_id, {"text": "thông báo"})
        return await keeper.call(DEFAULT_OA, work)

    results = await asyncio.gather(*(send(person.id) for person in people))
    assert len(results) == 40 and all(result["message_id"] for result in results)
    assert oa.stats.refreshes == 1 and oa.stats.reused_refresh_tokens == 0
    assert oa.stats.sent == 40


async def test_an_access_token_is_renewed_well_before_it_expires(
    oa: OaSandbox, oa_store: Store, client: ZaloOaClient, clock: FakeClock,
) -> None:
    await seeded(oa, oa_store, clock)
    keeper = TokenKeeper(oa_store.zalo_oa, client, clock, refresh_before=timedelta(hours=2))
    first = await keeper.current(DEFAULT_OA)
    assert oa.stats.refreshes == 0
    clock.advance(timedelta(hours=23, minutes=30))  # 1 h 30 left of its 25 h
    renewed = await keeper.current(DEFAULT_OA)
    assert oa.stats.refreshes == 1 and renewed.generation == first.generation + 1
    assert renewed.access_token != first.access_token


async def test_a_refused_refresh_is_recorded_and_reported(
    oa: OaSandbox, oa_store: Store, client: ZaloOaClient, clock: FakeClock,
) -> None:
    await seeded(oa, oa_store, clock)
    tokens = await oa_store.zalo_oa.tokens(DEFAULT_OA)
    assert tokens is not None
    await client.refresh(tokens.refresh_token)  # someone else used it: ours is dead now
    told: list[str] = []

    async def alert(oa_id: str, error: OaGrantError) -> None:
        told.append(oa_id)

    keeper = TokenKeeper(oa_store.zalo_oa, client, clock, on_failure=alert)
    oa.expire_access_tokens()
    clock.advance(timedelta(hours=25))
    with pytest.raises(OaGrantError):
        await keeper.current(DEFAULT_OA)
    after = await oa_store.zalo_oa.tokens(DEFAULT_OA)
    assert after is not None and after.failed_at is not None and "-14014" in (after.failure or "")
    assert told == [DEFAULT_OA] and oa.stats.reused_refresh_tokens == 1
    with pytest.raises(NotConnected):
        await TokenKeeper(oa_store.zalo_oa, client, clock).current("999")
    assert "tokens=<hidden>" in repr(after) and after.refresh_token not in repr(after)


async def test_an_api_error_is_not_a_token_error(
    oa: OaSandbox, oa_store: Store, client: ZaloOaClient, clock: FakeClock,
) -> None:
    stranger = oa.user(2, "Khách", followed=False)
    await seeded(oa, oa_store, clock)
    keeper = TokenKeeper(oa_store.zalo_oa, client, clock)

    async def work(token: str) -> JSON:
        return await client.send_message(token, stranger.id, {"text": "a"})

    with pytest.raises(OaError) as caught:
        await keeper.call(DEFAULT_OA, work)
    assert caught.value.code == -213 and oa.stats.refreshes == 0


# --- the areas file and the command line ------------------------------------------------------


def oa_config(folder: Path, oa: OaSandbox, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(
        f'[telegram]\n[database]\npath = "anninh.sqlite3"\n[zalo_oa]\napp_id = "{oa.app_id}"\n'
        f'api_base_url = "{oa.base_url}"\noauth_base_url = "{oa.base_url}"\n{extra}',
        encoding="utf-8")
    return path


async def test_the_areas_file_names_a_communes_oa(tmp_path: Path, oa_store: Store) -> None:
    catalog = Catalog.load(load_config(oa_config_plain(tmp_path)).content.folder)
    await load_areas(oa_store, parse_areas(areas_with_oa(tmp_path), catalog), "test")
    assert await oa_store.zalo_oa.oa_of_commune("hung-loc") == (
        await oa_store.zalo_oa.commune_of(DEFAULT_OA), DEFAULT_OA)
    bad = tmp_path / "bad.toml"
    bad.write_text('[[commune]]\ncode = "x"\nname = "X"\nzalo_oa_id = 12\n', encoding="utf-8")
    with pytest.raises(AreasFileError, match="zalo_oa_id"):
        parse_areas(bad, catalog)


def oa_config_plain(folder: Path) -> Path:
    path = folder / "plain.toml"
    path.write_text('[telegram]\n[database]\npath = "anninh.sqlite3"\n', encoding="utf-8")
    return path


async def test_zalo_token_and_connect_store_the_pair(
    tmp_path: Path, oa: OaSandbox, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ZALO_APP_SECRET", oa.app_secret)
    config = oa_config(tmp_path, oa, 'redirect_uri = "https://anninh.example.vn/zalo/oauth"\n')
    areas = areas_with_oa(tmp_path)
    load = ["areas", "load", str(areas), "--config", str(config)]
    assert await asyncio.to_thread(main, load) == 0
    seed = str(oa.issue_tokens()["refresh_token"])
    args = ["zalo", "token", "--commune", "hung-loc", "--refresh-token", seed,
            "--config", str(config)]
    assert await asyncio.to_thread(main, args) == 0
    assert oa.stats.refreshes == 1
    assert await asyncio.to_thread(main, args) == 1  # single-use: the second time Zalo refuses
    assert "-14014" in capsys.readouterr().err

    connect = ["zalo", "connect", "--commune", "hung-loc", "--config", str(config)]
    assert await asyncio.to_thread(main, connect) == 0
    link = capsys.readouterr().out.splitlines()[1]
    assert "code_challenge=" in link and "redirect_uri=https" in link
    code, _ = oa.approve(link)
    assert await asyncio.to_thread(main, [*connect, "--code", code]) == 0
    store = await Store.open(load_config(config).database.path)
    try:
        tokens = await store.zalo_oa.tokens(DEFAULT_OA)
    finally:
        await store.close()
    assert tokens is not None and tokens.generation == 2 and tokens.access_token
    assert await asyncio.to_thread(main, [*connect, "--code", code]) == 1  # used up


def test_run_without_the_oa_secrets_names_the_variable_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("ZALO_APP_SECRET", "s")
    monkeypatch.delenv("ZALO_OA_SECRET_KEY", raising=False)
    config_path = tmp_path / "config.toml"
    config_path.write_text('[telegram]\n[database]\npath = "a.sqlite3"\n'
                           '[zalo_oa]\napp_id = "123"\n', encoding="utf-8")
    assert main(["run", "--config", str(config_path)]) == 2
    error = capsys.readouterr().err
    assert "ZALO_OA_SECRET_KEY" in error and error.count("\n") == 1


def test_a_bad_zalo_oa_section_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[zalo_oa]\napp_id = "abc"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[zalo_oa\] app_id"):
        load_config(path)
    path.write_text('[zalo_oa]\napp_id = "1"\n[zalo_oa.templates]\nalarm = 5\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="templates"):
        load_config(path)
    path.write_text('[zalo_oa]\napp_id = "1"\n[zalo_oa.templates]\nalarm = "t1"\n',
                    encoding="utf-8")
    section = load_config(path).zalo_oa
    assert section is not None and section.templates == {"alarm": "t1"}
