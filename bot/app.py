"""Build the python-telegram-bot Application: the one place that wires everything."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

from telegram import BotCommand, BotCommandScopeDefault
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.channels.telegram import alarm_live, join_requests
from bot.channels.telegram import cards as telegram_cards
from bot.channels.telegram import handlers as telegram_handlers
from bot.channels.telegram.dialog import TelegramReplier
from bot.channels.telegram.off import OFF_TOKEN, TelegramOff
from bot.channels.zalo_bot.channel import ZaloBotChannel
from bot.channels.zalo_bot.client import ZaloBotClient
from bot.channels.zalo_bot.sender import ZaloSender
from bot.channels.zalo_oa.channel import ZaloOaChannel
from bot.clock import Clock, SystemClock
from bot.config import Config
from bot.context import RUNNER_KEY, SERVICES_KEY, AnninhApp, AppContext, Services
from bot.dialog import Replier
from bot.dialog.runner import Runner
from bot.doctor import photo_address_warning
from bot.models import Account, Alarm, Channel
from bot.pacing import PacerConfig
from bot.persistence import SqlitePersistence
from bot.scheduler import TICK_SECONDS
from bot.sending import Sender
from bot.services.media import SWEEP_EVERY
from bot.telegram_sender import TelegramSender
from bot.transport import AiohttpRequest
from bot.updates import PerChatUpdateProcessor, ResilientBot
from bot.web.media import MediaLinks
from bot.web.server import WebServer
from handlers import alarm_answers
from handlers.alarm_count import CallerCount, reached_by_zbs

log = logging.getLogger(__name__)

ZALO_BOT_KEY = "zalo_bot"
ZALO_OA_KEY = "zalo_oa"
MEDIA_LINKS_KEY = "media_links"
WEB_KEY = "web"
CALLER_COUNT_KEY = "caller_count"
ZALO_TOKEN_KEY = "zalo_bot_token"
ZALO_OA_SECRETS_KEY = "zalo_oa_secrets"

# The command menu: (command, text key). Aliases work but are not listed.
MENU = (
    ("start", "menu.start"),
    ("baotin", "menu.report"),
    ("tindabao", "menu.myreports"),
    ("thamgia", "menu.join"),
    ("to", "menu.myteam"),
    ("tuantra", "menu.patrol"),
    ("diem", "menu.points"),
    ("camket", "menu.pledge"),
    ("caidat", "menu.settings"),
    ("dulieu", "menu.mydata"),
    ("trogiup", "menu.help"),
)


def build_application(
    config: Config, token: str, clock: Clock | None = None, *, zalo_token: str | None = None,
    zalo_oa_secrets: tuple[str, str] | None = None,
) -> AnninhApp:
    """The Application for this config; nothing runs until it is started.

    `clock` replaces the system clock (tests move time by hand); `zalo_token` the Zalo bot
    token and `zalo_oa_secrets` the Zalo app secret and OA secret key otherwise read from the
    environment (the offline demo's, which leaves it alone)."""
    clock = clock or SystemClock()
    persistence = SqlitePersistence(config.database.path, clock=clock)
    telegram_on = config.telegram.enabled
    if not telegram_on:  # the Application runs the flows' machinery, its Bot stays offline
        token = OFF_TOKEN
    app = cast(AnninhApp, (
        ApplicationBuilder()
        .bot(ResilientBot(
            token,
            base_url=config.telegram.api_base_url,
            base_file_url=config.telegram.file_base_url,
            defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=config.locale.tz),
            # the fast transport (bot/transport.py); one long poll at a time
            request=AiohttpRequest() if telegram_on else TelegramOff(),
            get_updates_request=AiohttpRequest(connections=1) if telegram_on else TelegramOff(),
        ))
        .context_types(ContextTypes(context=AppContext))
        .persistence(persistence)
        .concurrent_updates(PerChatUpdateProcessor(config.telegram.concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    ))
    app.bot_data["config"] = config
    app.bot_data["clock"] = clock
    if zalo_token is not None:
        app.bot_data[ZALO_TOKEN_KEY] = zalo_token
    if zalo_oa_secrets is not None:
        app.bot_data[ZALO_OA_SECRETS_KEY] = zalo_oa_secrets
    telegram_handlers.register(app)  # their order: bot/channels/telegram/handlers.py
    return app


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Open the store, build the services, sweep the media folder, publish the command menu."""
    persistence = _persistence(app)
    config: Config = app.bot_data["config"]
    services = Services.build(config, await persistence.store(), app.bot_data["clock"])
    app.bot_data[SERVICES_KEY] = services
    runner = Runner(services, handlers.dialog_flows(config), handlers.dialog_actions())
    app.bot_data[RUNNER_KEY] = runner
    events = services.events
    # A new report: privately to each officer with no seat in the staff group (any channel),
    # and the card in the group, edited there with every change (Telegram's).
    events.report_filed_listeners.append(services.triage.report_filed)
    telegram_cards.listen(app.bot, services)
    events.join_requested_listeners.append(join_requests.listener(app.bot))

    # The gong's live count: edited in place on Telegram, new messages elsewhere.
    counts = app.bot_data[CALLER_COUNT_KEY] = CallerCount(services)

    async def alarm_answered(alarm: Alarm) -> None:
        alarm_live.refresh_soon(app, alarm)
        await counts.answered(alarm)

    async def alarm_ended(alarm: Alarm) -> None:
        await alarm_live.ended(app.bot, services, alarm)
        await counts.ended(alarm)

    events.alarm_answered_listeners.append(alarm_answered)
    events.alarm_ended_listeners.append(alarm_ended)
    services.delivery.on_finished("alarm", functools.partial(reached_by_zbs, services))

    async def forgotten_on_telegram(accounts: Sequence[Account]) -> None:
        for account in accounts:  # what PTB still keeps in memory for them
            if account.channel == "telegram":
                app.drop_user_data(int(account.external_id))

    events.person_forgotten_listeners.append(forgotten_on_telegram)
    web = config.web_on
    links = None
    if web is not None and web.public_url:  # photos by URL for Zalo
        links = MediaLinks(await services.store.db.secret("media-links"), web.public_url,
                           services.clock)
        app.bot_data[MEDIA_LINKS_KEY] = links
    elif warning := photo_address_warning(config):
        log.warning("%s", warning)
    if config.zalo_bot_on is not None:
        zalo_token = app.bot_data.get(ZALO_TOKEN_KEY) or config.zalo_bot_token()
        client = ZaloBotClient(zalo_token, config.zalo_bot_on.api_base_url)
        zalo = ZaloBotChannel(services, runner, client, config.zalo_bot_on)
        if links is not None:
            zalo.photo_url = functools.partial(links.url_of_path,
                                               folder=services.media.files.folder)
        app.bot_data[ZALO_BOT_KEY] = zalo
        await zalo.start(config.zalo_bot_webhook_secret())
    if config.zalo_oa_on is not None:
        secrets = app.bot_data.get(ZALO_OA_SECRETS_KEY) or config.zalo_oa_secrets()
        oa = ZaloOaChannel(services, runner, config.zalo_oa_on, *secrets)
        app.bot_data[ZALO_OA_KEY] = oa
        await oa.start()
    await services.media.sweep()  # what a crash between a deletion and its files left
    if web is not None:  # the officers' console (and /media/<token> with public_url)
        server = WebServer(services, web, links)
        await server.start()
        app.bot_data[WEB_KEY] = server
    await _start_broadcasting(app, services)
    if not config.telegram.enabled:
        return
    for language in ("vi", "en"):
        commands = [BotCommand(name, services.i18n.t(language, key)) for name, key in MENU]
        try:
            await app.bot.set_my_commands(
                commands, scope=BotCommandScopeDefault(),
                language_code=None if language == config.locale.default_language else language,
            )
        except TelegramError:  # the menu is a convenience: a server without it still works
            log.warning("could not set the %s command menu", language, exc_info=True)


async def _post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Close the store (aiosqlite's thread would otherwise keep the process alive)."""
    zalo: ZaloBotChannel | None = app.bot_data.get(ZALO_BOT_KEY)
    if zalo is not None:
        await zalo.stop()
    oa: ZaloOaChannel | None = app.bot_data.get(ZALO_OA_KEY)
    if oa is not None:
        await oa.stop()
    server: WebServer | None = app.bot_data.get(WEB_KEY)
    if server is not None:
        await server.stop()
    counts: CallerCount | None = app.bot_data.get(CALLER_COUNT_KEY)
    if counts is not None:
        await counts.close()
    services: Services | None = app.bot_data.get(SERVICES_KEY)
    if services is not None:
        await services.delivery.stop()
    await _persistence(app).close()


async def _start_broadcasting(
    app: Application[Any, Any, Any, Any, Any, Any], services: Services
) -> None:
    """Start the delivery engine, the scheduler's tick (which first catches up), the gong's
    check (escalation, expiry) and the media folder's hourly sweep."""
    zalo: ZaloBotChannel | None = app.bot_data.get(ZALO_BOT_KEY)
    config: Config = app.bot_data["config"]
    senders: dict[Channel, Sender[Any]] = {}
    if config.telegram.enabled:
        senders["telegram"] = TelegramSender(app.bot)
    pacing: dict[Channel, PacerConfig] = {}
    if zalo is not None:
        senders["zalo"] = ZaloSender(zalo.client, offer=zalo.offer, photo_url=zalo.photo_url)
        pacing["zalo"] = PacerConfig(rate_per_second=zalo.config.rate_per_second,
                                     concurrency=zalo.config.concurrency)
    oa: ZaloOaChannel | None = app.bot_data.get(ZALO_OA_KEY)
    if oa is not None:  # one pace for the app: Zalo's limit is per app, all OAs together
        senders["zalo_oa"] = oa.sender
        pacing["zalo_oa"] = PacerConfig(rate_per_second=oa.config.rate_per_second,
                                        concurrency=oa.config.concurrency)
    await services.delivery.start(senders, services.broadcasts.describe, pacing=pacing)
    await services.relays.settle_pending()  # relays the last run sent but did not report

    runner: Runner = app.bot_data[RUNNER_KEY]

    def repliers(channel: str, address: str) -> Replier | None:
        if channel == "telegram":
            return TelegramReplier(app.bot, int(address))
        if channel == "zalo_oa" and oa is not None:
            return oa.replier(address)
        return zalo.replier(address) if channel == "zalo" and zalo is not None else None

    async def tick(_context: object = None) -> None:
        if not services.scheduler.by_hand:
            await services.scheduler.tick(services.clock.now())
        await runner.expire(repliers)

    async def sweep(_context: object) -> None:
        await services.media.sweep()

    async def alarm_check(_context: object) -> None:
        await alarm_answers.check(services)

    async def escalate(_context: object) -> None:  # deadlines are rows: a restart loses none
        await services.triage.escalate()

    # The catch-up runs here, before anything is polled (a repeating job's first run may be
    # skipped as late on a busy machine); then every TICK_SECONDS.
    try:
        await tick()
    except Exception:
        log.exception("the scheduler's catch-up at start failed; it runs again in %s s",
                      TICK_SECONDS)
    services.scheduler.caught_up.set()
    assert app.job_queue is not None
    app.job_queue.run_repeating(tick, interval=TICK_SECONDS, first=TICK_SECONDS,
                                name="scheduler")
    check = services.config.alarms.check_seconds
    app.job_queue.run_repeating(alarm_check, interval=check, first=check, name="alarm-check")
    check = services.config.reports.escalation_check_seconds
    app.job_queue.run_repeating(escalate, interval=check, first=check, name="report-escalation")
    every = SWEEP_EVERY.total_seconds()
    app.job_queue.run_repeating(sweep, interval=every, first=every, name="media-sweep")


def _persistence(app: Application[Any, Any, Any, Any, Any, Any]) -> SqlitePersistence:
    persistence = app.persistence
    assert isinstance(persistence, SqlitePersistence)
    return persistence


@asynccontextmanager
async def running(app: AnninhApp, *, poll_timeout: float = 10.0) -> AsyncIterator[AnninhApp]:
    """Run the bot inside an existing event loop (tests, demo, a deployment without
    Telegram): what run_polling does. With Telegram off nothing polls it."""
    config: Config = app.bot_data["config"]
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if config.telegram.enabled:
            await app.updater.start_polling(timeout=int(poll_timeout), poll_interval=0.0)
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
