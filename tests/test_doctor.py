"""`anninh doctor` against the sandbox: staff groups, people the bot cannot reach, campaign
files, recent failed deliveries — one line per problem, exit 1; else one "all good" line."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FakeClock, SystemClock
from bot.config import ContentConfig
from bot.media import MediaStore
from bot.models import Recipient, ReportPhoto
from bot.sandbox import Sandbox, SimGroup
from bot.store import Store
from bot.store.outbox import Outcome
from bot.store.reports import NewReport
from tests.helpers import SAMPLE_AREAS, STAFF_CHAT_ID

TOKEN = "123456:DOCTOR-TOKEN"
ENV_KEYS = ("ANNINH_API_BASE_URL", "ANNINH_DATABASE", "ANNINH_CONFIG", "TELEGRAM_BOT_TOKEN")
STAFF = (1001, 2001, 2002, 2003, 2004, 2005)  # the sample commune's officer and leaders


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_KEYS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(ContentConfig().folder, folder,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as emulator:
        yield emulator


@pytest.fixture
def config_path(tmp_path: Path, sandbox: Sandbox, content: Path) -> str:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\napi_base_url = "{sandbox.api_base_url}"\n\n'
        f'[database]\npath = "anninh.sqlite3"\n\n[content]\nfolder = "{content}"\n',
        encoding="utf-8")
    return str(path)


@pytest.fixture
async def store(config_path: str) -> AsyncIterator[Store]:
    """The sample commune, loaded as an operator would, every officer and leader having
    opened the bot; rows stamped by the system clock, as `anninh doctor` reads them."""
    assert await asyncio.to_thread(main, ["areas", "load", str(SAMPLE_AREAS),
                                          "--config", config_path]) == 0
    opened = await Store.open(Path(config_path).parent / "anninh.sqlite3", SystemClock())
    try:
        async with opened.db.transaction() as tx:
            for telegram_id in STAFF:
                await opened.residents.mark_opened(
                    tx, await opened.residents.ensure(tx, telegram_id))
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def staff_group(sandbox: Sandbox) -> SimGroup:
    return sandbox.group(STAFF_CHAT_ID, "Công an xã Hưng Lộc")


async def doctor(config_path: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    """Run `anninh doctor` (in a thread: it runs its own event loop, the sandbox runs here)."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["doctor", "--config", config_path])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out.splitlines()


def point_at(config_path: str, api_base_url: str) -> None:
    """Point the config at another Bot API server."""
    path = Path(config_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("api_base_url = ", f'api_base_url = "{api_base_url}"\n# was '),
                    encoding="utf-8")


async def failed_broadcast(store: Store, clock: FakeClock | None = None) -> int:
    """An announcement to four chats: one sent, two failed, one recipient unreachable."""
    stamped = store if clock is None else await Store.open(store.db.path, clock)
    try:
        commune = await stamped.areas.commune_by_code("hung-loc")
        assert commune is not None
        async with stamped.db.transaction() as tx:
            broadcast_id = await stamped.broadcasts.create(
                tx, commune_id=commune.id, lane="announcement", payload='{"text": "x"}')
            await stamped.outbox.add(tx, broadcast_id, 1, [
                Recipient(None, chat_id) for chat_id in (5001, 5002, 5003, 5004)])
            claimed = await stamped.outbox.claim(tx, 10, now=float("inf"))
            states = ["sent", "failed", "failed", "unreachable"]
            errors = [None, "Timed out", "Bad Request: chat not found",
                      "Forbidden: bot was blocked by the user"]
            await stamped.outbox.record(tx, [
                Outcome(row.id, broadcast_id, state, 5, error)
                for row, state, error in zip(claimed, states, errors, strict=True)])
        return broadcast_id
    finally:
        if stamped is not store:
            await stamped.close()


