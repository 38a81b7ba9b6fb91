"""Load config.toml into the sections' dataclasses (bot/config/sections.py), failing fast with
one clear line: the file, the key, what was expected."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config.sections import (
    _CLOCK_RANGE,
    SECTIONS,
    AlarmsConfig,
    BroadcastConfig,
    Config,
    ConfigError,
    LocaleConfig,
    MediaConfig,
    ReportsConfig,
    TeamsConfig,
    TelegramConfig,
    WebConfig,
    ZaloBotConfig,
    ZaloOaConfig,
)


def default_config_path() -> Path:
    return Path(os.environ.get("ANNINH_CONFIG", "config.toml"))


def load_config_or_defaults(path: Path | str | None) -> Config:
    """For offline commands: the defaults when no file is named and none is found."""
    if path is None and not default_config_path().exists():
        config = _with_environment(_resolved(Config(source=default_config_path())))
        return _media(config, {}, {})
    return load_config(path)


def load_config(path: Path | str | None = None) -> Config:
    """Read `path` (default: $ANNINH_CONFIG, else ./config.toml) and apply env overrides."""
    source = Path(path) if path is not None else default_config_path()
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: no such config file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: cannot read the file ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML ({error})") from None
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in SECTIONS:
            known = ", ".join(f"[{s}]" for s in SECTIONS)
            raise ConfigError(f"{source}: [{name}]: unknown section (expected one of {known})")
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {name}: expected a table [{name}]")
        sections[name] = _section(source, name, SECTIONS[name], value)
    config = _with_environment(_resolved(Config(source=source, **sections)))
    return _media(config, raw.get("media", {}), raw.get("reports", {}))


def _section(source: Path, name: str, cls: type[Any], table: dict[str, Any]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{source}: [{name}] {key}"
        if key not in fields:
            raise ConfigError(f"{where}: unknown key (expected one of {', '.join(fields)})")
        values[key] = _coerce(where, hints[key], value)
    section = cls(**values)
    _validate(source, name, section)
    return section


def _coerce(where: str, hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin is Literal:
        choices = get_args(hint)
        if value not in choices:
            expected = " or ".join(repr(c) for c in choices)
            raise ConfigError(f"{where}: expected {expected}, got {value!r}")
        return value
    if hint is Path:
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: expected a path (a non-empty string), got {value!r}")
        return Path(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    if get_origin(hint) is dict:
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ConfigError(f"{where}: expected a table of strings, got {value!r}")
        return dict(value)
    if isinstance(hint, types.UnionType):  # pragma: no cover - no such fields yet
        raise ConfigError(f"{where}: unsupported type")
    raise ConfigError(f"{where}: unsupported type {hint!r}")  # pragma: no cover


def _validate(source: Path, name: str, section: Any) -> None:
    def fail(key: str, expected: str) -> None:
        value = getattr(section, key)
        raise ConfigError(f"{source}: [{name}] {key}: expected {expected}, got {value!r}")

    if isinstance(section, TelegramConfig):
        if not section.api_base_url.startswith(("http://", "https://")):
            fail("api_base_url", "an http(s) URL such as https://api.telegram.org/bot")
        if not section.token_env:
            fail("token_env", "the name of an environment variable")
        if not section.webhook_secret_env:
            fail("webhook_secret_env", "the name of an environment variable")
        if not 0 < section.webhook_port < 65536:
            fail("webhook_port", "a port number from 1 to 65535")
        if not 1 <= section.concurrent_updates <= 512:
            fail("concurrent_updates", "a whole number from 1 (one update at a time) to 512")
    elif isinstance(section, LocaleConfig):
        try:
            ZoneInfo(section.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            fail("timezone", "an IANA time zone such as Asia/Ho_Chi_Minh")
    elif isinstance(section, BroadcastConfig):
        ceiling = 1000.0 if section.paid_broadcast else 30.0
        if not 0 < section.rate_per_second <= ceiling:
            fail("rate_per_second", f"a number above 0 and at most {ceiling:g}"
                 + ("" if section.paid_broadcast else " (set paid_broadcast = true for more)"))
        if section.quiet_hours and not _CLOCK_RANGE.match(section.quiet_hours):
            fail("quiet_hours", 'a range "HH:MM-HH:MM" or "" for none')
        if section.max_attempts < 1:
            fail("max_attempts", "a whole number of at least 1")
        for key in ("per_chat_seconds", "poll_seconds", "progress_seconds"):
            if not 0 < getattr(section, key) <= 3600:
                fail(key, "a number of seconds above 0")
        for key in ("group_per_minute", "concurrency"):
            if not 1 <= getattr(section, key) <= 1000:
                fail(key, "a whole number from 1 to 1000")
        if section.campaign_grace_minutes < 0:
            fail("campaign_grace_minutes", "0 or more minutes")
        if not 0 < section.alarm_rate_per_second <= ceiling:
            fail("alarm_rate_per_second", f"a number above 0 and at most {ceiling:g}")
    elif isinstance(section, ZaloBotConfig):
        if not section.token_env or not section.webhook_secret_env:
            fail("token_env" if not section.token_env else "webhook_secret_env",
                 "the name of an environment variable")
        if not 0 < section.rate_per_second <= 10_000:
            fail("rate_per_second", "a number of messages a second above 0")
        if not 1 <= section.concurrency <= 1000:
            fail("concurrency", "a whole number from 1 to 1000")
        if not 1 <= section.poll_timeout_seconds <= 120:
            fail("poll_timeout_seconds", "a number of seconds from 1 to 120")
        if not 0 < section.webhook_port < 65536:
            fail("webhook_port", "a port number from 1 to 65535")
    elif isinstance(section, ZaloOaConfig):
        _validate_zalo_oa(section, fail)
    elif isinstance(section, WebConfig):
        if not 0 < section.port < 65536:
            fail("port", "a port number from 1 to 65535")
        if section.public_url and not section.public_url.startswith(("https://", "http://")):
            fail("public_url", 'an address such as "https://anninh.example.vn"')
        if section.map_tiles and not (section.map_tiles.startswith(("https://", "http://"))
                                      and all(k in section.map_tiles for k in "zxy")):
            fail("map_tiles", 'a tile URL such as "https://tile.openstreetmap.org/{z}/{x}/{y}.png"'
                 ' or "" for none')
    elif isinstance(section, TeamsConfig):
        if section.max_members < 0:
            fail("max_members", "0 (no limit) or a positive whole number")
        if not 1 <= section.max_wrong_codes_per_hour <= 1000:
            fail("max_wrong_codes_per_hour", "a whole number from 1 to 1000")
        if not 0 <= section.rejoin_after_hours <= 24 * 365:
            fail("rejoin_after_hours", "0 (no wait) or a number of hours up to a year")
    elif isinstance(section, AlarmsConfig):
        for key in ("max_per_hour", "escalate_after_seconds", "expire_minutes"):
            if getattr(section, key) < 1:
                fail(key, "a whole number of at least 1")
        if section.min_responders < 0:
            fail("min_responders", "0 (never escalate) or more")
        if not 0 < section.refresh_seconds <= 60 or not 0 < section.check_seconds <= 600:
            fail("refresh_seconds" if not 0 < section.refresh_seconds <= 60 else "check_seconds",
                 "a number of seconds above 0 (at most 60 and 600)")
    elif isinstance(section, ReportsConfig):
        _validate_reports(section, fail)
    elif isinstance(section, MediaConfig):
        for key in ("max_photo_bytes", "max_voice_bytes"):
            if getattr(section, key) < 1:
                fail(key, "a number of bytes, at least 1")


def _validate_zalo_oa(section: ZaloOaConfig, fail: Any) -> None:
    if section.enabled and not section.app_id.isdigit():
        fail("app_id", "the Zalo app's id (digits, from developers.zalo.me)")
    for key in ("app_secret_env", "oa_secret_env"):
        if not getattr(section, key):
            fail(key, "the name of an environment variable")
    for key in ("api_base_url", "oauth_base_url", "business_api_base_url"):
        if not getattr(section, key).startswith(("http://", "https://")):
            fail(key, "an http(s) URL")
    if not section.webhook_path.startswith("/"):
        fail("webhook_path", 'a path such as "/zalo/oa/events"')
    if not 0 < section.webhook_port < 65536:
        fail("webhook_port", "a port number from 1 to 65535")
    if not 0 < section.rate_per_second <= 1000:
        fail("rate_per_second", "a number of sends a second above 0 and at most 1000")
    if not 1 <= section.concurrency <= 1000:
        fail("concurrency", "a whole number from 1 to 1000")
    if not 1 <= section.refresh_before_minutes <= 24 * 60:
        fail("refresh_before_minutes", "a number of minutes from 1 to 1440")
    if not 0 <= section.max_buttons <= 10:
        fail("max_buttons", "a whole number from 0 (numbered lines only) to 10")
    if section.form_image_url and not section.form_image_url.startswith("https://"):
        fail("form_image_url", "an https URL Zalo can fetch, or \"\" for the web server's")
    for key in ("price_zbs_vnd", "price_billable_vnd"):
        if not 0 <= getattr(section, key) <= 100_000:
            fail(key, "a price in đồng, from 0 to 100000")
    for purpose in section.templates:
        if purpose not in ("alarm", "announcement"):
            fail(f"templates.{purpose}", 'one of "alarm", "announcement"')


def _validate_reports(section: ReportsConfig, fail: Any) -> None:
    for key in ("max_per_hour", "max_photos", "max_photo_bytes", "max_text_length",
                "escalate_critical_minutes", "escalate_high_minutes",
                "escalate_normal_minutes", "duplicate_minutes", "conversation_timeout_minutes"):
        if getattr(section, key) < 1:
            fail(key, "a whole number of at least 1")
    if section.max_photos > 10:
        fail("max_photos", "at most 10 (one Telegram album)")
    if not 0 < section.max_text_length <= 3000:
        fail("max_text_length", "a number from 1 to 3000 (it must fit one Telegram message)")
    for key in ("escalation_check_seconds", "duplicate_radius_m", "max_distance_km"):
        if getattr(section, key) < 0:
            fail(key, "a number of at least 0")
    if section.escalation_check_seconds < 1:
        fail("escalation_check_seconds", "a number of at least 1")
    if not -90 <= section.center_latitude <= 90:
        fail("center_latitude", "a latitude from -90 to 90")
    if not -180 <= section.center_longitude <= 180:
        fail("center_longitude", "a longitude from -180 to 180")


def _resolved(config: Config) -> Config:
    """Resolve relative paths against the config file's folder."""
    base = config.source.resolve().parent
    database = dataclasses.replace(config.database, path=base / config.database.path)
    folder = base / config.content.folder
    return dataclasses.replace(
        config, database=database, content=dataclasses.replace(config.content, folder=folder)
    )


