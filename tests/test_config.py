"""Config loading: defaults, path resolution, environment overrides, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE_URL, ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANNINH_API_BASE_URL", "ANNINH_DATABASE", "ANNINH_CONFIG", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_a_config_with_only_telegram_and_database_gets_every_default(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[telegram]\n[database]\npath = "db/x.sqlite3"\n'))
    assert config.telegram.api_base_url == DEFAULT_API_BASE_URL
    assert config.telegram.token_env == "TELEGRAM_BOT_TOKEN"
    assert config.database.path == tmp_path / "db" / "x.sqlite3"
    assert config.broadcast.rate_per_second == 25
    assert config.broadcast.paid_broadcast is False
    assert config.broadcast.quiet_hours == "21:30-06:30"
    assert config.locale.timezone == "Asia/Ho_Chi_Minh"
    assert (config.content.folder / "locales" / "vi.toml").is_file()
    assert config.media.folder == tmp_path / "db" / "media"  # beside the database
    assert config.media.max_photo_bytes == config.reports.max_photo_bytes == 10_000_000
    assert config.media.max_voice_bytes == 10_000_000


def test_the_shipped_config_toml_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(Path(__file__).resolve().parent.parent / "config.toml")
    assert config.telegram.mode == "polling"


def test_file_url_follows_the_api_url(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[telegram]\napi_base_url = "http://h:8081/bot"\n'))
    assert config.telegram.file_base_url == "http://h:8081/file/bot"
    assert load_config(write(tmp_path, "")).telegram.file_base_url == (
        "https://api.telegram.org/file/bot")


def test_environment_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNINH_API_BASE_URL", "http://127.0.0.1:9/bot")
    monkeypatch.setenv("ANNINH_DATABASE", str(tmp_path / "other.sqlite3"))
    monkeypatch.setenv("ANNINH_CONFIG", str(write(tmp_path, '[telegram]\ntoken_env = "TOK"\n')))
    monkeypatch.setenv("TOK", " 123:abc ")
    config = load_config()
    assert config.telegram.api_base_url == "http://127.0.0.1:9/bot"
    assert config.database.path == tmp_path / "other.sqlite3"
    assert config.token() == "123:abc"
    assert config.media.folder == tmp_path / "media"  # follows the database


def test_the_media_section(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A given folder resolves against the config's folder (and stays where it is when the
    database moves); the older [reports] max_photo_bytes is the default of [media]'s."""
    (tmp_path / "etc").mkdir()
    monkeypatch.setenv("ANNINH_DATABASE", str(tmp_path / "other.sqlite3"))
    config = load_config(write(tmp_path / "etc", '[media]\nfolder = "../photos"\n'
                                                 "max_voice_bytes = 2000000\n"
                                                 "[reports]\nmax_photo_bytes = 3000000\n"))
    assert config.media.folder.resolve() == tmp_path / "photos"
    assert config.media.max_voice_bytes == 2_000_000
    assert config.media.max_photo_bytes == config.reports.max_photo_bytes == 3_000_000
    config = load_config(write(tmp_path, "[media]\nmax_photo_bytes = 4000000\n"))
    assert config.media.max_photo_bytes == config.reports.max_photo_bytes == 4_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[telegram]\nmode = 'carrier pigeon'\n", "[telegram] mode: expected 'polling' or"),
        ("[broadcast]\nrate_per_second = 'fast'\n", "[broadcast] rate_per_second: expected a"),
        ("[broadcast]\nrate_per_second = 500\n", "paid_broadcast = true"),
        ("[broadcast]\nquiet_hours = '9pm'\n", "[broadcast] quiet_hours: expected"),
        ("[database]\npth = 'x'\n", "[database] pth: unknown key"),
        ("[nonsense]\n", "[nonsense]: unknown section"),
        ("[locale]\ntimezone = 'Mars/Olympus'\n", "[locale] timezone: expected an IANA"),
        ("[telegram\n", "not valid TOML"),
        ("[media]\nmax_voice_bytes = 0\n", "[media] max_voice_bytes: expected a number of"),
        ("[media]\nfolder = 3\n", "[media] folder: expected a path"),
        ("[media]\nmax_photo_bytes = 1\n[reports]\nmax_photo_bytes = 2\n",
         "[media] max_photo_bytes: 1 disagrees with [reports] max_photo_bytes = 2"),
    ],
)
def test_a_bad_value_is_named_in_one_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_paid_broadcast_allows_up_to_a_thousand(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[broadcast]\npaid_broadcast = true\n"
                                         "rate_per_second = 1000\n"))
    assert config.broadcast.rate_per_second == 1000


def test_a_missing_token_is_a_config_error(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[telegram]\n"))
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        config.token()


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "absent.toml")


@pytest.mark.parametrize(("line", "key"), [
    ("rate_per_second = 0", "rate_per_second"), ("concurrency = 0", "concurrency"),
    ("poll_timeout_seconds = 0.5", "poll_timeout_seconds"), ('mode = "push"', "mode"),
    ("webhook_port = 70000", "webhook_port"),
])
def test_a_bad_zalo_bot_section_is_named_in_one_line(
    tmp_path: Path, line: str, key: str,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[telegram]\n[zalo_bot]\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"\[zalo_bot\] {key}"):
        load_config(path)
