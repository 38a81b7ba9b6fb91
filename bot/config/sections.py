"""What config.toml holds: one frozen dataclass per section, their defaults, and the secrets
each channel takes from the environment (bot/config/loading.py reads the file into them)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import content

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram's secret_token allows
_CLOCK_RANGE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """A config problem, said in one line: the file, the key, what was expected."""


@dataclass(frozen=True)
class TelegramConfig:
    enabled: bool = True  # false: a deployment on other messengers only (no token needed)
    token_env: str = "TELEGRAM_BOT_TOKEN"
    api_base_url: str = DEFAULT_API_BASE_URL
    mode: Literal["polling", "webhook"] = "polling"
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_url: str = ""
    webhook_secret_env: str = "ANNINH_WEBHOOK_SECRET"
    # Updates of different chats handled at once; one chat's always one by one, in order.
    concurrent_updates: int = 32

    @property
    def file_base_url(self) -> str:
        """The file URL follows the API URL: …/bot becomes …/file/bot."""
        base = self.api_base_url.rstrip("/")
        head, _, tail = base.rpartition("/")
        return f"{head}/file/{tail}" if head else f"file/{tail}"


@dataclass(frozen=True)
class DatabaseConfig:
    path: Path = Path("data/anninh.sqlite3")


@dataclass(frozen=True)
class LocaleConfig:
    default_language: Literal["vi", "en"] = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class ContentConfig:
    folder: Path = Path(content.__file__).parent


@dataclass(frozen=True)
class BroadcastConfig:
    rate_per_second: float = 25.0
    paid_broadcast: bool = False
    quiet_hours: str = "21:30-06:30"
    max_attempts: int = 5
    per_chat_seconds: float = 1.0  # at most one message per private chat this often
    group_per_minute: int = 20
    concurrency: int = 64  # sends in flight at once
    poll_seconds: float = 0.25  # how often the engine looks for broadcasts queued elsewhere
    progress_seconds: float = 3.0  # how often the sender's progress message is updated
    campaign_grace_minutes: int = 60  # a slot missed while down is still sent within this
    # The alarm lane may use Telegram's whole ceiling: a 50-member gong in under 2 seconds.
    alarm_rate_per_second: float = 30.0


@dataclass(frozen=True)
class TeamsConfig:
    require_approval: bool = True
    max_members: int = 0  # 0: no limit
    # Join codes that led nowhere (unknown, another commune's team) per person and hour;
    # past it every code is answered "try later", whether it exists or not.
    max_wrong_codes_per_hour: int = 5
    # After "Từ chối", hours before the same person may ask that team again (0: at once).
    rejoin_after_hours: int = 24


@dataclass(frozen=True)
class ReportsConfig:
    max_per_hour: int = 5
    max_photos: int = 5
    max_photo_bytes: int = 10_000_000  # the older key: code reads [media] max_photo_bytes
    max_text_length: int = 2000
    escalate_critical_minutes: int = 10
    escalate_high_minutes: int = 30
    escalate_normal_minutes: int = 240
    escalation_check_seconds: float = 30.0
    duplicate_radius_m: float = 300.0
    duplicate_minutes: int = 120
    center_latitude: float = 10.95
    center_longitude: float = 107.16
    max_distance_km: float = 50.0  # 0: no check
    conversation_timeout_minutes: int = 60

    def escalate_minutes(self, urgency: str) -> int:
        return {"critical": self.escalate_critical_minutes,
                "high": self.escalate_high_minutes}.get(urgency, self.escalate_normal_minutes)


@dataclass(frozen=True)
class MediaConfig:
    """Photos and voice notes anninh keeps itself (bot/media.py), whatever channel brought them.

    As loaded, `folder` is absolute: given, it resolves against the config file's folder;
    unset, it is `media` beside the database file (wherever ANNINH_DATABASE puts it).
    `max_photo_bytes` is the limit every photo is held to; the older `[reports]
    max_photo_bytes` still works, as its default (setting both, differently, is an error)."""

    folder: Path = Path("media")
    max_photo_bytes: int = ReportsConfig.max_photo_bytes
    max_voice_bytes: int = 10_000_000


@dataclass(frozen=True)
class AlarmsConfig:
    max_per_hour: int = 3
    escalate_after_seconds: int = 180
    min_responders: int = 2
    expire_minutes: int = 60
    refresh_seconds: float = 2.0
    check_seconds: float = 15.0


DEFAULT_ZALO_BOT_API_BASE_URL = "https://bot-api.zaloplatforms.com/bot"


@dataclass(frozen=True)
class ZaloBotConfig:
    """The Zalo Bot Platform channel; on when the section is present (unless enabled=false)."""

    enabled: bool = True
    token_env: str = "ZALO_BOT_TOKEN"
    api_base_url: str = DEFAULT_ZALO_BOT_API_BASE_URL
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8444
    webhook_secret_env: str = "ANNINH_ZALO_WEBHOOK_SECRET"
    poll_timeout_seconds: float = 30.0
    rate_per_second: float = 20.0  # sends, all chats together
    concurrency: int = 16  # sends in flight at once (the rate needs concurrency / round trip)


DEFAULT_ZALO_OA_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_ZALO_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
DEFAULT_ZALO_BUSINESS_API_BASE_URL = "https://business.openapi.zalo.me"


@dataclass(frozen=True)
class ZaloOaConfig:
    """The Zalo Official Account channel (one Zalo app, one OA per commune); on when the
    section is present (unless enabled=false). The secrets come from the environment."""

    enabled: bool = True
    app_id: str = ""
    app_secret_env: str = "ZALO_APP_SECRET"
    oa_secret_env: str = "ZALO_OA_SECRET_KEY"  # the key that signs webhook events
    api_base_url: str = DEFAULT_ZALO_OA_API_BASE_URL
    oauth_base_url: str = DEFAULT_ZALO_OAUTH_BASE_URL
    business_api_base_url: str = DEFAULT_ZALO_BUSINESS_API_BASE_URL
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8445
    webhook_path: str = "/zalo/oa/events"
    # The signature's first term: the app id (Chatwoot, most sources) or the OA id.
    signature_id: Literal["app_id", "oa_id"] = "app_id"
    redirect_uri: str = ""  # where Zalo sends the consent code back (the app's setting)
    rate_per_second: float = 60.0  # sends, all OAs of the app together (Zalo: ~4,000/min)
    concurrency: int = 16
    refresh_before_minutes: int = 120  # an access token (≈ 25 h) is renewed this long ahead
    max_buttons: int = 5  # oa.query buttons under a message (Zalo does not document a limit)
    # The picture on the OA's information form (request_user_info), which asks a follower for
    # the phone number; "" → the web server's /static/form.png at [web] public_url, if set.
    form_image_url: str = ""
    templates: dict[str, str] = field(default_factory=dict)  # ZBS template ids by purpose
    # Estimated prices for the figures (Zalo's public-service pricing is not published):
    # a ZBS template message, and a consultation message past 48 h where the OA pays for it.
    price_zbs_vnd: float = 200.0
    price_billable_vnd: float = 0.0


@dataclass(frozen=True)
class WebConfig:
    """anninh's web server, on when the section is present (unless enabled = false): the
    officers' console (bot/web), and with `public_url` the photos a channel fetches by URL
    (Zalo). Login links name `public_url`, else http://listen:port."""

    enabled: bool = True
    listen: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # the address people and messengers reach it at, e.g. https://…
    # The map's tiles ({z}/{x}/{y}, optional {s}); "" for none. The map works without them.
    map_tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_attribution: str = "© OpenStreetMap contributors"

    @property
    def base_url(self) -> str:
        """Where a person's browser reaches the console."""
        return (self.public_url or f"http://{self.listen}:{self.port}").rstrip("/")

    @property
    def secure(self) -> bool:
        """Cookies only over HTTPS: behind an https:// public address."""
        return self.public_url.startswith("https://")