def _media(config: Config, media: dict[str, Any], reports: dict[str, Any]) -> Config:
    """[media]'s defaults that follow other settings (see MediaConfig); `media` and `reports`
    are the two tables as written in the file."""
    folder = (config.source.resolve().parent / config.media.folder if "folder" in media
              else config.database.path.parent / "media")
    photo_bytes = config.media.max_photo_bytes
    if "max_photo_bytes" in reports:
        older = config.reports.max_photo_bytes
        if "max_photo_bytes" in media and photo_bytes != older:
            raise ConfigError(
                f"{config.source}: [media] max_photo_bytes: {photo_bytes} disagrees with "
                f"[reports] max_photo_bytes = {older} (the older key); keep only [media]'s")
        photo_bytes = older
    return dataclasses.replace(
        config, media=dataclasses.replace(config.media, folder=folder,
                                          max_photo_bytes=photo_bytes),
        reports=dataclasses.replace(config.reports, max_photo_bytes=photo_bytes))


def _with_environment(config: Config) -> Config:
    """ANNINH_API_BASE_URL and ANNINH_DATABASE override the file."""
    telegram, database = config.telegram, config.database
    if url := os.environ.get("ANNINH_API_BASE_URL", "").strip():
        telegram = dataclasses.replace(telegram, api_base_url=url)
        _validate(config.source, "telegram", telegram)
    if db_path := os.environ.get("ANNINH_DATABASE", "").strip():
        database = dataclasses.replace(database, path=Path(db_path).resolve())
    zalo_bot = config.zalo_bot
    if zalo_bot is not None and (
            url := os.environ.get("ANNINH_ZALO_BOT_API_BASE_URL", "").strip()):
        zalo_bot = dataclasses.replace(zalo_bot, api_base_url=url)
    zalo_oa = config.zalo_oa
    if zalo_oa is not None:
        urls: dict[str, Any] = {
            key: url for key, name in (
                ("api_base_url", "ANNINH_ZALO_OA_API_BASE_URL"),
                ("oauth_base_url", "ANNINH_ZALO_OAUTH_BASE_URL"),
                ("business_api_base_url", "ANNINH_ZALO_BUSINESS_API_BASE_URL"))
            if (url := os.environ.get(name, "").strip())}
        zalo_oa = dataclasses.replace(zalo_oa, **urls)
        _validate(config.source, "zalo_oa", zalo_oa)
    return dataclasses.replace(config, telegram=telegram, database=database, zalo_bot=zalo_bot,
                               zalo_oa=zalo_oa)
