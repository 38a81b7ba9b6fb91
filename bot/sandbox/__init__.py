"""A local Telegram Bot API emulator with simulated users (tests, demo, benchmarks, console)."""

from bot.sandbox.emulator import Sandbox
from bot.sandbox.people import SimGroup, SimUser
from bot.sandbox.views import BotMessage, CallbackAnswer, Event, format_event
from bot.sandbox.world import ApiError, RateLimits

__all__ = [
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "Event",
    "RateLimits",
    "Sandbox",
    "SimGroup",
    "SimUser",
    "format_event",
]
