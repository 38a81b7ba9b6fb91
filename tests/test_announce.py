"""/thongbao and `anninh broadcast send` through the real bot and the sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.services.broadcasts import PastMoment, parse_when
from bot.services.officers import OfficerService
from bot.store import Store
from tests.helpers import BotRunner, services_of


async def resident(
    store: Store, sandbox: Sandbox, telegram_id: int, hamlet: str | None = "hung-nhon", *,
    tags: tuple[str, ...] = (), team: str | None = None, consent: str = "given",
    muted: bool = False, started: bool = True,
) -> SimUser:
    """A resident of Xã Hưng Lộc written straight into the database, and their phone."""
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    found = await store.areas.hamlet_by_code(commune.id, hamlet) if hamlet else None
    async with store.db.transaction() as tx:
        resident_id = await store.residents.ensure(tx, telegram_id)
        await store.residents.set_consent(tx, resident_id, consent, "test")  # type: ignore[arg-type]
        await store.residents.update(
            tx, resident_id, commune_id=commune.id if consent == "given" else None,
            hamlet_id=found.id if found else None, mute_propaganda=int(muted))
        await store.residents.set_tags(tx, resident_id, tags)
        if team is not None:
            found_team = await store.areas.team_by_code(commune.id, team)
            assert found_team is not None
            await store.memberships.add(tx, found_team.id, resident_id, "member", "active")
    return sandbox.user(telegram_id, first_name=f"Dân {telegram_id}", started=started)


@pytest.fixture
async def village(store: Store, sandbox: Sandbox) -> dict[str, SimUser]:
    return {
        "an": await resident(store, sandbox, 3101, "hung-nhon", tags=("thanh-nien",)),
        "binh": await resident(store, sandbox, 3102, "hung-nhon", team="hn-01"),
        "chi": await resident(store, sandbox, 3103, "hung-hiep", team="hh-dp"),
        "dung": await resident(store, sandbox, 3104, "dau-giay", tags=("phu-nu",)),
        "em": await resident(store, sandbox, 3105, "hung-hiep", consent="declined"),
        "giang": await resident(store, sandbox, 3106, None, consent="none"),  # used /xoadulieu
        "hoa": await resident(store, sandbox, 3107, "hung-hiep", muted=True),
    }


async def compose(
    officer: SimUser, text: str, *choices: str,
    send: Callable[[], Awaitable[object]] | None = None,
) -> None:
    """/thongbao → text (or what `send` sends) → audience buttons → preview."""
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await (send() if send is not None else officer.send(text))
    await officer.wait_for("Gửi tới ai")
    for choice in choices:
        await officer.press(choice)
        await officer.wait_for("Gửi tới ai")
    await officer.press("Tiếp tục" if choices else "Toàn xã")


async def received(people: dict[str, SimUser], text: str) -> set[str]:
    return {name for name, person in people.items()
            if any(text in message.text for message in person.inbox)}


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ((), {"an", "binh", "chi", "dung"}),
        (("Ấp Hưng Nhơn",), {"an", "binh"}),
        (("Tổ an ninh nhân dân số 1",), {"binh"}),
        (("Đội dân phòng",), {"chi"}),
        (("Thanh niên", "Phụ nữ"), {"an", "dung"}),
        (("Ấp Hưng Nhơn", "Ấp Dầu Giây", "Phụ nữ"), {"dung"}),
        (("Ấp Dầu Giây", "Đội dân phòng Hưng Hiệp"), {"chi", "dung"}),
    ],
    ids=["commune", "hamlet", "team", "team-kind", "tags", "hamlets-and-tag", "hamlet-or-team"],
)
async def test_announcement_reaches_exactly_its_audience_once(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    choices: tuple[str, ...], expected: set[str],
) -> None:
    await compose(officer, "Họp dân lúc 19:00 tại nhà văn hóa", *choices)
    preview = await officer.wait_for("Sẽ gửi tới")
    assert f"<b>{len(expected)}</b>" in preview.raw["text"] or str(len(expected)) in preview.text
    assert preview.buttons == [["✅ Gửi ngay", "⏰ Hẹn giờ", "Hủy"]]
    # exactly as residents get it: who sends it, then the text
    assert officer.inbox[-2].text == "📢 Công an xã Hưng Lộc\nHọp dân lúc 19:00 tại nhà văn hóa"
    await officer.press("Gửi ngay")
    done = await officer.wait_for("đã gửi xong", timeout=10)
    assert f"Đã gửi: {len(expected)}/{len(expected)}" in done.text
    assert await received(village, "Họp dân") == expected
    for name in expected:
        assert len(village[name].inbox) == 1


async def test_photo_announcement_and_cancel(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser]
) -> None:
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await officer.send_photo("Đối tượng trộm chó, ai thấy báo công an xã")
    await officer.wait_for("Gửi tới ai")
    await officer.press("Toàn xã")
    await officer.wait_for("Sẽ gửi tới")
    assert officer.inbox[-2].kind == "photo"
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong", timeout=10)
    photo = village["an"].inbox[-1]
    assert photo.kind == "photo" and "trộm chó" in photo.text

    await compose(officer, "Không gửi cái này")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hủy")
    await officer.wait_for("Đã hủy")
    await asyncio.sleep(0.3)
    assert await received(village, "Không gửi") == set()


async def test_only_officers_may_announce(
    sandbox: Sandbox, bot: AnninhApp, village: dict[str, SimUser]
) -> None:
    await village["an"].command("thongbao")
    await village["an"].wait_for("Chỉ cán bộ công an xã")


async def test_urgent_reaches_muted_residents_too(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser]
) -> None:
    await compose(officer, "Thông báo thường", "Ấp Hưng Hiệp")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong", timeout=10)
    await compose(officer, "Cháy lớn ở ấp Hưng Hiệp, tránh xa khu vực", "Ấp Hưng Hiệp",
                  "Khẩn cấp")
    assert "Khẩn cấp" in (await officer.wait_for("Sẽ gửi tới")).text
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong", timeout=10)
    assert await received(village, "Thông báo thường") == {"chi"}
    assert await received(village, "Cháy lớn") == {"chi", "hoa"}


async def test_scheduled_announcement_goes_out_at_its_time(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: object,
) -> None:
    from bot.clock import FakeClock

    assert isinstance(clock, FakeClock)
    await compose(officer, "Sáng mai tiêm phòng dại cho chó", "Ấp Dầu Giây")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("07:30 25/11")
    await officer.wait_for("Đã hẹn gửi lúc")
    scheduler = services_of(bot).scheduler
    assert (await scheduler.tick(clock.now())).released == []
    await asyncio.sleep(0.2)
    assert await received(village, "tiêm phòng") == set()

    from datetime import UTC, datetime

    clock.set(datetime(2026, 11, 25, 0, 30, tzinfo=UTC))  # 07:30 in Vietnam
    assert len((await scheduler.tick(clock.now())).released) == 1
    await village["dung"].wait_for("tiêm phòng")
    await officer.wait_for("đã gửi xong", timeout=10)
    assert await received(village, "tiêm phòng") == {"dung"}


VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def ask_when(officer: SimUser, text: str) -> None:
    await compose(officer, text, "Ấp Dầu Giây")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")


async def test_a_past_date_for_later_is_refused_and_asked_again(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: FakeClock,
) -> None:
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=VN))  # the day after the README's example
    await ask_when(officer, "Họp tổ dân phố")
    assert "07:30 27/11" in officer.last.text  # the prompt's example is not a day gone by
    await officer.send("07:30 25/11")
    refusal = await officer.wait_for("đã qua")
    assert "07:30 25/11/2026" in refusal.text and "10:00 26/11/2026" in refusal.text
    assert "07:30 25/11/2027" in refusal.text  # how to mean next year, if that is meant
    await officer.send("25/11/2026 19:00")  # with its year: refused as well
    await officer.wait_for("đã qua")
    await officer.send("07:30 27/11")  # asked again: a moment to come is taken
    scheduled = await officer.wait_for("Đã hẹn gửi lúc")
    assert "07:30 27/11/2026" in scheduled.text
    await officer.command("lichphat")  # handled after the step above: one chat, in order
    listing = await officer.wait_for("Thông báo hẹn giờ #")
    assert listing.text.count("Thông báo hẹn giờ #") == 1 and "07:30 27/11/2026" in listing.text


async def test_a_time_already_past_today_is_refused(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    clock: FakeClock,
) -> None:
    clock.set(datetime(2026, 11, 26, 10, 0, tzinfo=VN))
    await ask_when(officer, "Phát loa buổi sáng")
    await officer.send("8h")
    refusal = await officer.wait_for("hôm nay đã qua")
    assert "08:00" in refusal.text and "08:00 27/11" in refusal.text
    await officer.send("11h")
    assert "11:00 26/11/2026" in (await officer.wait_for("Đã hẹn gửi lúc")).text
    await officer.command("lichphat")
    listing = await officer.wait_for("Thông báo hẹn giờ #")
    assert listing.text.count("Thông báo hẹn giờ #") == 1 and "11:00 26/11/2026" in listing.text


async def test_an_officer_no_longer_cannot_schedule(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store,
) -> None:
    """The role is checked again when the time is given, not only when the draft began."""
    await ask_when(officer, "Tin cũ")
    assert await OfficerService(store).revoke_officer(officer.id, "hung-loc", "test")
    await officer.send("19h")
    await officer.wait_for("Chỉ cán bộ")
    query = await officer.press_data("an:in:60")  # the flow has ended: the press is stale
    assert (await officer.answer_for(query)).text
    assert await store.db.scalar("SELECT count(*) FROM broadcasts") == 0


@pytest.mark.parametrize(
    ("now", "typed", "expected"),
    [
        ((2026, 11, 24, 8, 0), "07:30 25/11", (2026, 11, 25, 7, 30)),
        ((2026, 11, 24, 8, 0), "19h", (2026, 11, 24, 19, 0)),
        ((2026, 12, 28, 9, 0), "07:30 05/01", (2027, 1, 5, 7, 30)),  # the year turns soon
        ((2026, 11, 24, 8, 0), "25/12/2027 8h", (2027, 12, 25, 8, 0)),
        ((2026, 11, 26, 10, 0), "07:30 25/11", "date"),
        ((2026, 11, 26, 10, 0), "07:30 26/11", "date"),
        ((2026, 3, 1, 10, 0), "01/01 08:00", "date"),  # next year's is ten months away
        ((2026, 11, 26, 10, 0), "25/11/2027 7h", (2027, 11, 25, 7, 0)),
        ((2026, 11, 26, 10, 0), "9h30", "time"),
        ((2026, 11, 26, 10, 0), "10h", "time"),
        ((2026, 11, 26, 10, 0), "31/02", None),
    ],
)
def test_parse_when_refuses_moments_gone_by(
    now: tuple[int, ...], typed: str, expected: tuple[int, ...] | str | None
) -> None:
    moment = datetime(*now, tzinfo=VN)
    if isinstance(expected, str):
        with pytest.raises(PastMoment) as past:
            parse_when(typed, moment, VN)
        assert past.value.dated == (expected == "date")
        return
    wanted = None if expected is None else datetime(*expected, tzinfo=VN)
    assert parse_when(typed, moment, VN) == wanted


async def until_reachable(store: Store, telegram_id: int, reachable: bool) -> None:
    for _ in range(100):
        found = await store.residents.by_telegram_id(telegram_id)
        if found is not None and (found.unreachable_at is None) == reachable:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{telegram_id} never became {'reachable' if reachable else 'not'}")


async def test_blocked_resident_is_marked_unreachable(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store,
) -> None:
    # Long never opened the bot: Telegram answers 403 and the engine marks him.
    village["long"] = await resident(store, sandbox, 3109, "hung-nhon", started=False)
    village["binh"].block_bot()  # Telegram tells the bot at once: Bình leaves the audience
    await until_reachable(store, 3102, False)
    await compose(officer, "Kiểm tra hộ khẩu", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Gửi ngay")
    done = await officer.wait_for("đã gửi xong", timeout=10)
    assert "Đã gửi: 1/2" in done.text and "Không liên lạc được: 1" in done.text
    await until_reachable(store, 3109, False)
    assert await received(village, "hộ khẩu") == {"an"}


async def test_retry_after_from_telegram_is_honoured(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser]
) -> None:
    await compose(officer, "Tuần tra đêm nay")
    await officer.wait_for("Sẽ gửi tới")
    sandbox.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong", timeout=10)
    assert sandbox.stats.too_many_requests == 1
    assert services_of(bot).delivery.stats["rate_limited"] == 1
    assert await received(village, "Tuần tra") == {"an", "binh", "chi", "dung"}
    for name in ("an", "binh", "chi", "dung"):
        assert len(village[name].inbox) == 1


async def test_cli_broadcast_is_picked_up_by_the_running_bot(
    sandbox: Sandbox, bot: AnninhApp, village: dict[str, SimUser], config: Config
) -> None:
    code = await asyncio.to_thread(
        main, ["broadcast", "send", "--config", str(config.source), "--commune", "hung-loc",
               "--hamlet", "hung-hiep", "--text", "Mất điện từ 8h đến 11h ngày mai"])
    assert code == 0
    await village["chi"].wait_for("Mất điện")
    await asyncio.sleep(0.3)
    assert await received(village, "Mất điện") == {"chi"}


def test_cli_broadcast_works_on_a_fresh_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[telegram]\n[database]\npath = "fresh.sqlite3"\n', encoding="utf-8")
    assert main(["broadcast", "send", "--config", str(path), "--commune", "hung-loc",
                 "--text", "x"]) == 1
    assert "hung-loc" in capsys.readouterr().err
    assert (tmp_path / "fresh.sqlite3").exists()


@pytest.fixture
def config_extra() -> str:
    return "[broadcast]\nrate_per_second = 300\npaid_broadcast = true\n"


async def test_bot_killed_mid_broadcast_delivers_the_rest_after_restart(
    sandbox: Sandbox, runner: BotRunner, store: Store
) -> None:
    people = [await resident(store, sandbox, 50_000 + i, "hung-nhon") for i in range(300)]
    app = await runner.start()
    services = services_of(app)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    from bot.delivery import OutMessage
    from bot.models import Audience

    broadcast_id = await services.broadcasts.send(Audience(commune.id),
                                                  OutMessage(text="Loa lưu động"))
    hundred = asyncio.Event()
    sandbox.on_event(lambda _e: hundred.set() if sandbox.stats.sent_messages >= 100 else None)
    await asyncio.wait_for(hundred.wait(), 10)
    await services.delivery.crash()  # no flush, no release: as if killed
    in_flight = {d.chat_id for d in await store.outbox.deliveries(broadcast_id)
                 if d.state == "sending"}
    await runner.stop()
    before = {p.id: len(p.inbox) for p in people}

    await runner.start()
    for person in people:
        if before[person.id] == 0:
            await person.wait_for("Loa lưu động", timeout=10)
    counts = {p.id: len(p.inbox) for p in people}
    assert all(count >= 1 for count in counts.values())  # nothing lost
    twice = {chat for chat, count in counts.items() if count > 1}
    assert twice <= in_flight  # only what was in flight at the kill is repeated
    assert all(count <= 2 for count in counts.values())


async def test_resident_who_unblocks_the_bot_is_reachable_again(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store,
) -> None:
    village["binh"].block_bot()
    await until_reachable(store, 3102, False)
    await compose(officer, "Phát thuốc diệt muỗi", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Gửi ngay")
    assert "Đã gửi: 1/1" in (await officer.wait_for("đã gửi xong", timeout=10)).text

    village["binh"].unblock_bot()  # Telegram tells the bot: Bình is back in the audience
    await until_reachable(store, 3102, True)
    await compose(officer, "Phun thuốc muỗi sáng mai", "Ấp Hưng Nhơn")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Gửi ngay")
    assert "Đã gửi: 2/2" in (await officer.wait_for("đã gửi xong", timeout=10)).text
    await village["binh"].wait_for("Phun thuốc muỗi")
    assert await received(village, "diệt muỗi") == {"an"}
    assert await received(village, "Phun thuốc") == {"an", "binh"}


async def test_a_sticker_announcement_is_copied_as_it_is(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser]
) -> None:
    """Anything Telegram can copy (a sticker, a voice note, a file) goes on as it is."""
    await compose(officer, "", "Ấp Dầu Giây", send=officer.send_sticker)
    await officer.wait_for("Sẽ gửi tới")
    assert officer.inbox[-2].kind == "sticker"  # the preview: the copy residents get
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong", timeout=10)
    assert village["dung"].inbox[-1].kind == "sticker"


async def test_urgency_can_be_set_at_the_preview_after_the_whole_commune(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
) -> None:
    """"Toàn xã" goes straight to the preview: "khẩn cấp" typed there turns urgency on (and
    off), and the count follows (Hoa muted announcements: only an urgent one reaches her)."""
    await compose(officer, "Mất điện toàn xã từ 13:00")
    preview = await officer.wait_for("Sẽ gửi tới")
    assert "Sẽ gửi tới 4 người" in preview.text and "Gõ «khẩn cấp»" in preview.text
    await officer.send("khẩn cấp")
    urgent = await officer.wait_for("Sẽ gửi tới")
    assert "Khẩn cấp" in urgent.text and "Sẽ gửi tới 5 người" in urgent.text
    assert urgent.buttons == [["✅ Gửi ngay", "⏰ Hẹn giờ", "Hủy"]]
    await officer.press("Gửi ngay")
    await officer.wait_for("đã gửi xong")
    assert await received(village, "Mất điện toàn xã") == {"an", "binh", "chi", "dung", "hoa"}


async def test_the_audience_screen_says_what_is_chosen_and_pages_many_teams(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, store: Store,
) -> None:
    commune = await store.areas.commune_by_code("hung-loc")
    hamlet = await store.areas.hamlet_by_code(commune.id if commune else 0, "hung-nhon")
    assert commune is not None and hamlet is not None
    async with store.db.transaction() as tx:
        for number in range(1, 13):
            await store.areas.upsert_team(
                tx, commune_id=commune.id, hamlet_id=hamlet.id, code=f"extra-{number}",
                name=f"Tổ tự quản số {number:02d}", kind="to-an-ninh-nhan-dan",
                join_code=f"EXTRA{number:02d}", requires_approval=True, max_members=50)
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await officer.send("Họp tổ")
    asked = await officer.wait_for("Gửi tới ai")
    teams = [label for label in asked.labels if label.startswith("🛡") and "khác" not in label]
    assert len(teams) == 10 and "🛡 Các tổ khác (1/2) ▶" in asked.labels
    assert any(label.startswith("🧩 Loại tổ:") for label in asked.labels)
    await officer.press("Các tổ khác")
    more = await officer.wait_for("Gửi tới ai")
    assert "🛡 Các tổ khác (2/2) ▶" in more.labels
    await officer.press("Ấp Hưng Nhơn")
    chosen = await officer.wait_for("Gửi tới ai")
    assert "✓ Đã chọn: Ấp Hưng Nhơn" in chosen.text
