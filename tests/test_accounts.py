"""One person on two messengers: accounts in the areas file, and /lienket's one-time code."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox
from bot.sandbox.zalo import ZaloSandbox, zalo_id
from bot.services.accounts import parse_account
from bot.services.areas import AreasFileError, load_areas, parse_areas
from bot.store import Store
from tests.helpers import onboard, onboard_on_zalo


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


@pytest.mark.parametrize(("given", "expected"), [
    (1001, ("telegram", "1001")), ("telegram:1001", ("telegram", "1001")),
    ("zalo:8f3a9c", ("zalo", "8f3a9c")), ("zalo_oa:12345678", ("zalo_oa", "12345678")),
    ("viber:1", None), ("telegram:abc", None), ("zalo:a b", None), (True, None), (0, None),
    ("1001", None), (None, None),
])
def test_accounts_as_the_areas_file_names_them(given: object, expected: object) -> None:
    assert parse_account(given) == expected


async def test_officers_and_leaders_may_be_zalo_accounts(
    store: Store, config: Config, tmp_path: Path,
) -> None:
    officer, leader = zalo_id(71), zalo_id(72)
    areas = tmp_path / "areas.toml"
    areas.write_text(f"""
[[commune]]
code = "xa-moi"
name = "Xã Mới"
officers = [1009, "zalo:{officer}"]
[[commune.hamlet]]
code = "ap-1"
name = "Ấp Một"
[[commune.hamlet.team]]
code = "t1"
name = "Tổ 1"
kind = "to-an-ninh-nhan-dan"
leader = "zalo:{leader}"
join_code = "XM01"
""", encoding="utf-8")
    catalog = Catalog.load(config.content.folder)
    await load_areas(store, parse_areas(areas, catalog), "test")
    officer_id = await store.accounts.resident_of("zalo", officer)
    assert officer_id is not None
    person = await store.residents.get(officer_id)
    assert person is not None and person.telegram_id is None
    communes = {c.code for c in await store.areas.staff_communes(officer_id)}
    assert communes == {"xa-moi"}
    leader_id = await store.accounts.resident_of("zalo", leader)
    assert leader_id is not None
    assert [m.role for _, m in await store.memberships.of_resident(leader_id)] == ["leader"]
    areas.write_text(areas.read_text(encoding="utf-8").replace(
        f'"zalo:{leader}"', '"zalo:not hex!"'), encoding="utf-8")
    with pytest.raises(AreasFileError, match="leader must be an account"):
        parse_areas(areas, catalog)


async def test_a_code_from_telegram_links_the_zalo_account_to_the_same_person(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, bot: AnninhApp, clock: FakeClock,
) -> None:
    lan = sandbox.user(3101, first_name="Lan")
    await onboard(lan)
    await lan.command("lienket")
    code = next(w for w in (await lan.wait_for("Mã liên kết")).text.split()
                if len(w) == 8 and w.isupper())
    on_zalo = zalo.user(3101, "Lan Zalo")
    await on_zalo.send(f"lien ket {code.lower()}")  # a keyword; the code in any case
    await on_zalo.wait_for("Đã liên kết")
    person = await store.residents.by_telegram_id(3101)
    assert person is not None
    assert await store.accounts.resident_of("zalo", on_zalo.id) == person.id
    clock.advance(timedelta(minutes=2))
    await on_zalo.send("báo tin")  # her consent and commune hold on Zalo: no onboarding
    await on_zalo.wait_for("Sự việc thuộc loại nào")
    # the outbox reaches her where she wrote last
    assert (await store.routes.recipients([person.id]))[person.id].channel == "zalo"
    clock.advance(timedelta(minutes=2))
    await lan.command("trogiup")
    await lan.wait_for("/baotin")
    assert (await store.routes.recipients([person.id]))[person.id].channel == "telegram"
    again = zalo.user(3102, "Kẻ lạ")
    await again.send(f"lienket {code}")  # the code was used up
    await again.wait_for("Mã không đúng")


async def test_an_account_with_its_own_data_is_not_merged(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    minh = sandbox.user(3103, first_name="Minh")
    await onboard(minh)
    await minh.command("lienket")
    code = next(w for w in (await minh.wait_for("Mã liên kết")).text.split()
                if len(w) == 8 and w.isupper())
    other = zalo.user(3103, "Minh Zalo")
    await onboard_on_zalo(other)
    await other.send(f"lienket {code}")
    await other.wait_for("đã có dữ liệu riêng")
    person = await store.residents.by_telegram_id(3103)
    assert person is not None
    assert await store.accounts.resident_of("zalo", other.id) != person.id
