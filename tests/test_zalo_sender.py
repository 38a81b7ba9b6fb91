"""The Zalo Bot Platform Sender: what Zalo is sent for each kind of message, how its errors
become the engine's, and the engine delivering through it (a fake Zalo API, real SQLite)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.channels.zalo_bot.render import TEXT_LIMIT
from bot.channels.zalo_bot.sender import (
    NO_FILE_ID,
    NO_LOCAL_PHOTO,
    NOT_SERVED,
    ZaloSender,
    translate,
)
from bot.delivery import (
    DeliveryEngine,
    OutMessage,
    PacerConfig,
    Quiz,
    RateLimited,
    Rejected,
    SendError,
    Transient,
    Unreachable,
)
from bot.models import Recipient
from bot.store import Store
from tests.accounts import account_unreachable, commune, person

CHAT = "a1b2c3d4e5f60718"


class ApiError(Exception):
    """Shaped like the Zalo client's errors: Zalo's error_code and description."""

    def __init__(self, error_code: int, description: str) -> None:
        super().__init__(f"Zalo sendMessage: {error_code} {description}")
        self.error_code = error_code
        self.description = description


class FakeZalo:
    """Records each call as (method, chat, text or (url, caption)); fails as told."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.fail_at: dict[int, Exception] = {}  # call number (from 0) → error
        self.fail_for: dict[str, Exception] = {}  # chat → error, every time

    def _answer(self, method: str, chat_id: str, what: Any) -> dict[str, Any]:
        number = len(self.calls)
        if chat_id in self.fail_for:
            raise self.fail_for[chat_id]
        if number in self.fail_at:
            raise self.fail_at.pop(number)
        self.calls.append((method, chat_id, what))
        return {"message_id": f"m{number:04d}", "date": 1764460800000}

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]:
        return self._answer("sendMessage", chat_id, text)

    async def send_photo(self, chat_id: str, url: str, caption: str) -> dict[str, Any]:
        return self._answer("sendPhoto", chat_id, (url, caption))


@pytest.fixture
def zalo() -> FakeZalo:
    return FakeZalo()


async def test_markup_becomes_plain_text_and_buttons_numbered_lines(zalo: FakeZalo) -> None:
    sent = await ZaloSender(zalo).send(CHAT, OutMessage(
        text='🚨 <b>Kẻng</b> ở &lt;Ấp 1&gt; &amp; <a href="https://maps.example/x">bản đồ</a>',
        buttons=((("🏃 Đang đến", "al:a:7:coming"), ("Không thể", "al:a:7:cannot")),),
        silent=True, reply_to=5))
    assert zalo.calls == [("sendMessage", CHAT, "🚨 Kẻng ở <Ấp 1> & bản đồ "
                           "(https://maps.example/x)\n\n1. 🏃 Đang đến\n2. Không thể")]
    assert sent.message_id == "m0000" and sent.note is None


async def test_a_long_text_goes_in_order_in_parts_that_fit(zalo: FakeZalo) -> None:
    paragraphs = [f"Đoạn {n}: " + "tuần tra ban đêm " * 40 for n in range(8)]
    await ZaloSender(zalo).send(CHAT, OutMessage(text="\n\n".join(paragraphs)))
    texts = [what for _, _, what in zalo.calls]
    assert len(texts) > 1 and all(len(text) <= TEXT_LIMIT for text in texts)
    assert " ".join(" ".join(texts).split()) == " ".join(" ".join(paragraphs).split())
    assert all(text.startswith("Đoạn ") for text in texts)  # cut between paragraphs


async def test_photos_go_by_url_and_what_cannot_go_is_recorded(zalo: FakeZalo) -> None:
    sender = ZaloSender(zalo)
    await sender.send(CHAT, OutMessage(text="Ảnh <i>hiện trường</i>",
                                       photo="https://cdn.example/a.jpg"))
    local = await sender.send(CHAT, OutMessage(text="Tết an toàn", photo_path="/srv/tet.jpg"))
    file_id = await sender.send(CHAT, OutMessage(text="Ảnh", photo="AgACAgUAAxkBAAIB"))
    assert zalo.calls == [("sendPhoto", CHAT, ("https://cdn.example/a.jpg", "Ảnh hiện trường")),
                          ("sendMessage", CHAT, "Tết an toàn"), ("sendMessage", CHAT, "Ảnh")]
    assert (local.note, file_id.note) == (NO_LOCAL_PHOTO, NO_FILE_ID)
    with pytest.raises(Rejected, match="public_url is not set"):
        await sender.send(CHAT, OutMessage(photo_path="/srv/tet.jpg"))