@dataclass(frozen=True)
class Open311Config:
    """The Open311 GeoReport v2 API on the web server (bot/web/open311.py): what its discovery
    document says, and whether a `media_url` may point at a private address."""

    contact: str = ""  # who runs the API ("" → the locale's open311.contact)
    key_service: str = ""  # how to get an api_key ("" → the locale's open311.key_service)
    # A media_url is fetched only from public addresses (no loopback, private, link-local,
    # multicast, reserved or unspecified address, checked at every redirect): true lifts that
    # (a test server, or a photo store on the same private network).
    allow_private_media: bool = False


@dataclass(frozen=True)
class Config:
    source: Path
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    locale: LocaleConfig = field(default_factory=LocaleConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    broadcast: BroadcastConfig = field(default_factory=BroadcastConfig)
    teams: TeamsConfig = field(default_factory=TeamsConfig)
    alarms: AlarmsConfig = field(default_factory=AlarmsConfig)
    reports: ReportsConfig = field(default_factory=ReportsConfig)
    media: MediaConfig = field(default_factory=MediaConfig)
    zalo_bot: ZaloBotConfig | None = None  # the section turns the channel on
    web: WebConfig = field(default_factory=lambda: WebConfig(enabled=False))  # section: on
    zalo_oa: ZaloOaConfig | None = None  # the section turns the channel on
    open311: Open311Config = field(default_factory=Open311Config)

    @property
    def zalo_oa_on(self) -> ZaloOaConfig | None:
        return self.zalo_oa if self.zalo_oa is not None and self.zalo_oa.enabled else None

    def zalo_oa_secrets(self) -> tuple[str, str]:
        """(app secret, OA secret key) from the environment; ConfigError naming the variable
        that is missing."""
        return self.zalo_oa_secret("app_secret_env"), self.zalo_oa_secret("oa_secret_env")

    def zalo_oa_secret(self, key: Literal["app_secret_env", "oa_secret_env"]) -> str:
        section = self.zalo_oa or ZaloOaConfig()
        name = getattr(section, key)
        value = os.environ.get(name, "").strip()
        if not value:
            what = "app secret" if key == "app_secret_env" else "OA secret key"
            raise ConfigError(f"{self.source}: [zalo_oa] {key}: the environment variable "
                              f"{name} must hold the Zalo {what} (it is empty or unset)")
        return str(value)

    @property
    def web_on(self) -> WebConfig | None:
        return self.web if self.web.enabled else None

    @property
    def zalo_bot_on(self) -> ZaloBotConfig | None:
        return self.zalo_bot if self.zalo_bot is not None and self.zalo_bot.enabled else None

    def zalo_bot_token(self) -> str:
        """The Zalo bot token from the environment; ConfigError naming the variable."""
        name = self.zalo_bot.token_env if self.zalo_bot is not None else "ZALO_BOT_TOKEN"
        token = os.environ.get(name, "").strip()
        if not token:
            raise ConfigError(
                f"{self.source}: [zalo_bot] token_env: the environment variable {name} must "
                f"hold the Zalo bot token (it is empty or unset)")
        return token

    def zalo_bot_webhook_secret(self) -> str:
        """The Zalo webhook's secret (8–256 characters) from the environment, in webhook
        mode; ConfigError naming the variable."""
        zalo = self.zalo_bot or ZaloBotConfig()
        secret = os.environ.get(zalo.webhook_secret_env, "").strip()
        if zalo.mode != "webhook":
            return ""
        if not zalo.webhook_url:
            raise ConfigError(f"{self.source}: [zalo_bot] webhook_url: required in webhook mode")
        if not 8 <= len(secret) <= 256:
            raise ConfigError(
                f"{self.source}: [zalo_bot] webhook_secret_env: webhook mode needs the "
                f"environment variable {zalo.webhook_secret_env} to hold a secret of 8 to 256 "
                f"characters (it is empty, unset or malformed)")
        return secret

    def token(self) -> str:
        """The bot token from the environment; ConfigError if it is missing."""
        token = os.environ.get(self.telegram.token_env, "").strip()
        if not token:
            raise ConfigError(
                f"{self.source}: [telegram] token_env: the environment variable "
                f"{self.telegram.token_env} must hold the bot token (it is empty or unset)"
            )
        return token

    def webhook_secret(self) -> str:
        """The webhook secret from the environment; ConfigError if it is missing or not what
        Telegram accepts. Without it anyone who reaches the URL could forge updates."""
        name = self.telegram.webhook_secret_env
        secret = os.environ.get(name, "").strip()
        if not _WEBHOOK_SECRET.match(secret):
            raise ConfigError(
                f"{self.source}: [telegram] webhook_secret_env: webhook mode needs the "
                f"environment variable {name} to hold a secret of 1 "
                f"to 256 characters A-Z, a-z, 0-9, _ or - (it is empty, unset or malformed)"
            )
        return secret


SECTIONS: dict[str, type[Any]] = {
    "telegram": TelegramConfig,
    "database": DatabaseConfig,
    "locale": LocaleConfig,
    "content": ContentConfig,
    "broadcast": BroadcastConfig,
    "teams": TeamsConfig,
    "alarms": AlarmsConfig,
    "reports": ReportsConfig,
    "media": MediaConfig,
    "zalo_bot": ZaloBotConfig,
    "web": WebConfig,
    "zalo_oa": ZaloOaConfig,
    "open311": Open311Config,
}
