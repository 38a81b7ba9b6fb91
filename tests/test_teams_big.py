"""A team bigger than one Telegram message holds (4,096 characters): the leader's /to card and
the list of members to remove come a page at a time."""

from __future__ import annotations

from bot.context import AnninhApp
from bot.models import MemberState
from bot.sandbox import Sandbox, SimUser
from bot.store import Store
from tests.helpers import onboard
from tests.test_teams import forge_press, ids


async def add_people(store: Store, join_code: str, state: MemberState, first_id: int,
                     count: int, name: str) -> None:
    """`count` consenting residents in the team, active or pending (set up directly)."""
    team = await store.areas.team_by_join_code(join_code)
    assert team is not None
    async with store.db.transaction() as tx:
        for n in range(count):
            resident_id = await store.residents.ensure(tx, first_id + n)
            await store.residents.set_consent(tx, resident_id, "given", "test")
            await store.residents.update(tx, resident_id, display_name=f"{name} {n:03d}",
                                         commune_id=team.commune_id)
            await store.memberships.add(tx, team.id, resident_id, "member", state)


async def test_a_hundred_member_team_is_shown_a_page_at_a_time(
    sandbox: Sandbox, bot: AnninhApp, store: Store, leader: SimUser
) -> None:
    """A card naming every member of a big team is past Telegram's 4,096 characters: the
    leader gets the counts and pages of members (◀ ▶), each press checked again."""
    await onboard(leader)
    long_name = "Trần Thị Thanh Hương, tổ viên khu phố 3"
    await add_people(store, "HN01", "active", 6000, 100, long_name)
    await add_people(store, "HN01", "pending", 7000, 15, "Người xin vào")
    await leader.command("to")
    card = await leader.wait_for("bạn là tổ trưởng")
    assert "Thành viên (101)" in card.text and "Đang chờ duyệt: 15" in card.text
    assert "Trang 1/5" in card.text and "25. " in card.text and "26. " not in card.text
    assert len(card.text) < 4096
    labels = [label for row in card.buttons for label in row]
    assert sum(label.startswith("✅") for label in labels) == 10
    assert "Sau ▶" in labels and "◀ Trước" not in labels

    await leader.press("Sau ▶")
    second = await leader.wait_for("Trang 2/5")
    assert "26. " in second.text and "51. " not in second.text
    assert second.message_id == card.message_id  # the card itself turns the page
    team_id, _ = await ids(store, leader.id)
    lan = sandbox.user(3001, first_name="Lan")
    await onboard(lan)
    answer = await forge_press(lan, f"tm:pg:{team_id}:1")
    assert answer.show_alert and answer.text and "không có quyền" in answer.text

    await leader.press("Xóa thành viên")
    removal = await leader.wait_for("Chọn thành viên cần xóa")
    assert sum(label.startswith("➖") for row in removal.buttons for label in row) == 25
    for page in (2, 3, 4):
        await leader.press("Sau ▶")
        await leader.wait_for(predicate=lambda m, page=page: any(
            f"{long_name} {page * 25 - 1:03d}" in label for row in m.buttons for label in row))
    assert leader.last is not None and leader.last.buttons[-1] == ["◀ Trước"]