async def test_a_kept_photo_goes_by_its_address_and_any_other_file_says_why_not(
    zalo: FakeZalo,
) -> None:
    def address(path: str) -> str | None:
        return "https://anninh.example/media/k" if path.startswith("/media/") else None

    sender = ZaloSender(zalo, photo_url=address)
    kept = await sender.send(CHAT, OutMessage(text="Ảnh", photo_path="/media/ab/abcd"))
    other = await sender.send(CHAT, OutMessage(text="Tết", photo_path="/srv/tet.jpg"))
    assert zalo.calls == [("sendPhoto", CHAT, ("https://anninh.example/media/k", "Ảnh")),
                          ("sendMessage", CHAT, "Tết")]
    assert (kept.note, other.note) == (None, NOT_SERVED)
    assert "public_url" in NO_LOCAL_PHOTO  # what the operator reads without an address


async def test_a_quiz_is_numbered_and_a_telegram_copy_is_refused(zalo: FakeZalo) -> None:
    sender = ZaloSender(zalo)
    await sender.send(CHAT, OutMessage(quiz=Quiz("Gọi số nào?", ("113", "114"), 0, "Vì")))
    assert zalo.calls == [("sendMessage", CHAT, "Gọi số nào?\n\n1. 113\n2. 114")]
    with pytest.raises(Rejected, match="copy"):
        await sender.send(CHAT, OutMessage(copy_from=(-100, 5)))
    with pytest.raises(Rejected, match="edit"):
        await sender.edit_text(CHAT, 1, "x")


@pytest.mark.parametrize(("error", "expected"), [
    (ApiError(429, "Too Many Requests"), RateLimited),
    (ApiError(403, "Forbidden"), Unreachable),
    (ApiError(404, "Not Found"), Unreachable),
    (ApiError(400, "Chat not found"), Unreachable),
    (ApiError(400, "text is too long"), Rejected),
    (ApiError(401, "Unauthorized"), Transient),
    (ApiError(502, "Bad Gateway"), Transient),
    (ApiError(0, "no answer within 10 s"), Transient),
    (TimeoutError(), Transient),
    (ConnectionResetError("reset"), Transient),
])
async def test_zalos_errors_become_the_engines(
    zalo: FakeZalo, error: Exception, expected: type[SendError]
) -> None:
    zalo.fail_for[CHAT] = error
    with pytest.raises(expected) as raised:
        await ZaloSender(zalo, pause=2.5).send(CHAT, OutMessage(text="x"))
    if isinstance(raised.value, RateLimited):
        assert raised.value.retry_after == 2.5  # no retry_after on Zalo: the configured pause
    assert raised.value.__cause__ is error


async def test_an_error_that_is_not_zalos_is_left_alone(zalo: FakeZalo) -> None:
    zalo.fail_for[CHAT] = KeyError("bug")
    with pytest.raises(KeyError):
        await ZaloSender(zalo).send(CHAT, OutMessage(text="x"))
    assert translate(ValueError("bug")) is None


async def test_a_message_in_parts_resumes_where_it_failed(zalo: FakeZalo) -> None:
    sender = ZaloSender(zalo, limit=20)
    message = OutMessage(text="một hai ba bốn năm sáu bảy tám chín mười mười một mười hai")
    zalo.fail_at[1] = ApiError(502, "Bad Gateway")
    with pytest.raises(Transient):
        await sender.send(CHAT, message)
    sent = await sender.send(CHAT, message)
    texts = [what for _, _, what in zalo.calls]
    assert len(texts) == len(set(texts)) >= 3  # each part once
    assert sent.message_id == "m0000"  # the first part's


async def test_the_engine_delivers_through_it_and_marks_a_blocked_account(
    db: Store, engine: DeliveryEngine, zalo: FakeZalo
) -> None:
    audience = await commune(db)
    reachable = await person(db, audience, zalo="0a0a")
    blocked = await person(db, audience, zalo="0b0b")
    zalo.fail_for["0b0b"] = ApiError(403, "Forbidden")
    await engine.start({"zalo": ZaloSender(zalo)},
                       pacing={"zalo": PacerConfig(rate_per_second=1000)})
    broadcast_id = await engine.enqueue(
        "announcement", OutMessage(text="<b>Họp dân</b>", photo_path="/srv/a.jpg"),
        await db.broadcasts.recipients(audience, include_muted=False),
        commune_id=None, origin="test")
    await engine.wait_done(broadcast_id, timeout=10)
    found = {d.resident_id: d for d in await db.outbox.deliveries(broadcast_id)}
    assert (found[reachable].state, found[reachable].message_id) == ("sent", "m0000")
    assert found[reachable].last_error == NO_LOCAL_PHOTO  # sent, without its photo
    assert found[blocked].state == "unreachable"
    assert await account_unreachable(db, "zalo", "0b0b") is not None
    assert zalo.calls == [("sendMessage", "0a0a", "Họp dân")]
    assert await db.broadcasts.recipients(audience, include_muted=False) == [
        Recipient(reachable, "0a0a", "zalo")]  # the blocked one has left the audience
