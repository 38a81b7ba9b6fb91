"""An officer on Zalo manages teams as on Telegram: "tạo tổ" creates a team by numbers and a
typed name; "tổ trưởng MÃ" lists the members by number, and the new leader is told on their
own messenger (also when a Telegram officer chooses a Zalo member). The officer role is read
again at every step and every choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import ZaloSandbox
from bot.store import Store
from tests.helpers import onboard_on_zalo
from tests.test_alarm import add_member
from tests.test_zalo_triage import zalo_staff

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_a_zalo_officer_creates_a_team_by_numbers(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await hai.send("tạo tổ")
    await hai.wait_for("Tạo tổ mới ở ấp/khu phố nào")
    await hai.send("Bỏ qua")  # not a hamlet: asked again
    await hai.wait_for("Tạo tổ mới ở ấp/khu phố nào")
    await hai.choose("Ấp Dầu Giây")
    await hai.wait_for("thuộc mô hình nào")
    await hai.choose("Đội thanh niên xung kích", by="label")
    await hai.wait_for("Gõ tên tổ")
    await hai.send("Đội xung kích Dầu Giây")
    created = await hai.wait_for("Đã tạo Đội xung kích Dầu Giây")
    team = {t.name: t for t in await store.areas.teams()}["Đội xung kích Dầu Giây"]
    assert team.kind == "doi-thanh-nien-xung-kich"
    assert f"tham gia {team.join_code}" in created.text and "t.me" not in created.text


async def test_a_zalo_officer_appoints_a_zalo_member_who_is_told_on_zalo(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    lan = zalo.user(3701, "Lan")
    await onboard_on_zalo(lan)
    await lan.send("tham gia HHDP")
    await lan.wait_for("Bạn đã tham gia")
    await hai.send("tổ trưởng HHDP")
    pick = await hai.wait_for("Chọn tổ trưởng mới cho Đội dân phòng Hưng Hiệp")
    assert pick.labels == ["Lan"]
    await hai.choose("Lan")
    await hai.wait_for("Đã cử Lan làm tổ trưởng")
    await lan.wait_for("cử bạn làm tổ trưởng Đội dân phòng Hưng Hiệp")
    team = await store.areas.team_by_join_code("HHDP")
    lan_id = await store.accounts.resident_of("zalo", lan.id)
    assert team is not None
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.resident_id == lan_id
    entry = (await store.audit.entries("team", team.id))[-1]
    assert entry.action == "role.leader" and entry.actor_id == await store.accounts.resident_of(
        "zalo", hai.id)


async def test_a_telegram_officer_appoints_a_zalo_member_by_the_button(
    zalo: ZaloSandbox, store: Store, officer: SimUser
) -> None:
    lan = zalo.user(3702, "Lan")
    await onboard_on_zalo(lan)
    await lan.send("tham gia HHDP")
    await lan.wait_for("Bạn đã tham gia")  # no Telegram id: chosen all the same
    await officer.command("totruong", "hh-dp")
    pick = await officer.wait_for("Chọn tổ trưởng mới")
    assert pick.buttons == [["Lan"]]
    await officer.press("Lan")
    await officer.wait_for("Đã cử Lan làm tổ trưởng")
    await lan.wait_for("cử bạn làm tổ trưởng Đội dân phòng Hưng Hiệp")


async def test_the_role_is_read_again_at_every_step_and_residents_are_refused(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await add_member(store, "hh-dp", 3703, "An")
    await hai.send("tổ trưởng HHDP")
    await hai.wait_for("Chọn tổ trưởng mới")
    await hai.send("tạo tổ")
    await hai.wait_for("Tạo tổ mới ở ấp/khu phố nào")
    commune = await store.areas.commune_by_code("hung-loc")
    hai_id = await store.accounts.resident_of("zalo", hai.id)
    assert commune is not None and hai_id is not None
    async with store.db.transaction() as tx:  # no longer an officer, half way through
        await store.residents.revoke_role(tx, hai_id, "officer", commune.id)
    teams = len(await store.areas.teams())
    await hai.choose("Ấp Dầu Giây")
    await hai.wait_for("không có quyền")
    assert len(await store.areas.teams()) == teams
    await hai.send("1")  # the member list's number, still open: refused too
    await hai.wait_for("không có quyền")
    team = await store.areas.team_by_join_code("HHDP")
    assert team is not None
    leader = await store.memberships.leader(team.id)
    assert leader is not None and leader.telegram_id == 2004

    lan = zalo.user(3704, "Lan")
    await onboard_on_zalo(lan)
    for words in ("thống kê", "tạo tổ", "tổ trưởng HHDP"):
        await lan.send(words)
        refusal = await lan.wait_for("không có quyền")
        assert "Thống kê" not in refusal.text


async def test_a_zalo_officers_help_names_no_telegram_id(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path, officer: SimUser
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await hai.send("trợ giúp")
    help_text = await hai.wait_for("Quản lý tổ")
    assert "/totruong MÃ_TỔ" in help_text.text and "TELEGRAM" not in help_text.text
    await officer.command("trogiup")
    assert "/totruong MÃ_TỔ MÃ_TELEGRAM" in (await officer.wait_for("Quản lý tổ")).text


async def test_a_zalo_officer_s_menu_holds_the_officer_s_help_in_its_words(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path
) -> None:
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    await hai.send("trợ giúp")
    guide = (await hai.wait_for("Dành cho công an xã")).text.casefold()
    await hai.send("menu")
    menu = await hai.wait_for("Bạn muốn làm gì")
    officer = ["Đánh kẻng cho tổ, ấp hoặc toàn xã", "Soạn thông báo cho toàn xã, ấp, tổ, nhóm",
               "Các tin báo chưa xử lý xong, tin cũ nhất trước",
               "Xem một tin (kể cả tin đã đóng) và xử lý tiếp", "Thống kê", "Tạo tổ mới",
               "Chọn tổ trưởng trong danh sách thành viên"]
    assert menu.labels[4:11] == officer  # after the resident's own, before settings
    assert all(label.casefold() in guide for label in officer)
    assert menu.labels[:4] == ["Báo tin về an ninh, trật tự", "Tin tôi đã báo",
                               "Tham gia tổ an ninh (nhập mã tổ)", "Tổ của tôi"]
    await hai.choose("Các tin báo chưa xử lý xong")  # the entry starts its command
    await hai.wait_for("Xã Hưng Lộc")

    resident = zalo.user(3702, "Mai")  # a resident's menu has none of them
    await onboard_on_zalo(resident)
    await resident.send("menu")
    plain = await resident.wait_for("Bạn muốn làm gì")
    assert not set(officer) & set(plain.labels)
