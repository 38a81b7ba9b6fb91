"""`Services`: every service, built once and handed to flows, channels and the web console
alike; no messenger library here."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.delivery import DeliveryEngine
from bot.events import Events
from bot.i18n import I18n
from bot.media import MediaStore
from bot.scheduler import Scheduler
from bot.services.accounts import AccountService
from bot.services.alarms import AlarmService
from bot.services.api_keys import ApiKeyService
from bot.services.broadcasts import BroadcastService
from bot.services.campaigns import CampaignService
from bot.services.cards import Cards
from bot.services.categories import Categories
from bot.services.console import ConsoleService
from bot.services.conversation import ConversationService
from bot.services.figures import FiguresService
from bot.services.media import MediaService
from bot.services.officers import OfficerService
from bot.services.open311 import Open311Service
from bot.services.patrol_leader import PatrolLeaderService
from bot.services.patrol_swaps import PatrolSwapService
from bot.services.patrols import PatrolService
from bot.services.points import PointsService, load_rules
from bot.services.relays import RelayService
from bot.services.reports import ReportService
from bot.services.residents import ResidentService
from bot.services.review import CommitmentService
from bot.services.stats import StatsService
from bot.services.team_messages import TeamMessageService
from bot.services.teams import TeamService
from bot.services.triage import TriageService
from bot.services.web_auth import WebAuthService
from bot.store import Store


@dataclass(frozen=True)
class Services:
    config: Config
    store: Store
    i18n: I18n
    catalog: Catalog
    clock: Clock
    residents: ResidentService
    teams: TeamService
    officers: OfficerService
    reports: ReportService
    alarms: AlarmService
    stats: StatsService
    delivery: DeliveryEngine
    broadcasts: BroadcastService
    scheduler: Scheduler
    campaigns: CampaignService
    relays: RelayService
    media: MediaService
    events: Events
    accounts: AccountService
    cards: Cards
    triage: TriageService
    web_auth: WebAuthService
    console: ConsoleService
    team_messages: TeamMessageService
    patrols: PatrolService
    patrol_leader: PatrolLeaderService
    patrol_swaps: PatrolSwapService
    commitments: CommitmentService
    points: PointsService
    api_keys: ApiKeyService
    open311: Open311Service
    conversation: ConversationService
    figures: FiguresService

    @classmethod
    def build(cls, config: Config, store: Store, clock: Clock | None = None) -> Services:
        i18n = I18n.load(config.content.folder, config.locale.default_language)
        catalog = Catalog.load(config.content.folder)
        clock = clock or SystemClock()
        media = MediaService(store, MediaStore(config.media.folder, clock), config.media, clock)
        residents = ResidentService(store, catalog, media)
        teams = TeamService(store, config.teams, clock)
        reports = ReportService(
            store, config.reports, clock, Categories.load(config.content.folder))
        alarms = AlarmService(store, catalog, config.alarms, clock)
        delivery = DeliveryEngine(store, config.broadcast, clock, config.locale.tz)
        broadcasts = BroadcastService(store, delivery, i18n)
        scheduler = Scheduler(store, delivery, broadcasts, config, catalog, media.files)
        relays, events = RelayService(store, delivery, media.files), Events()
        patrols = PatrolService(store, delivery, i18n, clock, config.locale.tz)
        scheduler.hooks.append(patrols.tick)
        cards = Cards(store, i18n, reports, clock, config.locale.tz)
        triage = TriageService(store, i18n, reports, cards, relays, delivery, events, media.files)
        triage.forget_person = residents.forget  # an unregistered reporter, once told the end
        points = PointsService(store, clock, config.locale.tz, load_rules(config.content.folder))
        triage.points = points
        api_keys = ApiKeyService(store, clock)
        return cls(
            config=config, store=store, i18n=i18n, catalog=catalog, clock=clock,
            residents=residents, teams=teams, officers=OfficerService(store),
            reports=reports, alarms=alarms, stats=StatsService(store, clock, config.locale.tz),
            delivery=delivery, broadcasts=broadcasts, scheduler=scheduler,
            campaigns=CampaignService(store, points), relays=relays,
            events=events, accounts=AccountService(store, clock), media=media, cards=cards,
            triage=triage,
            web_auth=WebAuthService(store, clock),
            console=ConsoleService(store, reports, clock, config.locale.tz),
            team_messages=TeamMessageService(store, delivery, i18n), patrols=patrols,
            patrol_leader=PatrolLeaderService(store, delivery, i18n, clock, patrols, points),
            patrol_swaps=PatrolSwapService(store, delivery, i18n, clock, patrols),
            commitments=CommitmentService(store, clock, config.locale.tz),
            points=points,
            api_keys=api_keys, open311=Open311Service(
                store, config, i18n, reports, api_keys, media, events, clock),
            conversation=ConversationService(store, i18n, reports, relays, config.locale.tz),
            figures=FiguresService(store, i18n, catalog, reports.categories, clock,
                                   config.locale.tz),
        )
