"""The services every handler reaches through `context.services`, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.catalog import Catalog
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.i18n import I18n
from bot.services.residents import ResidentService
from bot.services.teams import TeamService
from bot.store import Store

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    config: Config
    store: Store
    i18n: I18n
    catalog: Catalog
    clock: Clock
    residents: ResidentService
    teams: TeamService

    @classmethod
    def build(cls, config: Config, store: Store, clock: Clock | None = None) -> Services:
        i18n = I18n.load(config.content.folder, config.locale.default_language)
        catalog = Catalog.load(config.content.folder)
        residents = ResidentService(store, catalog)
        teams = TeamService(store, config.teams)
        return cls(config, store, i18n, catalog, clock or SystemClock(), residents, teams)


class AppContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the services."""

    @property
    def services(self) -> Services:
        return cast(Services, self.bot_data[SERVICES_KEY])


AnninhApp = Application[
    ExtBot[None], AppContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
