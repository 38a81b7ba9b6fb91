"""Getting into the web console: /web in chat (an officer gets a one-time link, anyone else a
refusal and no link) and `anninh web link|sessions` on the command line."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from bot.catalog import Catalog
from bot.cli import main
from bot.config import WebConfig, load_config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import ZaloSandbox
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import ROOT, SAMPLE_AREAS, free_port, onboard, onboard_on_zalo

PORT = free_port()
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/login/[A-Za-z0-9_-]+)")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config + f'\n[web]\nport = {PORT}\n'


async def test_an_officer_gets_a_link_that_opens_the_console(
    officer: SimUser, bot: AnninhApp,
) -> None:
    await officer.command("web")
    got = await officer.wait_for("Đường dẫn đăng nhập")
    link = LINK.search(got.text)
    assert link is not None and "10 phút" in got.text
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(link[1]) as page:
            text = await page.text()
            assert page.status == 200 and "Đăng nhập" in text
        nonce = re.search(r'name="nonce" value="([^"]+)"', text)
        token = link[1].rsplit("/", 1)[1]
        assert nonce is not None
        async with browser.post(f"http://127.0.0.1:{PORT}/login",
                                data={"token": token, "nonce": nonce[1]}) as queue:
            assert queue.status == 200 and "Tin báo" in await queue.text()


async def test_a_resident_gets_no_link(sandbox_resident: SimUser, bot: AnninhApp) -> None:
    await onboard(sandbox_resident)
    await sandbox_resident.command("web")
    got = await sandbox_resident.wait_for("không có quyền")
    assert "/login/" not in got.text


async def test_an_officer_on_zalo_gets_a_link_too(
    zalo: ZaloSandbox, bot: AnninhApp, tmp_path: Path, store: Store,
) -> None:
    officer = zalo.user(77, "Cán bộ Zalo")
    await onboard_on_zalo(officer)
    await officer.send("web")
    refused = await officer.wait_for("không có quyền")
    assert "/login/" not in refused.text
    areas = tmp_path / "areas.toml"
    areas.write_text(SAMPLE_AREAS.read_text(encoding="utf-8").replace(
        "officers = [1001]", f'officers = [1001, "zalo:{officer.id}"]'), encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(ROOT / "content")), "test")
    await officer.send("web")
    got = await officer.wait_for("Đường dẫn đăng nhập")
    assert LINK.search(got.text) is not None


@pytest.fixture
def sandbox_resident(sandbox: Sandbox) -> SimUser:
    return sandbox.user(4001, first_name="Hà")


def test_the_command_line_prints_links_and_ends_sessions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\n[database]\npath = "anninh.sqlite3"\n[web]\n'
                      'public_url = "https://anninh.example.vn"\n', encoding="utf-8")

    def run(*args: str) -> int:
        return main(["--config", str(config), *args])

    assert run("areas", "load", str(SAMPLE_AREAS)) == 0
    capsys.readouterr()
    assert run("web", "link", "--officer", "1001") == 0
    assert re.match(r"https://anninh\.example\.vn/login/[A-Za-z0-9_-]{40,}\n",
                    capsys.readouterr().out)
    assert run("web", "link", "--officer", "telegram:2001") == 1  # a leader, no officer
    assert "not an officer" in capsys.readouterr().err
    assert run("web", "link", "--officer", "nobody") == 1
    assert run("web", "sessions", "list") == 0
    assert capsys.readouterr().out.count("\n") == 1  # a link is not a session yet
    assert run("web", "sessions", "revoke", "7") == 1
    assert "no live session" in capsys.readouterr().err
    assert run("web", "sessions", "revoke", "--officer", "telegram:1001") == 0
    assert "0 session(s) ended" in capsys.readouterr().out


def test_the_web_section_turns_the_console_on(tmp_path: Path) -> None:
    def web(section: str) -> WebConfig | None:
        path = tmp_path / "config.toml"
        path.write_text(f"[telegram]\n{section}", encoding="utf-8")
        return load_config(path).web_on

    assert web("") is None  # no [web]: nothing served
    assert web('[web]\nenabled = false\npublic_url = "https://a.vn"\n') is None
    plain = web("[web]\nport = 8181\n")
    assert plain is not None and plain.base_url == "http://127.0.0.1:8181"
    assert not plain.secure
    https = web('[web]\npublic_url = "https://anninh.example.vn/"\n')
    assert https is not None and https.base_url == "https://anninh.example.vn"
    assert https.secure
