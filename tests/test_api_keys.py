"""`anninh api-keys create|list|revoke`: a key printed once and kept only as a hash, listed
without it, revoked by name or id; what the key service refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.services.api_keys import ApiKeyError, ApiKeyService
from bot.store import Store
from tests.helpers import SAMPLE_AREAS


def test_a_key_is_printed_once_listed_without_it_and_revoked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\n[database]\npath = "anninh.sqlite3"\n', encoding="utf-8")

    def run(*args: str) -> int:
        return main(["--config", str(config), *args])

    assert run("areas", "load", str(SAMPLE_AREAS)) == 0
    capsys.readouterr()
    assert run("api-keys", "create", "--name", "Trung tâm 1022", "--commune", "hung-loc") == 0
    printed = capsys.readouterr().out
    secret = printed.splitlines()[0]
    assert re.fullmatch(r"an311_[A-Za-z0-9_-]{40,}", secret)
    assert "shown this once" in printed
    database = (tmp_path / "anninh.sqlite3").read_bytes()
    assert secret.encode() not in database  # only its hash is kept
    assert run("api-keys", "create", "--name", "Trung tâm 1022", "--commune", "hung-loc") == 1
    assert "exists already" in capsys.readouterr().err
    assert run("api-keys", "create", "--name", "Tổng đài", "--commune", "nowhere") == 1
    assert "no commune" in capsys.readouterr().err
    assert run("api-keys", "list") == 0
    listed = capsys.readouterr().out
    assert "1\tTrung tâm 1022\thung-loc\t" in listed and secret not in listed
    assert listed.rstrip().endswith("-")  # not revoked
    assert run("api-keys", "revoke", "1") == 0
    assert "'Trung tâm 1022' (1) is revoked" in capsys.readouterr().out
    assert run("api-keys", "revoke", "Trung tâm 1022") == 1
    assert "revoked already" in capsys.readouterr().err
    assert run("api-keys", "revoke", "Nobody") == 1
    assert run("api-keys", "list") == 0
    assert not capsys.readouterr().out.rstrip().endswith("-")


async def test_the_service_checks_live_keys_only(store: Store, clock: FakeClock) -> None:
    keys = ApiKeyService(store, clock)
    key, secret = await keys.create("  Hotline  ", "hung-loc")
    assert key.name == "Hotline" and key.live and key.commune_code == "hung-loc"
    checked = await keys.check(secret)
    assert checked is not None and checked.id == key.id
    assert await keys.check(secret + "x") is None
    assert await keys.check("") is None
    for name in ("", "42"):
        with pytest.raises(ApiKeyError):
            await keys.create(name, "hung-loc")
    await keys.revoke("Hotline")
    assert await keys.check(secret) is None
    actions = [e.action for e in await store.audit.entries("api_key", key.id)]
    assert actions == ["api_key.created", "api_key.revoked"]
