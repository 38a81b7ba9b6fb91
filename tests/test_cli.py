"""The `anninh` command: exit codes, one-line errors, areas, database, export, and `run`."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.media import MediaStore
from bot.models import ReportPhoto
from bot.sandbox import Sandbox
from bot.store import Store
from bot.store.reports import NewReport
from tests.helpers import SAMPLE_AREAS

ENV_KEYS = ("ANNINH_API_BASE_URL", "ANNINH_DATABASE", "ANNINH_CONFIG", "TELEGRAM_BOT_TOKEN")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_KEYS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "deploy" / "config.toml"
    path.parent.mkdir()
    path.write_text('[telegram]\n[database]\npath = "data/anninh.sqlite3"\n', encoding="utf-8")
    return path


def run(*args: str) -> int:
    return main(list(args))


def test_help_on_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["run"], ["demo"], ["sandbox"], ["db", "migrate"], ["db", "backup"],
                    ["areas", "load"], ["export", "reports"], ["doctor"]):
        with pytest.raises(SystemExit) as exited:
            run(*command, "--help")
        assert exited.value.code == 0
        assert "--config" in capsys.readouterr().out


def test_sandbox_chats_on_zalo_with_channel_zalo(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("/who\n/quit\n"))
    assert run("sandbox", "--channel", "zalo", "--user", "7") == 0
    out = capsys.readouterr().out
    assert "Offline sandbox on Zalo" in out and " * 7 Người dùng 7" in out
    with pytest.raises(SystemExit) as exited:
        run("sandbox", "--channel", "fax")
    assert exited.value.code == 2


def test_areas_load_is_idempotent_and_relative_paths_follow_the_config(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("areas", "load", str(SAMPLE_AREAS), "--config", str(config_path)) == 0
    assert "5 team(s)" in capsys.readouterr().out
    database = config_path.parent / "data" / "anninh.sqlite3"
    first = _dump(database)
    assert run("--config", str(config_path), "areas", "load", str(SAMPLE_AREAS)) == 0
    assert "0 officer(s) added, 0 leader(s) set" in capsys.readouterr().out
    assert _dump(database) == first


def test_a_malformed_areas_file_is_rejected_whole(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("areas", "load", str(SAMPLE_AREAS), "--config", str(config_path)) == 0
    database = config_path.parent / "data" / "anninh.sqlite3"
    before = _dump(database)
    capsys.readouterr()
    broken = tmp_path / "areas.toml"
    text = SAMPLE_AREAS.read_text(encoding="utf-8")
    text = text.replace('name = "Xã Hưng Lộc"', 'name = "Xã Hưng Lộc mới"')  # a valid change…
    broken.write_text(text.replace('kind = "doi-dan-phong"', 'kind = "x"'), encoding="utf-8")
    assert run("areas", "load", str(broken), "--config", str(config_path)) == 1
    error = capsys.readouterr().err
    assert "team 'hh-dp'" in error
    assert error.count("\n") == 1
    assert _dump(database) == before  # …is not written either


@pytest.mark.parametrize(
    ("text", "named"),
    [("[telegram]\nmode = 1\n", "[telegram] mode"), ("[databse]\n", "[databse]"),
     ("[broadcast]\nrate_per_second = -3\n", "rate_per_second")],
)
def test_a_broken_config_gives_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, named: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    assert run("db", "migrate", "--config", str(path)) == 2
    error = capsys.readouterr().err
    assert named in error
    assert str(path) in error
    assert error.count("\n") == 1
    assert "Traceback" not in error


def test_run_without_a_token_gives_one_line_and_exit_2(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("run", "--config", str(config_path)) == 2
    error = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN" in error
    assert error.count("\n") == 1


def test_database_override_migrate_and_backup(
    config_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "elsewhere" / "db.sqlite3"
    monkeypatch.setenv("ANNINH_DATABASE", str(other))
    assert run("db", "migrate", "--config", str(config_path)) == 0
    assert run("areas", "load", str(SAMPLE_AREAS), "--config", str(config_path)) == 0
    assert other.exists()
    assert not (config_path.parent / "data").exists()
    copy = tmp_path / "backups" / "copy.sqlite3"
    assert run("db", "backup", str(copy), "--config", str(config_path)) == 0
    assert _dump(copy) == _dump(other)


def test_backup_copies_the_media_its_database_copy_names(
    config_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PATH gets the database, PATH.media the files it names (as the media folder lays them
    out); a file no row names is not copied, and one no longer named leaves the copy."""
    assert run("db", "migrate", "--config", str(config_path)) == 0
    media = MediaStore(config_path.parent / "data" / "media")

    async def file_report() -> tuple[str, str]:
        store = await Store.open(config_path.parent / "data" / "anninh.sqlite3")
        try:
            photo = await media.put(b"\xff\xd8 a photo", "photo", "image/jpeg")
            voice = await media.put(b"OggS a voice note", "voice", "audio/ogg")
            await media.put(b"\xff\xd8 never filed", "photo", "image/jpeg")
            async with store.db.transaction() as tx:
                await store.reports.insert(tx, NewReport(
                    None, None, await store.residents.ensure(tx, 4001), True, "trom-cap",
                    "normal", "x", None, None, None, None, None, None,
                    voice_media_key=voice.key), [ReportPhoto(None, None, photo.key)], "2026")
            return photo.key, voice.key
        finally:
            await store.close()

    photo, voice = asyncio.run(file_report())
    copy = tmp_path / "backups" / "copy.sqlite3"
    capsys.readouterr()
    assert run("db", "backup", str(copy), "--config", str(config_path)) == 0
    said = capsys.readouterr().out
    assert f"to {copy}," in said and f"to {copy}.media (2 file(s) copied" in said
    copied = MediaStore(tmp_path / "backups" / "copy.sqlite3.media")
    assert sorted(asyncio.run(copied.keys())) == sorted([photo, voice])
    assert copied.path(photo).read_bytes() == b"\xff\xd8 a photo"
    with contextlib.closing(sqlite3.connect(copy)) as db:
        assert db.execute("SELECT media_key FROM report_media").fetchall() == [(photo,)]
    with contextlib.closing(sqlite3.connect(config_path.parent / "data" / "anninh.sqlite3")) as db:
        db.execute("DELETE FROM report_media")
        db.commit()
    assert run("db", "backup", str(copy), "--config", str(config_path)) == 0
    assert "1 no longer named removed" in capsys.readouterr().out
    assert asyncio.run(copied.keys()) == [voice]


