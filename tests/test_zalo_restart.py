"""The bot restarted while a Zalo long poll was waiting: the next message is not lost."""

from __future__ import annotations

import pytest

from bot.sandbox.zalo import ZaloSandbox
from tests.helpers import BotRunner, onboard_on_zalo


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_a_message_right_after_a_restart_is_answered(
    zalo: ZaloSandbox, runner: BotRunner
) -> None:
    """The stopped bot's getUpdates hangs up; the update it would have taken stays for the
    new one (Zalo's getUpdates has no offset: a dropped poll must not swallow a message)."""
    await runner.start()
    lan = zalo.user(77, "Lan")
    await onboard_on_zalo(lan)
    await runner.stop()
    await runner.start()
    await lan.send("2")
    await lan.wait_for("báo tin")  # the answer to a message outside any flow
