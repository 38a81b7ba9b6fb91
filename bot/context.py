"""The PTB callback context, with typed access to the services and the flow runner."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.dialog.runner import Runner
from bot.services.container import Services

__all__ = ["RUNNER_KEY", "SERVICES_KEY", "AnninhApp", "AppContext", "Services"]

SERVICES_KEY = "services"
RUNNER_KEY = "runner"


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the services."""

    @property
    def services(self) -> Services:
        return cast(Services, self.bot_data[SERVICES_KEY])

    @property
    def runner(self) -> Runner:
        return cast(Runner, self.bot_data[RUNNER_KEY])


AnninhApp = Application[
    ExtBot[None], AppContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
