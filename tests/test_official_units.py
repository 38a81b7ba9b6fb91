"""The 2025 list of official units (vietnam-provinces): `anninh areas init` prints a starter
areas file that loads as it is; ambiguous and unknown names list the closest official ones
(exit 2); `areas load` warns about a commune no official unit has the name (or code) of."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.catalog import Catalog
from bot.cli import main
from bot.config import ContentConfig
from bot.services.areas import AreasFileError, parse_areas
from bot.services.campaigns import load_campaigns
from bot.services.official_units import NotFound, OfficialUnits
from tests.helpers import ROOT, SAMPLE_AREAS, SHIPPED_AREAS


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[telegram]\n[database]\npath = "anninh.sqlite3"\n', encoding="utf-8")
    return path


def test_the_list_is_the_2025_one() -> None:
    units = OfficialUnits.load()
    assert len(units.provinces) == 34
    assert sum(len(communes) for communes in units.provinces.values()) == 3321
    found = units.commune("dong nai", "thong nhat")  # without accents
    assert (found.name, found.province, found.code) == ("Xã Thống Nhất", "Đồng Nai", "26299")
    assert units.commune("Đồng Nai", "Xã Thống Nhất") == found


def test_init_prints_a_starter_file_that_loads_without_warnings(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--config", str(config), "areas", "init", "--province", "Đồng Nai",
                 "--commune", "Thống Nhất"]) == 0
    printed = capsys.readouterr().out
    assert 'name = "Xã Thống Nhất"' in printed and 'official_code = "26299"' in printed
    areas = tmp_path / "areas.toml"
    areas.write_text(printed, encoding="utf-8")
    [commune] = parse_areas(areas, Catalog.load(ROOT / "content"))
    assert commune.official_code == "26299" and commune.code == "thong-nhat"
    assert commune.province == "Đồng Nai"
    assert main(["--config", str(config), "areas", "load", str(areas)]) == 0
    loaded = capsys.readouterr()
    assert "loaded 1 commune(s), 1 hamlet(s), 1 team(s)" in loaded.out
    assert loaded.err == ""


@pytest.mark.parametrize(("commune", "listed"), [
    ("Hưng Lộc", "Xã Xuân Lộc"),  # merged away in 2025: the closest names
    ("loc thanh", "Xã Lộc Thành, Xã Lộc Thạnh"),  # two units without accents
])
def test_init_names_the_closest_units_when_it_cannot_choose(
    config: Path, capsys: pytest.CaptureFixture[str], commune: str, listed: str,
) -> None:
    assert main(["--config", str(config), "areas", "init", "--province", "Đồng Nai",
                 "--commune", commune]) == 2
    said = capsys.readouterr()
    assert said.out == "" and listed in said.err


def test_an_unknown_province_names_the_closest() -> None:
    with pytest.raises(NotFound) as missing:
        OfficialUnits.load().commune("Đồng Nại Xưa", "Thống Nhất")
    assert "Đồng Nai" in missing.value.closest


def test_load_warns_about_a_name_no_official_unit_has(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    def load(text: str) -> str:
        areas = tmp_path / "areas.toml"
        areas.write_text(text, encoding="utf-8")
        assert main(["--config", str(config), "areas", "load", str(areas)]) == 0
        said = capsys.readouterr()
        assert "loaded 1 commune(s)" in said.out
        return said.err

    sample = SAMPLE_AREAS.read_text(encoding="utf-8")
    assert load(sample) == ""  # a Xã Hưng Lộc exists (in Huế): no province, no warning
    err = load(sample.replace('name = "Xã Hưng Lộc"', 'name = "Xã Hưng Lộc"\n'
                              'province = "Dong Nai"'))
    assert "warning: commune 'hung-loc': Xã Hưng Lộc is no official unit's name in " \
        "Đồng Nai; closest: Xã Hưng Phước (Đồng Nai)" in err
    err = load(sample.replace('name = "Xã Hưng Lộc"', 'name = "Xã Hưng Lộc"\n'
                              'official_code = "26299"'))
    assert "official_code 26299 is Xã Thống Nhất (Đồng Nai), not Xã Hưng Lộc" in err
    err = load(sample.replace('name = "Xã Hưng Lộc"', 'name = "Xã Hưng Lộc"\n'
                              'province = "Sài Gòn"'))
    assert "province Sài Gòn is no official province" in err


def test_the_shipped_sample_is_an_official_commune_with_the_contracts_people(
    config: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--config", str(config), "areas", "load", str(SHIPPED_AREAS)]) == 0
    said = capsys.readouterr()
    assert said.err == "" and "loaded 1 commune(s)" in said.out  # no warning
    [commune] = parse_areas(SHIPPED_AREAS, Catalog.load(ROOT / "content"))
    unit = OfficialUnits.load().by_code(commune.official_code or "")
    assert unit is not None and (unit.name, unit.province) == (commune.name, commune.province)
    assert OfficialUnits.load().check(commune) is None
    # what the acceptance contract's examples name still works with the shipped sample
    assert commune.staff_chat_id == -1001000000001 and ("telegram", "1001") in commune.officers
    teams = {t.join_code: t for h in commune.hamlets for t in h.teams}
    assert teams["HN01"].leader == ("telegram", "2001")
    assert teams["HN01"].kind == "to-an-ninh-nhan-dan"
    # and the shipped campaigns name no commune or hamlet: they speak to whichever commune a
    # deployment has, this one or the contract's example
    campaigns, errors = load_campaigns(ContentConfig().folder, ZoneInfo("Asia/Ho_Chi_Minh"))
    assert errors == [] and campaigns
    for campaign in campaigns:
        assert campaign.audience.commune is None and not campaign.audience.hamlets


def test_an_official_code_is_digits(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[commune]]\ncode = "x"\nname = "Xã X"\nofficial_code = "abc"\n',
                   encoding="utf-8")
    with pytest.raises(AreasFileError, match="official_code"):
        parse_areas(bad, Catalog.load(ROOT / "content"))