async def test_all_good_is_one_line_and_exit_0(
    config_path: str, store: Store, staff_group: SimGroup, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = await doctor(config_path, capsys)
    assert (code, len(lines)) == (0, 1), lines
    assert lines[0].startswith("all good: 1 staff group(s), 6 officer(s) and leader(s)")
    media = Path(config_path).parent / "media"  # beside the database; made with a first photo
    assert lines[0].endswith(f"; media folder {media}: 0 file(s), 0.0 MB")
    await MediaStore(media).put(b"\xff\xd8" + b"x" * 1_500_000, "photo", "image/jpeg")
    code, lines = await doctor(config_path, capsys)
    assert code == 0 and lines[0].endswith(f"; media folder {media}: 1 file(s), 1.5 MB")


async def test_the_media_folder_must_be_a_folder_holding_what_the_database_names(
    config_path: str, store: Store, staff_group: SimGroup, capsys: pytest.CaptureFixture[str],
) -> None:
    media = Path(config_path).parent / "media"
    media.write_text("not a folder", encoding="utf-8")
    code, lines = await doctor(config_path, capsys)
    assert (code, lines) == (1, [f"media: {media} is not a folder ([media] folder)"])
    media.unlink()
    kept = await MediaStore(media).put(b"\xff\xd8 kept", "photo", "image/jpeg")
    async with store.db.transaction() as tx:
        await store.reports.insert(tx, NewReport(
            None, None, await store.residents.ensure(tx, 4001), True, "trom-cap", "normal",
            "x", None, None, None, None, None, None, voice_media_key="ab" * 32),
            [ReportPhoto(None, None, kept.key)], "2026")
    code, lines = await doctor(config_path, capsys)
    assert (code, lines) == (1, [f"media: {media}: 1 file(s) the database names are missing "
                                 "(restore them from a backup's .media folder)"])


async def test_every_problem_is_one_line_and_exit_1(
    config_path: str, store: Store, staff_group: SimGroup, content: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    staff_group.restrict_bot()
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE residents SET opened_at = NULL WHERE telegram_id = 2003")
        await tx.execute("UPDATE residents SET unreachable_at = '2026-11-20T01:00:00+00:00' "
                         "WHERE telegram_id = 1001")
    (content / "campaigns" / "hong.md").write_text(
        '+++\nid = "hong"\ntitle = "Hỏng"\nschedule = ["99 * * * *"]\n'
        'audience = { commune = "hung-loc" }\n+++\nBody\n', encoding="utf-8")
    recent = await failed_broadcast(store)
    old = await failed_broadcast(store, FakeClock(SystemClock().now() - timedelta(hours=30)))

    code, lines = await doctor(config_path, capsys)
    assert code == 1
    assert len(lines) == 5, lines
    by_kind = {line.split(":", 1)[0]: line for line in lines if not line.startswith("people")}
    assert "-1001000000001" in by_kind["staff group"]
    assert "may not post" in by_kind["staff group"]
    people = [line for line in lines if line.startswith("people")]
    assert any("officer 1001" in line and "blocked the bot" in line for line in people)
    assert any("leader 2003" in line and "team hh-01" in line and "has not opened the bot"
               in line for line in people)
    assert "hong.md" in by_kind["campaign"] and "schedule" in by_kind["campaign"]
    assert f"broadcast #{recent} " in by_kind["outbox"]
    assert "2 failed, 1 unreachable" in by_kind["outbox"]
    assert f"#{old} " not in "\n".join(lines)  # older than 24 hours


async def test_a_staff_group_the_bot_left_or_that_telegram_does_not_know(
    config_path: str, store: Store, sandbox: Sandbox, staff_group: SimGroup,
    capsys: pytest.CaptureFixture[str],
) -> None:
    staff_group.remove_bot()
    code, lines = await doctor(config_path, capsys)
    assert code == 1
    assert lines == [f"staff group: commune hung-loc ({STAFF_CHAT_ID}): the bot is not a "
                     "member; add it to the group"]

    staff_group.migrate(-1009999999999)
    code, lines = await doctor(config_path, capsys)
    assert code == 1 and len(lines) == 1
    assert "became the supergroup -1009999999999" in lines[0]

    del sandbox.world.chats[STAFF_CHAT_ID]
    code, lines = await doctor(config_path, capsys)
    assert code == 1 and len(lines) == 1
    assert "chat not found" in lines[0].lower()


async def test_without_a_usable_token_the_other_checks_still_run(
    config_path: str, store: Store, staff_group: SimGroup, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE residents SET opened_at = NULL WHERE telegram_id = 2005")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    code, lines = await doctor(config_path, capsys)
    assert code == 1 and len(lines) == 2, lines
    assert lines[0].startswith("telegram:") and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "leader 2005" in lines[1]

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    code, lines = await doctor(config_path, capsys)
    assert code == 1 and len(lines) == 2, lines
    assert lines[0].startswith("telegram:") and "token was refused" in lines[0]
    assert "not-a-token" not in lines[0]


async def test_a_commune_without_a_staff_group_and_a_bot_api_out_of_reach(
    config_path: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE communes SET staff_chat_id = NULL")
    code, lines = await doctor(config_path, capsys)
    assert code == 1
    assert lines == ["staff group: commune hung-loc has none (staff_chat_id in the areas file): "
                     "reports and join requests go to each officer privately"]

    point_at(config_path, "http://127.0.0.1:9/bot")  # nothing listens there
    code, lines = await doctor(config_path, capsys)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("telegram: cannot reach http://127.0.0.1:9/bot"), lines[0]
    assert lines[0].endswith("the staff groups were not checked")



def with_sections(config_path: str, sections: str) -> None:
    """The config with these sections added after what the fixture wrote."""
    path = Path(config_path)
    plain = path.read_text(encoding="utf-8").split("\n# added\n")[0]
    path.write_text(f"{plain}\n# added\n{sections}", encoding="utf-8")


async def test_a_zalo_channel_without_a_public_address_for_photos_is_named(
    config_path: str, store: Store, staff_group: SimGroup, capsys: pytest.CaptureFixture[str]
) -> None:
    with_sections(config_path, "[zalo_bot]\n")
    code, lines = await doctor(config_path, capsys)
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith("zalo: [web] public_url is not set: photos")
    assert "caption alone" in lines[0]
    with_sections(config_path, '[zalo_bot]\n\n[web]\npublic_url = "https://anninh.example"\n')
    code, lines = await doctor(config_path, capsys)
    assert code == 0 and lines[0].startswith("all good"), lines
    with_sections(config_path, "[zalo_bot]\nenabled = false\n")
    assert (await doctor(config_path, capsys))[0] == 0  # Zalo off: nothing to warn of