def test_export_reports_prints_only_data(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("export", "reports", "--format", "json", "--config", str(config_path)) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert run("export", "reports", "--format", "csv", "--config", str(config_path)) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:3] == ["service_request_id", "status", "status_notes"]


async def test_run_answers_start_on_any_bot_api_server_and_stops_cleanly_on_sigterm(
    config_path: Path, tmp_path: Path
) -> None:
    async with Sandbox() as sandbox:
        env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
        env |= {"TELEGRAM_BOT_TOKEN": "123456:REAL-LOOKING", "ANNINH_API_BASE_URL":
                sandbox.api_base_url, "PYTHONUNBUFFERED": "1"}
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_path),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            await sandbox.wait_polling(timeout=30)
            lan = sandbox.user(3001, first_name="Lan")
            await lan.command("start")
            await lan.wait_for("Chào mừng", timeout=15)
            await lan.wait_for("Đồng ý xử lý dữ liệu", timeout=15)
            assert sandbox.commands, "the command menu was set"
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
        assert bot.returncode == 0, stderr.decode()
        assert "Traceback" not in stderr.decode()
        assert (config_path.parent / "data" / "anninh.sqlite3").exists()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bot_env(api_base_url: str, token: str = "123456:REAL-LOOKING") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    return env | {"TELEGRAM_BOT_TOKEN": token, "ANNINH_API_BASE_URL": api_base_url,
                  "PYTHONUNBUFFERED": "1"}


async def test_run_waits_for_an_unreachable_api_one_line_per_attempt_until_sigterm(
    config_path: Path,
) -> None:
    api = f"http://127.0.0.1:{_closed_port()}/bot"
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config_path), env=_bot_env(api),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert bot.stderr is not None
    lines: list[str] = []
    try:
        while not any("attempt 2:" in line for line in lines):
            line = await asyncio.wait_for(bot.stderr.readline(), timeout=30)
            assert line, f"anninh run ended: {lines}"
            lines.append(line.decode())
    finally:
        bot.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 0, rest.decode()
    assert "Traceback" not in "".join(lines) + rest.decode()
    assert len(lines) == 2  # one line for each attempt, nothing else
    for number, line in enumerate(lines, 1):
        assert f"cannot reach the Bot API at {api} (attempt {number}:" in line
    assert "next attempt in 1 s" in lines[0] and "next attempt in 2 s" in lines[1]


async def test_run_with_a_token_the_api_refuses_says_so_in_one_line(config_path: Path) -> None:
    async with Sandbox() as sandbox:  # it answers 401 Unauthorized to a malformed token
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_path),
            env=_bot_env(sandbox.api_base_url, token="not-a-token"),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    error = stderr.decode()
    assert bot.returncode == 2, error
    assert "refused the token in $TELEGRAM_BOT_TOKEN" in error and "not-a-token" not in error
    assert error.count("\n") == 1 and "Traceback" not in error


