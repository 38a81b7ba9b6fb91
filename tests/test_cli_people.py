"""`anninh officers …` and `anninh teams list`, in-process: output, exit codes, audit."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store
from tests.conftest import write_config
from tests.helpers import SAMPLE_AREAS


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANNINH_API_BASE_URL", "ANNINH_DATABASE", "ANNINH_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(write_config(tmp_path, "http://127.0.0.1:9/bot"))
    assert main(["areas", "load", str(SAMPLE_AREAS), "--config", path]) == 0
    capsys.readouterr()
    return path


def audit_actions(config_path: str) -> list[tuple[str, str]]:
    database = Path(config_path).parent / "anninh.sqlite3"
    with sqlite3.connect(database) as connection:
        return list(connection.execute("SELECT action, detail FROM audit_log ORDER BY id"))


def test_officers_add_list_remove_with_audit(
    config_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["officers", "add", "7007", "--commune", "hung-loc", "--config", config_path]) == 0
    assert "7007 is now an officer of hung-loc" in capsys.readouterr().out
    assert main(["officers", "add", "7007", "--commune", "hung-loc", "--config", config_path]) == 0
    assert "already" in capsys.readouterr().out

    assert main(["officers", "list", "--config", config_path]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [["hung-loc", "1001"], ["hung-loc", "7007"]]
    assert lines[1].endswith("\tcli")

    assert main(["officers", "remove", "7007", "--commune", "hung-loc",
                 "--config", config_path]) == 0
    assert "no longer" in capsys.readouterr().out
    assert main(["officers", "list", "--commune", "hung-loc", "--config", config_path]) == 0
    assert "7007" not in capsys.readouterr().out
    grants = [a for a, detail in audit_actions(config_path) if "hung-loc" in detail]
    assert grants == ["role.grant", "role.grant", "role.revoke"]  # 1001 by the areas file


def test_an_unknown_commune_fails_in_one_line(
    config_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["officers", "add", "7007", "--commune", "nowhere"],
                 ["officers", "remove", "1001", "--commune", "nowhere"],
                 ["officers", "list", "--commune", "nowhere"],
                 ["teams", "list", "--commune", "nowhere"]):
        assert main([*argv, "--config", config_path]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and "nowhere" in captured.err
    assert main(["officers", "remove", "4242", "--commune", "hung-loc",
                 "--config", config_path]) == 1
    assert "not an officer" in capsys.readouterr().err


def test_usage_and_config_errors_exit_2(
    config_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["officers", "add", "7007", "--config", config_path])  # --commune missing
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["officers", "add", "not-a-number", "--commune", "hung-loc"])
    assert exited.value.code == 2
    assert main(["teams", "list", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "no such config file" in capsys.readouterr().err


def test_teams_list_shows_leader_and_counts(
    config_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def add_members() -> None:
        store = await Store.open(Path(config_path).parent / "anninh.sqlite3")
        try:
            team = await store.areas.team_by_join_code("HN01")
            assert team is not None
            async with store.db.transaction() as tx:
                for telegram_id, state in ((3001, "active"), (3002, "active"), (3003, "pending")):
                    resident_id = await store.residents.ensure(tx, telegram_id)
                    await store.memberships.add(tx, team.id, resident_id, "member", state)
                # 2001 wrote to the bot; 2002 did, then blocked it; the others never did
                for telegram_id in (2001, 2002):
                    leader_id = await store.residents.ensure(tx, telegram_id)
                    await store.residents.mark_opened(tx, leader_id)
                await store.residents.update(tx, leader_id, unreachable_at="2026-11-24T01:00:00")
        finally:
            await store.close()

    asyncio.run(add_members())
    assert main(["teams", "list", "--commune", "hung-loc", "--config", config_path]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:3] == ["commune", "code", "name"]
    assert lines[0].split("\t")[-2:] == ["pending", "leader_reachable"]
    rows = {line.split("\t")[1]: line.split("\t") for line in lines[1:]}
    assert len(rows) == 5
    assert rows["hn-01"] == ["hung-loc", "hn-01", "Tổ an ninh nhân dân số 1",
                             "to-an-ninh-nhan-dan", "hung-nhon", "HN01", "2001", "3", "1", "yes"]
    assert rows["hn-xeom"][6:] == ["2002", "1", "0", "blocked"]
    assert rows["dg-nu"][6:] == ["2005", "1", "0", "not-opened"]
