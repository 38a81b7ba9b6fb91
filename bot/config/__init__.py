"""The deployment's settings: config.toml's sections (sections.py) and how the file is read
(loading.py). Import from here."""

from bot.config.loading import default_config_path, load_config, load_config_or_defaults
from bot.config.sections import (
    DEFAULT_API_BASE_URL,
    DEFAULT_ZALO_BOT_API_BASE_URL,
    SECTIONS,
    AlarmsConfig,
    BroadcastConfig,
    Config,
    ConfigError,
    ContentConfig,
    DatabaseConfig,
    LocaleConfig,
    MediaConfig,
    Open311Config,
    ReportsConfig,
    TeamsConfig,
    TelegramConfig,
    WebConfig,
    ZaloBotConfig,
    ZaloOaConfig,
)

__all__ = [
    "DEFAULT_API_BASE_URL", "DEFAULT_ZALO_BOT_API_BASE_URL", "SECTIONS", "AlarmsConfig",
    "BroadcastConfig", "Config", "ConfigError", "ContentConfig", "DatabaseConfig",
    "LocaleConfig", "MediaConfig", "Open311Config", "ReportsConfig", "TeamsConfig",
    "TelegramConfig", "WebConfig", "ZaloBotConfig", "ZaloOaConfig", "default_config_path",
    "load_config", "load_config_or_defaults",
]