async def test_run_with_a_database_folder_that_cannot_be_made(config_path: Path) -> None:
    (config_path.parent / "data").write_text("a file where the folder should be")
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config_path),
        env=_bot_env(f"http://127.0.0.1:{_closed_port()}/bot"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
    error = stderr.decode()
    assert bot.returncode == 2, error
    database = config_path.parent / "data" / "anninh.sqlite3"
    assert error.startswith(f"anninh: database {database}: cannot create the folder "
                            f"{database.parent}: ")  # and the system's reason
    assert error.count("\n") == 1


@pytest.mark.parametrize("where", ["under a file", "a folder"])
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder.sqlite3").mkdir()
    path = tmp_path / ("file/db.sqlite3" if where == "under a file" else "folder.sqlite3")
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\n[database]\npath = "{path}"\n', encoding="utf-8")
    assert run("db", "migrate", "--config", str(config)) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"anninh: database {path}: cannot ")
    assert error.count("\n") == 1


@pytest.mark.parametrize(
    "args", [[], ["db"], ["broadcast"], ["frobnicate"], ["run", "--bogus"], ["areas", "load"],
             ["export", "reports", "--format", "xml"]])
def test_usage_errors_exit_2_even_where_the_terminal_cannot_show_vietnamese(
    args: list[str],
) -> None:
    """A missing command used to print the Vietnamese help and crash on such a terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    done = subprocess.run([sys.executable, "-m", "bot", *args], env=env | {
        "PYTHONIOENCODING": "ascii"}, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "usage: anninh" in done.stderr and "error:" in done.stderr
    assert "Traceback" not in done.stderr
    helped = subprocess.run([sys.executable, "-m", "bot", *args[:1], "--help"], env=env | {
        "PYTHONIOENCODING": "ascii"}, capture_output=True, text=True, timeout=60, check=False)
    assert helped.returncode == (2 if args[:1] == ["frobnicate"] else 0), helped.stderr
    assert "Traceback" not in helped.stderr


@pytest.fixture
def webhook_config(config_path: Path) -> tuple[Path, str]:
    """A config in webhook mode on a free local port, and its webhook URL (with a path)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/anninh/hook"
    config_path.write_text(
        f'[telegram]\nmode = "webhook"\nwebhook_listen = "127.0.0.1"\nwebhook_port = {port}\n'
        f'webhook_url = "{url}"\n[database]\npath = "data/anninh.sqlite3"\n',
        encoding="utf-8")
    return config_path, url


@pytest.mark.parametrize("secret", [None, "", "   ", "has space", "x" * 257])
def test_webhook_mode_without_a_usable_secret_refuses_to_start(
    webhook_config: tuple[Path, str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, secret: str | None,
) -> None:
    """Without the secret anyone who reaches the URL could forge updates: one line naming the
    variable, exit 2, and nothing served (the port stays free)."""
    config_path, url = webhook_config
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:REAL-LOOKING")
    monkeypatch.setenv("ANNINH_API_BASE_URL", "http://127.0.0.1:9/bot")  # never reached
    if secret is None:
        monkeypatch.delenv("ANNINH_WEBHOOK_SECRET", raising=False)
    else:
        monkeypatch.setenv("ANNINH_WEBHOOK_SECRET", secret)
    assert run("run", "--config", str(config_path)) == 2
    error = capsys.readouterr().err
    assert "ANNINH_WEBHOOK_SECRET" in error and "webhook_secret_env" in error
    assert error.count("\n") == 1 and "Traceback" not in error
    port = int(url.split(":")[2].split("/")[0])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # nothing listens there


async def test_webhook_mode_serves_telegram_s_posts_and_refuses_others(
    webhook_config: tuple[Path, str],
) -> None:
    """`mode = "webhook"`: the bot sets its webhook (with the secret) and answers the updates
    the server POSTs to it; a POST without the secret is refused; SIGTERM stops it cleanly."""
    config_path, url = webhook_config
    async with Sandbox() as sandbox:
        env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
        env |= {"TELEGRAM_BOT_TOKEN": "123456:REAL-LOOKING", "ANNINH_API_BASE_URL":
                sandbox.api_base_url, "ANNINH_WEBHOOK_SECRET": "s3cret-Token_1",
                "PYTHONUNBUFFERED": "1"}
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config_path),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            assert await sandbox.wait_webhook(timeout=30) == url
            assert sandbox.world.settings["webhook"]["secret_token"] == "s3cret-Token_1"
            lan = sandbox.user(3001, first_name="Lan")
            await lan.command("start")
            await lan.wait_for("Chào mừng", timeout=15)
            assert sandbox.webhook.delivered >= 1 and not sandbox.world.updates

            forged = {"update_id": 999, "message": {
                "message_id": 1, "date": 0, "chat": {"id": 3002, "type": "private"},
                "from": {"id": 3002, "is_bot": False, "first_name": "X"}, "text": "/start"}}
            async with aiohttp.ClientSession() as session, session.post(
                    url, json=forged) as response:
                assert response.status == 403  # no secret header: not from Telegram
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
        assert bot.returncode == 0, stderr.decode()
        assert "Traceback" not in stderr.decode()
        assert 3002 not in sandbox.world.chats


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [line for line in db.iterdump() if "audit_log" not in line]
