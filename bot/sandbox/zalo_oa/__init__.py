"""A local Zalo Official Account emulator with simulated followers (tests, demo, benchmarks)."""

from bot.sandbox.zalo_oa.api import challenge_of
from bot.sandbox.zalo_oa.emulator import APP_ID, APP_SECRET, DEFAULT_OA, OA_SECRET, OaSandbox
from bot.sandbox.zalo_oa.people import SimOaUser
from bot.sandbox.zalo_oa.webhook import SIGNATURE_HEADER, signature
from bot.sandbox.zalo_oa.world import OaApiError, OaStats, oa_user_id

__all__ = [
    "APP_ID", "APP_SECRET", "DEFAULT_OA", "OA_SECRET", "SIGNATURE_HEADER", "OaApiError",
    "OaSandbox", "OaStats", "SimOaUser", "challenge_of", "oa_user_id", "signature",
]
