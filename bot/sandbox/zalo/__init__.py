"""A local Zalo Bot Platform emulator with simulated people (tests, demo, benchmarks)."""

from bot.sandbox.zalo.emulator import DEFAULT_TOKEN, ZaloSandbox
from bot.sandbox.zalo.people import SimZaloUser
from bot.sandbox.zalo.views import ZaloBotMessage, choice_lines
from bot.sandbox.zalo.world import ZaloApiError, ZaloEvent, ZaloStats, zalo_id

__all__ = [
    "DEFAULT_TOKEN",
    "SimZaloUser",
    "ZaloApiError",
    "ZaloBotMessage",
    "ZaloEvent",
    "ZaloSandbox",
    "ZaloStats",
    "choice_lines",
    "zalo_id",
]
