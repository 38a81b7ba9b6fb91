"""Token trouble is visible: when Zalo refuses to renew an OA's tokens, the commune's officers
hear of it on their other channels (the staff group here), through the outbox, and `anninh
doctor` names the OA and the command that mends it."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import ZALO_OA_KEY
from bot.cli import main
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import SimGroup
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox
from bot.store import Store
from tests.oa_kit import oa_section
from tests.test_zalo_oa_channel import connected, oa, onboard_on_oa  # noqa: F401 - fixtures


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch)


async def test_a_refused_renewal_alerts_the_officers_and_shows_in_doctor(
    connected: OaSandbox, store: Store, config: Config, bot: AnninhApp,  # noqa: F811
    staff_group: SimGroup, capsys: pytest.CaptureFixture[str],
) -> None:
    lan = connected.user(81, "Lan", followed=False)
    await onboard_on_oa(lan)
    connected.revoke_refresh_tokens()
    connected.expire_access_tokens()
    await lan.send("menu")
    alert = await staff_group.wait_for("Zalo OA của Xã Hưng Lộc đã ngừng hoạt động")
    assert "anninh zalo connect --commune hung-loc" in alert.text
    await lan.send("trợ giúp")  # more to send: Zalo is not asked again, nor officers told
    await connected.drained()
    await bot.bot_data[ZALO_OA_KEY].idle()
    assert connected.stats.reused_refresh_tokens == 1
    alerts = await store.db.fetchall("SELECT id FROM broadcasts WHERE origin = ?",
                                     (f"zalo_oa:{DEFAULT_OA}:tokens",))
    assert len(alerts) == 1
    tokens = await store.zalo_oa.tokens(DEFAULT_OA)
    assert tokens is not None and tokens.failed_at is not None
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["doctor", "--config", str(config.source)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"zalo_oa: Zalo refused to renew the tokens of OA {DEFAULT_OA} (commune " \
        "hung-loc)" in out
    assert "anninh zalo connect --commune hung-loc" in out
