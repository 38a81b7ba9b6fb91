"""A campaign that names no commune (as the shipped samples, written for any deployment): it
speaks to the deployment's first commune (a one-commune deployment's own), whose officers
manage it; where there are several, a warning says to name one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.store import Store
from tests.helpers import copy_content, services_of
from tests.test_announce import received, resident

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ANYWHERE = """+++
id = "khoa-cua-sang"
title = "Nhắc khóa cửa khi ra đồng"
schedule = ["30 9 * * *"]
audience = { hamlets = ["hung-hiep"] }
+++
Ra đồng buổi sáng, nhớ khóa cửa và gửi chìa cho hàng xóm tin cậy.
"""
SOURCE = "campaign:khoa-cua-sang"


@pytest.fixture
def config_extra(tmp_path: Path) -> str:
    content = copy_content(tmp_path)
    (content / "campaigns" / "khoa-cua-sang.md").write_text(ANYWHERE, encoding="utf-8")
    return f'[content]\nfolder = "{content}"\n[broadcast]\nquiet_hours = ""\n'


async def test_a_campaign_naming_no_commune_speaks_to_the_first_one(
    sandbox: Sandbox, bot: AnninhApp, store: Store, clock: FakeClock, officer: SimUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    village = {"chi": await resident(store, sandbox, 3201, "hung-hiep"),
               "binh": await resident(store, sandbox, 3202, "hung-nhon")}
    services = services_of(bot)
    campaign = next(c for c in services.scheduler.campaigns() if c.source == SOURCE)
    hung_loc = await store.residents.by_telegram_id(1001)
    assert hung_loc is not None and await services.campaigns.may_manage(hung_loc, campaign)

    clock.set(datetime(2026, 11, 26, 9, 30, tzinfo=TZ).astimezone(UTC))
    assert SOURCE in [source for source, _ in (await services.scheduler.tick(clock.now())).sent]
    await village["chi"].wait_for("nhớ khóa cửa")
    assert await received(village, "nhớ khóa cửa") == {"chi"}  # its hamlet only

    async with store.db.transaction() as tx:  # the deployment grows to a second commune
        new = await store.areas.upsert_commune(tx, "xa-moi", "Xã Mới", None)
        stranger = await store.residents.ensure(tx, 1009)
        await store.residents.grant_role(tx, stranger, "officer", new, "test")
    newcomer = await store.residents.get(stranger)
    assert newcomer is not None and not await services.campaigns.may_manage(newcomer, campaign)
    assert await services.campaigns.may_manage(hung_loc, campaign)  # still the first's
    clock.set(datetime(2026, 11, 27, 9, 30, tzinfo=TZ).astimezone(UTC))
    with caplog.at_level(logging.WARNING, logger="bot.scheduler"):
        result = await services.scheduler.tick(clock.now())
    assert SOURCE in [source for source, _ in result.sent]  # to Hưng Lộc, loaded first
    assert "no commune named: it goes to hung-loc, the first of the deployment's 2" in caplog.text
