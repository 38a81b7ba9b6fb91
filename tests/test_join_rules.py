"""Who may join which team: only one's own commune, a throttle on wrong join codes, and a
cooldown after a rejection (the leader is not asked again)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from tests.helpers import CONTENT, LEADER_ID, BotRunner, onboard
from tests.test_announce import resident
from tests.test_mydata import forget
from tests.test_teams import TEAM_NAMES, ids, state_of

OTHER_COMMUNE = """[[commune]]
code = "xa-khac"
name = "Xã Khác"

[[commune.hamlet]]
code = "ap-khac"
name = "Ấp Khác"

[[commune.hamlet.team]]
code = "xk-01"
name = "Đội dân phòng Xã Khác"
kind = "doi-dan-phong"
join_code = "XK01"
approval = false
"""


async def load_other_commune(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text(OTHER_COMMUNE, encoding="utf-8")
    await load_areas(store, parse_areas(path, Catalog.load(CONTENT)), "test")


async def without_commune(store: Store, sandbox: Sandbox, telegram_id: int) -> SimUser:
    """A resident who consented but has no commune yet."""
    async with store.db.transaction() as tx:
        resident_id = await store.residents.ensure(tx, telegram_id)
        await store.residents.set_consent(tx, resident_id, "given", "test")
    return sandbox.user(telegram_id, first_name=f"Dân {telegram_id}")


async def test_a_resident_joins_only_teams_of_their_own_commune(
    sandbox: Sandbox, bot: AnninhApp, store: Store, tmp_path: Path
) -> None:
    await load_other_commune(store, tmp_path)
    lan = await resident(store, sandbox, 3001)  # of Xã Hưng Lộc
    await lan.command("thamgia", "XK01")  # a team that takes members at once
    refusal = await lan.wait_for("thuộc một tổ của xã khác")
    assert "Xã Hưng Lộc" in refusal.text and "Xã Khác" not in refusal.text
    assert not any(name in refusal.text for name in (*TEAM_NAMES, "Đội dân phòng Xã Khác"))
    assert await state_of(store, 3001, "XK01") is None

    minh = await without_commune(store, sandbox, 3002)
    await minh.command("thamgia", "XK01")
    await minh.wait_for("Bạn đã tham gia Đội dân phòng Xã Khác")
    other = await store.areas.commune_by_code("xa-khac")
    joined = await store.residents.by_telegram_id(3002)
    assert other is not None and joined is not None and joined.commune_id == other.id
    await minh.command("thamgia", "HN01")  # now Hưng Lộc's teams are another commune's
    await minh.wait_for("thuộc một tổ của xã khác")
    assert await state_of(store, 3002, "HN01") is None


async def test_wrong_codes_are_throttled_per_person_even_across_a_restart(
    sandbox: Sandbox, runner: BotRunner, store: Store, clock: FakeClock
) -> None:
    await runner.start()
    await onboard(sandbox.user(LEADER_ID, first_name="Tổ trưởng Bình"))  # reachable
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    for guess in ("HN02", "HN03", "HN04", "HN05", "HN06"):
        await lan.command("thamgia", guess)
        await lan.wait_for("Không tìm thấy tổ")
    await lan.command("thamgia", "HN01")  # a real code: the same answer as a wrong one
    real = await lan.wait_for("thử lại sau")
    await lan.command("thamgia", "HN07")
    wrong = await lan.wait_for("thử lại sau")
    assert real.text == wrong.text and "60 phút" in real.text
    assert not any(name in real.text for name in TEAM_NAMES)
    assert await state_of(store, 3001) is None

    await runner.stop()  # counted in the database: a restart does not reset it
    await runner.start()
    clock.advance(timedelta(minutes=30))
    await lan.command("start", "join_HN01")
    assert "30 phút" in (await lan.wait_for("thử lại sau")).text
    minh = sandbox.user(3002, first_name="Minh")  # per person: Minh is not held back
    await onboard(minh)
    await minh.command("thamgia", "HN01")
    await minh.wait_for("Đã gửi yêu cầu tham gia")

    clock.advance(timedelta(minutes=31))  # the first wrong code has left the hour
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    assert await state_of(store, 3001) == "pending"


async def test_after_a_rejection_the_same_person_waits_and_the_leader_is_not_asked_again(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser, clock: FakeClock
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for("Lan xin tham gia")
    await leader.press("Từ chối")
    await leader.wait_for("Đã từ chối yêu cầu của Lan")
    await lan.wait_for("không được duyệt")
    told = len(leader.inbox)

    for _ in range(3):
        await lan.command("thamgia", "HN01")
        assert "24 giờ" in (await lan.wait_for("gửi lại sau")).text
    await lan.command("to")  # handled after the requests above (one chat, in order)
    await lan.wait_for("Bạn chưa tham gia tổ nào")
    assert len(leader.inbox) == told  # the leader was not asked again
    assert await state_of(store, 3001) is None

    clock.advance(timedelta(hours=23))
    await lan.command("thamgia", "HN01")
    assert "1 giờ" in (await lan.wait_for("gửi lại sau")).text
    clock.advance(timedelta(hours=1))
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for("Lan xin tham gia")
    assert len(leader.inbox) == told + 1


async def test_deleting_one_s_data_forgets_the_rejection_but_not_the_throttle(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN0")
    await lan.wait_for("Không tìm thấy tổ")
    await lan.command("thamgia", "HN01")
    await leader.wait_for("Lan xin tham gia")
    await leader.press("Từ chối")
    await lan.wait_for("không được duyệt")
    team_id, lan_id = await ids(store, 3001)
    assert await store.memberships.rejected_at(team_id, lan_id) is not None

    await forget(lan)
    assert await store.memberships.rejected_at(team_id, lan_id) is None  # links her to a team
    # The failure is kept under a keyed hash of her account, never her id: it names nobody,
    # yet coming back as a new resident does not buy her a fresh set of guesses.
    rows = await store.db.fetchall("SELECT * FROM join_failures")
    assert len(rows) == 1 and "3001" not in " ".join(str(value) for value in rows[0])
    await onboard(lan)
    for wrong in ("HN02X", "HN03X", "HN04X", "HN05X"):
        await lan.command("thamgia", wrong)
        await lan.wait_for("Không tìm thấy tổ")
    await lan.command("thamgia", "HN01")
    assert "thử lại sau" in (await lan.wait_for("nhiều lần")).text


async def test_join_withdraw_join_does_not_ask_the_leader_again(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser, clock: FakeClock
) -> None:
    await onboard(leader)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    await lan.command("thamgia", "HN01")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for("Lan xin tham gia")
    told = len(leader.inbox)
    for _ in range(3):  # withdraw, ask again: kept, but the leader is not pestered
        await lan.command("to")
        await lan.wait_for("Đang chờ tổ trưởng duyệt")
        await lan.press("Rời tổ")
        await lan.wait_for("Bạn đã rời")
        await lan.command("thamgia", "HN01")
        await lan.wait_for("Đã gửi yêu cầu tham gia")
    await lan.command("to")  # handled after the requests above (one chat, in order)
    await lan.wait_for("Đang chờ tổ trưởng duyệt")
    assert len(leader.inbox) == told
    assert await state_of(store, 3001) == "pending"

    clock.advance(timedelta(hours=25))  # a day later a new request is news again
    await lan.command("to")
    await lan.wait_for("Đang chờ tổ trưởng duyệt")
    await lan.press("Rời tổ")
    await lan.wait_for("Bạn đã rời")
    await lan.command("thamgia", "HN01")
    await leader.wait_for("Lan xin tham gia")
    assert len(leader.inbox) == told + 1
