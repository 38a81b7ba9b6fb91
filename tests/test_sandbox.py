"""The Bot API emulator, driven by a real python-telegram-bot `Bot` and `Application`."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.sandbox import BotMessage, RateLimits, Sandbox, format_event
from bot.sandbox.console import run_console

TOKEN = "123456:TEST-token"
PNG_640x480 = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    + (640).to_bytes(4, "big")
    + (480).to_bytes(4, "big")
    + b"\x08\x02\x00\x00\x00"
    + bytes(range(256)) * 4
)


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22.8 warns on every RetryAfter unless durations are opted into timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=sandbox.api_base_url, base_file_url=sandbox.file_base_url
    ) as client:
        yield client


def yes_no() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("✅ Đồng ý", callback_data="yes"),
          InlineKeyboardButton("Từ chối", callback_data="no")]]
    )


# ---- basics ----------------------------------------------------------------------------


async def test_get_me(bot: Bot, sandbox: Sandbox) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "anninh_sandbox_bot"
    assert me.id == sandbox.bot_user["id"]
    assert sandbox.stats.requests["getMe"] >= 1


async def test_send_message_returns_telegram_shaped_message(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan", username="lan_hl")
    first = await bot.send_message(1001, "Xin chào")
    sent = await bot.send_message(
        1001,
        "<b>Chào</b> Lan &amp; 😀 <i>bạn</i>",
        parse_mode="HTML",
        reply_markup=yes_no(),
        reply_parameters=ReplyParameters(first.message_id),
        disable_notification=True,
    )
    assert sent.message_id == first.message_id + 1
    assert sent.chat.type == "private"
    assert sent.chat.username == "lan_hl"
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert sent.text == "Chào Lan & 😀 bạn"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("italic", 14, 3),  # 😀 counts two UTF-16 code units
    ]
    assert sent.reply_markup == yes_no()
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.message_id == first.message_id
    view = lan.last
    assert view is not None
    assert view.buttons == [["✅ Đồng ý", "Từ chối"]]
    assert view.inline == [[("✅ Đồng ý", "yes"), ("Từ chối", "no")]]
    assert view.disable_notification
    assert view.reply_to_message_id == first.message_id
    assert sandbox.stats.sent_messages == 2


async def test_text_length_and_emptiness(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, first_name="Lan")
    with pytest.raises(BadRequest, match="text is empty"):
        await bot.send_message(1001, "   ")
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1001, "x" * 4097)
    await bot.send_message(1001, "x" * 4096)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(1001, PNG_640x480, caption="y" * 1025)


async def test_blocked_user_and_unknown_chat(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    lan.block_bot()
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(1001, "Chào")
    updates = await bot.get_updates()
    assert updates[-1].my_chat_member is not None
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    lan.unblock_bot()
    await bot.send_message(1001, "Chào")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "Chào")
    sandbox.user(1002, first_name="Hùng", started=False)
    with pytest.raises(Forbidden, match="initiate conversation"):
        await bot.send_message(1002, "Chào")


async def test_every_chat_member_the_sandbox_emits_parses_in_ptb(
    bot: Bot, sandbox: Sandbox
) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    lan.block_bot()
    lan.unblock_bot()
    blocked, unblocked = [u.my_chat_member for u in await bot.get_updates()]
    assert blocked is not None and unblocked is not None
    assert (blocked.old_chat_member.status, blocked.new_chat_member.status) == (
        "member", "kicked")
    assert isinstance(unblocked.old_chat_member, ChatMemberBanned)  # until_date 0: forever
    assert unblocked.old_chat_member.until_date == dt.datetime.fromtimestamp(0, dt.UTC)
    assert unblocked.new_chat_member.status == "member"

    group = sandbox.group(-1001000000001, title="Tổ an ninh")
    kinds = {
        "creator": ChatMemberOwner, "administrator": ChatMemberAdministrator,
        "member": ChatMemberMember, "restricted": ChatMemberRestricted,
        "left": ChatMemberLeft, "kicked": ChatMemberBanned,
    }
    for offset, (status, kind) in enumerate(kinds.items()):
        person = sandbox.user(2000 + offset, first_name=status)
        group.add(person, status)
        member = await bot.get_chat_member(group.id, person.id)
        assert type(member) is kind and member.user.id == person.id
    restricted = await bot.get_chat_member(group.id, 2003)
    assert isinstance(restricted, ChatMemberRestricted)
    assert restricted.is_member and not restricted.can_send_messages
    assert isinstance(await bot.get_chat_member(group.id, sandbox.bot_user["id"]),
                      ChatMemberMember)
    with pytest.raises(ValueError, match="unknown chat member status"):
        group.add(lan, "banned")


async def test_a_group_can_remove_or_silence_the_bot(bot: Bot, sandbox: Sandbox) -> None:
    """What an admin can do to the bot in a group, as Telegram answers it."""
    silenced = sandbox.group(-1001000000002, title="Công an xã")
    silenced.restrict_bot()
    member = await bot.get_chat_member(silenced.id, sandbox.bot_user["id"])
    assert isinstance(member, ChatMemberRestricted) and not member.can_send_messages
    with pytest.raises(BadRequest, match="ot enough rights to send text messages"):
        await bot.send_message(silenced.id, "Chào")
    removed = sandbox.group(-1001000000003, title="Nhóm cũ")
    removed.remove_bot()
    assert isinstance(await bot.get_chat_member(removed.id, sandbox.bot_user["id"]),
                      ChatMemberLeft)
    with pytest.raises(Forbidden, match="not a member of the supergroup"):
        await bot.send_message(removed.id, "Chào")


async def test_malformed_html_is_rejected(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, first_name="Lan")
    for bad in ("<b>open", "a < b", "<div>x</div>", "<b>x</i>", "<span>x</span>", "x</b>"):
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(1001, bad, parse_mode="HTML")
    sent = await bot.send_message(
        1001,
        '<a href="https://x.vn/?a=1&amp;b=2">link</a> <span class="tg-spoiler">s</span> '
        '<pre><code class="language-python">x = 1</code></pre> &lt;tag&gt; &unknown;',
        parse_mode="HTML",
    )
    assert sent.text == "link s x = 1 <tag> &unknown;"
    kinds = {e.type: e for e in sent.entities}
    assert kinds["text_link"].url == "https://x.vn/?a=1&b=2"
    assert kinds["pre"].language == "python"
    assert "spoiler" in kinds


async def test_edits_and_deletes(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    sent = await bot.send_message(1001, "Đang xử lý", reply_markup=yes_no())
    await lan.wait_for("dang xu ly")
    edited = await bot.edit_message_text("Đã xong", chat_id=1001, message_id=sent.message_id)
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    seen = await lan.wait_for("da xong")
    assert seen.edits == 1
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Đã xong", chat_id=1001, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="to edit not found"):
        await bot.edit_message_text("x", chat_id=1001, message_id=999)
    await bot.edit_message_reply_markup(1001, sent.message_id, reply_markup=yes_no())
    assert lan.inbox[-1].buttons == [["✅ Đồng ý", "Từ chối"]]
    assert await bot.delete_message(1001, sent.message_id)
    assert lan.inbox[-1].deleted
    with pytest.raises(BadRequest, match="to delete not found"):
        await bot.delete_message(1001, sent.message_id)


# ---- rate limits and faults ------------------------------------------------------------


async def test_private_chat_rate_limit(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, first_name="Lan")
    sandbox.rate_limits = True
    for _ in range(3):  # the burst
        await bot.send_message(1001, "tin")
    with pytest.raises(RetryAfter, match="Retry in"):
        await bot.send_message(1001, "tin")
    assert sandbox.stats.too_many_requests == 1
    sandbox.rate_limits = False
    await bot.send_message(1001, "tin")


async def test_global_rate_limit_spans_chats(sandbox: Sandbox) -> None:
    limited = Sandbox(rate_limits=True, limits=RateLimits(global_rate=5, global_burst=5))
    for uid in range(2000, 2010):
        limited.user(uid, first_name=f"U{uid}")
    outcomes = []
    for uid in range(2000, 2010):
        try:
            await limited.call("sendMessage", chat_id=uid, text="tin")
            outcomes.append("ok")
        except Exception as error:
            outcomes.append(str(error))
    assert outcomes[:5] == ["ok"] * 5
    assert all(o.startswith("Too Many Requests: retry after") for o in outcomes[5:])
    assert limited.stats.too_many_requests == 5


async def test_group_rate_limit(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.group(-1001000000001, title="Công an xã")
    sandbox.rate_limits = True
    for _ in range(20):
        await bot.send_message(-1001000000001, "tin")
    with pytest.raises(RetryAfter):
        await bot.send_message(-1001000000001, "tin")


async def test_fail_next_and_migration(bot: Bot, sandbox: Sandbox) -> None:
    sandbox.user(1001, first_name="Lan")
    sandbox.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    sandbox.fail_next("sendMessage", 400, "Bad Request: something odd")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1001, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    with pytest.raises(BadRequest, match=r"(?i)something odd"):
        await bot.send_message(1001, "x")
    await bot.send_message(1001, "x")
    group = sandbox.group(-4001, title="Tổ 1")
    group.migrate(-1004001)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(-4001, "x")
    assert migrated.value.new_chat_id == -1004001
    await bot.send_message(-1004001, "x")
    assert (await group.wait_for("x")).chat_id == -1004001


async def test_tokens_methods_and_encodings(sandbox: Sandbox) -> None:
    sandbox.user(1001, first_name="Lan")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.api_base_url}not-a-token/getMe") as response:
            assert response.status == 401
            assert await response.json() == {
                "ok": False, "error_code": 401, "description": "Unauthorized"
            }
        async with http.post(f"{sandbox.api_base_url}{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
        url = f"{sandbox.api_base_url}{TOKEN}/sendmessage"
        async with http.post(url, json={"chat_id": 1001, "text": "123"}) as response:
            body = await response.json()
            assert body["ok"]
            assert body["result"]["text"] == "123"
        async with http.get(url, params={"chat_id": "1001", "text": "qua query"}) as response:
            assert (await response.json())["result"]["text"] == "qua query"
    with pytest.raises(InvalidToken):  # Bot.initialize calls getMe, then shuts down
        async with Bot("bad-token", base_url=sandbox.api_base_url):
            pass


# ---- updates ---------------------------------------------------------------------------


async def test_long_polling_wakes_on_a_message(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await asyncio.sleep(0)  # let the request go out
    await lan.send("trộm cắp")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates if u.message] == ["trộm cắp"]
    first = updates[0]
    assert first.message is not None
    assert first.message.from_user is not None
    assert first.message.from_user.language_code == "vi"
    await lan.command("start", "join_HN01")
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [first.update_id, first.update_id + 1]
    confirmed = await bot.get_updates(offset=first.update_id + 1, timeout=0)
    assert [u.update_id for u in confirmed] == [first.update_id + 1]
    command = confirmed[0].message
    assert command is not None
    assert command.text == "/start join_HN01"
    assert command.entities[0].type == "bot_command"
    assert await bot.get_updates(offset=first.update_id + 2, timeout=0) == ()


async def test_second_poller_ends_the_first_with_conflict(bot: Bot, sandbox: Sandbox) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await sandbox.wait_polling()
    url = f"{sandbox.api_base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as http, http.post(url, data={"timeout": "0"}) as second:
        assert await second.json() == {"ok": True, "result": []}
    with pytest.raises(Conflict):
        await asyncio.wait_for(first, 5)


async def test_press_round_trip_through_an_application(sandbox: Sandbox) -> None:
    sandbox.user(1001, first_name="Lan")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"Chào mừng! Mã: {' '.join(context.args or [])}", reply_markup=yes_no()
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Đã ghi nhận", show_alert=query.data == "no")
        await query.edit_message_text(f"Bạn chọn: {query.data}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sandbox.api_base_url)
        .base_file_url(sandbox.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    await _run(app, lan_flow(sandbox))
    assert "Lan presses [✅ Đồng ý]" in sandbox.transcript()


async def lan_flow(sandbox: Sandbox) -> None:
    lan = sandbox.user(1001)
    await lan.command("start", "join_HN01")
    welcome = await lan.wait_for("chao mung")
    assert welcome.text == "Chào mừng! Mã: join_HN01"
    query_id = await lan.press("Đồng ý")
    answer = await lan.answer_for(query_id)
    assert answer.text == "Đã ghi nhận"
    assert not answer.show_alert
    edited = await lan.wait_for("ban chon")
    assert edited.text == "Bạn chọn: yes"
    assert edited.buttons == []


async def _run(app: Application, flow: object) -> None:  # type: ignore[type-arg]
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        await app.start()
        try:
            await asyncio.wait_for(flow, 10)  # type: ignore[arg-type]
        finally:
            await app.updater.stop()
            await app.stop()


# ---- buttons and keyboards -------------------------------------------------------------


async def test_press_prefers_exact_labels_and_explains_misses(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    await bot.send_message(1001, "Cũ", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Gửi", callback_data="old")]]))
    await bot.send_message(1001, "Tóm tắt", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Gửi kèm tên", callback_data="named"),
          InlineKeyboardButton("📨 Gửi", callback_data="send"),
          InlineKeyboardButton("Hướng dẫn", url="https://example.org")]]))
    query_id = await lan.press("gui")
    update = (await bot.get_updates())[-1]
    assert update.callback_query is not None
    assert update.callback_query.id == query_id
    assert update.callback_query.data == "send"
    assert update.callback_query.message is not None
    assert isinstance(update.callback_query.message, Message)
    assert update.callback_query.message.text == "Tóm tắt"
    with pytest.raises(LookupError, match=r"Phát kẻng.*\[Gửi kèm tên\]"):
        await lan.press("Phát kẻng")
    with pytest.raises(LookupError, match="url"):
        await lan.press("Hướng dẫn")


async def test_reply_keyboard_taps(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan", phone="+84912345678")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton("📍 Gửi vị trí", request_location=True)],
         [KeyboardButton("📞 Số điện thoại", request_contact=True), KeyboardButton("Bỏ qua")]],
        one_time_keyboard=True,
    )
    sent = await bot.send_message(1001, "Vị trí?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram never echoes reply keyboards
    assert lan.last is not None
    assert lan.last.reply_keyboard == [["📍 Gửi vị trí"], ["📞 Số điện thoại", "Bỏ qua"]]
    await lan.tap("Gửi vị trí", latitude=10.9, longitude=107.1)
    await lan.tap("so dien thoai")
    await lan.tap("bo qua")
    updates = [u.message for u in await bot.get_updates() if u.message]
    assert updates[0].location is not None
    assert updates[0].location.latitude == pytest.approx(10.9)
    assert updates[1].contact is not None
    assert updates[1].contact.phone_number == "+84912345678"
    assert updates[1].contact.user_id == 1001
    assert updates[2].text == "Bỏ qua"
    await bot.send_message(1001, "Xong", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(LookupError, match="reply keyboard"):
        await lan.tap("Bỏ qua")


# ---- files -----------------------------------------------------------------------------


async def test_photo_upload_and_download(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    sent = await bot.send_photo(1001, PNG_640x480, caption="<b>Ảnh</b>", parse_mode="HTML")
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == (640, 480)
    assert sent.caption == "Ảnh"
    file = await bot.get_file(largest.file_id)
    assert bytes(await file.download_as_bytearray()) == PNG_640x480
    again = await bot.send_photo(1001, largest.file_id)
    assert again.photo[-1].file_id == largest.file_id
    seen = await lan.wait_for(predicate=lambda m: m.kind == "photo")
    assert seen.photo is not None
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(1001, "no-such-file")


async def test_user_photo_is_downloadable(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    await lan.send_photo(caption="hiện trường", width=1280, height=960, file_size=180_000)
    message = (await bot.get_updates())[-1].message
    assert message is not None
    assert message.caption == "hiện trường"
    assert [p.width for p in message.photo] == [90, 320, 800, 1280]
    file = await message.photo[-1].get_file()
    data = await file.download_as_bytearray()
    assert len(data) == 180_000 == message.photo[-1].file_size
    copy = await bot.copy_message(1001, 1001, message.message_id)
    assert lan.last is not None
    assert lan.last.message_id == copy.message_id
    assert lan.last.kind == "photo"


async def test_document_reaches_bot_message(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    payload = json.dumps({"reports": []}).encode()
    await bot.send_document(1001, io.BytesIO(payload), filename="dulieu.json", caption="Dữ liệu")
    message = await lan.wait_for("du lieu")
    assert message.kind == "document"
    assert message.document == payload
    assert message.file_name == "dulieu.json"


async def test_user_voice_note_can_be_resent_and_downloaded(
    bot: Bot, sandbox: Sandbox
) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    await lan.send_voice(duration=7)
    message = (await bot.get_updates())[-1].message
    assert message is not None and message.voice is not None
    voice = message.voice
    assert voice.duration == dt.timedelta(seconds=7)
    data = await (await voice.get_file()).download_as_bytearray()
    assert bytes(data).startswith(b"OggS") and len(data) == voice.file_size
    again = await bot.send_voice(1001, voice.file_id, caption="Nghe lại")
    assert again.voice is not None and again.voice.file_id == voice.file_id
    seen = await lan.wait_for("Nghe lại")
    assert seen.kind == "voice"
    await lan.send_sticker("🚓")
    sticker = (await bot.get_updates())[-1].message
    assert sticker is not None and sticker.sticker is not None
    assert (await bot.send_sticker(1001, sticker.sticker.file_id)).sticker is not None


async def test_poll_answers_reach_the_bot_as_telegram_sends_them(
    bot: Bot, sandbox: Sandbox
) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    hung = sandbox.user(1002, first_name="Hùng")
    group = sandbox.group(-1001000000001, title="Tổ an ninh", members=[lan, hung])
    await bot.send_poll(1001, "Gọi số nào khi có trộm?", ["113", "114", "115"], type="quiz",
                        correct_option_ids=[0], is_anonymous=False)
    quiz = await lan.wait_for(predicate=lambda m: m.kind == "poll")
    answer = await lan.answer_poll(quiz, 2)
    updates = await bot.get_updates()
    poll, poll_answer = updates[-2].poll, updates[-1].poll_answer
    assert poll is not None and poll_answer is not None
    assert poll.total_voter_count == 1 and [o.voter_count for o in poll.options] == [0, 0, 1]
    assert poll_answer.poll_id == poll.id == answer["poll_id"]
    assert poll_answer.user is not None and poll_answer.user.id == 1001
    assert poll_answer.option_ids == (2,)
    assert poll_answer.option_persistent_ids == (poll.options[2].persistent_id,)
    assert lan.last is not None and lan.last.poll is not None
    assert lan.last.poll["total_voter_count"] == 1
    assert "Lan votes [115]" in sandbox.transcript()
    with pytest.raises(LookupError, match="already answered"):
        await lan.answer_poll(quiz, 0)  # a quiz cannot be re-voted
    with pytest.raises(LookupError, match="3 options"):
        await hung.answer_poll(quiz, 3)

    await bot.send_poll(group.id, "Họp tổ tối nay?", ["Có", "Không"])  # anonymous
    vote = await group.wait_for(predicate=lambda m: m.kind == "poll")
    await hung.answer_poll(vote, 0)
    last = (await bot.get_updates(offset=updates[-1].update_id + 1))
    assert [u.poll is not None for u in last] == [True]  # no poll_answer: anonymous
    assert last[0].poll is not None and last[0].poll.options[0].voter_count == 1


async def test_location_poll_media_group_forward(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    group = sandbox.group(-1001000000001, title="Công an xã Hưng Lộc", members=[lan])
    location = await bot.send_location(1001, 10.95, 107.16)
    assert location.location is not None
    quiz = await bot.send_poll(
        -1001000000001, "Gọi số nào khi có trộm?", ["113", "114", "115"],
        type="quiz",
        correct_option_ids=[0],
        explanation="<b>113</b> là công an",
        explanation_parse_mode="HTML",
        is_anonymous=False,
    )
    assert quiz.poll is not None
    assert quiz.poll.correct_option_ids == (0,)
    assert quiz.poll.explanation == "113 là công an"
    with pytest.raises(BadRequest):
        await bot.send_poll(1001, "Q?", ["a", "b"], type="quiz")
    album = await bot.send_media_group(1001, [_photo(), _photo()])
    assert len({m.media_group_id for m in album}) == 1
    forwarded = await bot.forward_message(-1001000000001, 1001, location.message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.location is not None
    assert (await group.wait_for(predicate=lambda m: m.kind == "poll")).poll is not None
    assert (await bot.get_chat(-1001000000001)).title == "Công an xã Hưng Lộc"
    member = await bot.get_chat_member(-1001000000001, 1001)
    assert member.status == "member"


def _photo() -> InputMediaPhoto:
    return InputMediaPhoto(PNG_640x480)


# ---- people ----------------------------------------------------------------------------


async def test_group_conversation_and_wait_for_transcript(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    police = sandbox.group(-1001000000001, title="Công an xã Hưng Lộc", members=[lan])
    report = await bot.send_message(
        -1001000000001, "Tin báo TB-000001", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("📥 Tiếp nhận", callback_data="accept:1")]]))
    seen = await police.wait_for("TB-000001")
    await police.send(lan, "Đã cử người đến", reply_to=seen)
    query_id = await lan.press("Tiếp nhận", chat=police)
    updates = await bot.get_updates()
    reply = updates[0].message
    assert reply is not None
    assert reply.chat.type == "supergroup"
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == report.message_id
    assert updates[1].callback_query is not None
    assert updates[1].callback_query.id == query_id
    with pytest.raises(AssertionError, match="TB-000001") as missing:
        await police.wait_for("không có", timeout=0.05)
    assert "Lan presses [📥 Tiếp nhận]" in str(missing.value)
    lines = [format_event(e) for e in sandbox.log]
    assert lines[:2] == [
        "bot → Công an xã Hưng Lộc: Tin báo TB-000001 [📥 Tiếp nhận]",
        "Lan → Công an xã Hưng Lộc: Đã cử người đến",
    ]


async def test_commands_are_stored_by_scope_and_language(bot: Bot, sandbox: Sandbox) -> None:
    from telegram import BotCommand, BotCommandScopeAllGroupChats

    await bot.set_my_commands([BotCommand("baotin", "Báo tin")], language_code="vi")
    await bot.set_my_commands(
        [BotCommand("thongke", "Thống kê")], scope=BotCommandScopeAllGroupChats()
    )
    assert sandbox.commands[("default", "vi")] == [{"command": "baotin", "description": "Báo tin"}]
    assert [c.command for c in await bot.get_my_commands(language_code="vi")] == ["baotin"]
    assert [c.command for c in await bot.get_my_commands()] == []
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    await bot.delete_my_commands(scope=BotCommandScopeAllGroupChats())
    assert ("all_group_chats", "") not in sandbox.commands


# ---- console ---------------------------------------------------------------------------


async def test_console_with_scripted_input(bot: Bot, sandbox: Sandbox) -> None:
    out = io.StringIO()
    lines = iter(["/start", "2", "/loc 10.9 107.1", "/as 1002 Hùng", "/who", "xin chào", "/quit"])
    sent: list[BotMessage] = []

    async def script(prompt: str) -> str:
        line = next(lines)
        if line == "2":  # the bot answers /start before the person presses
            updates = await bot.get_updates()
            assert updates[-1].message is not None
            await bot.send_message(1001, "Chào mừng", reply_markup=yes_no())
            sent.append(await sandbox.user(1001).wait_for("chao mung"))
        return line

    await run_console(sandbox, {1001: "Lan"}, input_fn=script, output=out)
    text = out.getvalue()
    assert "bot: Chào mừng" in text
    assert "[1] ✅ Đồng ý  [2] Từ chối" in text
    assert "now chatting as Hùng (1002)" in text
    updates = await bot.get_updates()
    kinds = [
        u.callback_query.data if u.callback_query else
        ("location" if u.message and u.message.location else u.message and u.message.text)
        for u in updates
    ]
    assert kinds == ["/start", "no", "location", "xin chào"]
    assert updates[-1].effective_user is not None
    assert updates[-1].effective_user.id == 1002
    assert sent


async def test_caption_edit_leave_chat_and_event_listeners(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    sandbox.group(-1001000000002, title="Tổ 2", members=[lan])
    lines: list[str] = []
    unsubscribe = sandbox.on_event(lambda event: lines.append(format_event(event)))
    photo = await bot.send_photo(1001, PNG_640x480, caption="Cũ")
    edited = await bot.edit_message_caption(1001, photo.message_id, caption="Mới")
    assert isinstance(edited, Message)
    assert edited.caption == "Mới"
    text = await bot.send_message(1001, "chữ")
    with pytest.raises(BadRequest, match="no caption"):
        await bot.edit_message_caption(1001, text.message_id, caption="x")
    unsubscribe()
    await bot.send_message(1001, "không ghi")
    assert lines == ["bot → Lan: [photo] Cũ", "bot ✎ Lan: [photo] Mới", "bot → Lan: chữ"]
    assert await bot.leave_chat(-1001000000002)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(-1001000000002, "x")


async def test_a_webhook_gets_every_update_once_in_order_retried_until_accepted(
    bot: Bot, sandbox: Sandbox
) -> None:
    """After setWebhook the sandbox POSTs updates with the secret header, keeps an update
    refused by the bot first in line, and goes back to getUpdates after deleteWebhook."""
    received: list[tuple[int, str | None]] = []
    got_two = asyncio.Event()
    refuse_next = [True]

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        if refuse_next[0]:
            refuse_next[0] = False
            return web.Response(status=500)
        received.append((update["update_id"], request.headers.get(
            "X-Telegram-Bot-Api-Secret-Token")))
        if len(received) == 2:
            got_two.set()
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="abc")
        lan = sandbox.user(5001, first_name="Lan")
        await lan.send("một")
        await lan.send("hai")
        await asyncio.wait_for(got_two.wait(), 10)
        first = received[0][0]
        assert received == [(first, "abc"), (first + 1, "abc")]
        assert sandbox.webhook.refused == 1 and not sandbox.world.updates
        with pytest.raises(Conflict):
            await bot.get_updates()
        await bot.delete_webhook()
        await lan.send("ba")
        updates = await bot.get_updates()
        assert [u.message.text for u in updates if u.message] == ["ba"]
    finally:
        await runner.cleanup()
