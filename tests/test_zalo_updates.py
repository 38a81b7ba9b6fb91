"""Reading Zalo Bot Platform updates: every event kind, both envelopes, nothing raises."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.zalo_bot.updates import Seen, parse_update, verify_secret

JSON = dict[str, Any]


def event(name: str = "message.text.received", **fields: Any) -> JSON:
    message: JSON = {
        "message_id": "16f6366b3f02645a3d15",
        "from": {"id": "e4ea2cd5189df1c3a88c", "display_name": "Lan", "is_bot": False},
        "chat": {"id": "e4ea2cd5189df1c3a88c", "chat_type": "PRIVATE"},
        "date": 1766619597466,
        **fields,
    }
    return {"event_name": name, "message": message}


def test_a_text_enveloped_or_bare():
    bare = event(text="tham gia HN01")
    for update in (bare, {"ok": True, "result": bare}):
        inbound = parse_update(update)
        assert inbound is not None
        assert (inbound.kind, inbound.text, inbound.display_name) == (
            "text", "tham gia HN01", "Lan")
        assert inbound.user_id == inbound.chat_id == "e4ea2cd5189df1c3a88c"
        assert inbound.private and inbound.message_id == "16f6366b3f02645a3d15"
        assert inbound.sent_at == datetime(2025, 12, 24, 23, 39, 57, 466000, tzinfo=UTC)


def test_an_image_with_photo_url_or_the_older_photo():
    for field in ("photo_url", "photo"):
        inbound = parse_update(event("message.image.received",
                                     **{field: "https://f.zalo/a.jpg", "caption": "xe lạ"}))
        assert inbound is not None and inbound.kind == "image"
        assert (inbound.photo_url, inbound.caption, inbound.text) == (
            "https://f.zalo/a.jpg", "xe lạ", "")


def test_other_kinds():
    kinds = [parse_update(event(name)) for name in (
        "message.sticker.received", "message.voice.received",
        "message.unsupported.received", "message.video.received")]
    assert [k.kind if k else None for k in kinds] == ["sticker", "voice", "unsupported",
                                                       "unsupported"]


def test_a_group_message_and_an_older_name_field():
    update = event(text="@bot alo", chat={"id": "aa", "chat_type": "GROUP"})
    update["message"]["from"] = {"id": "bb", "first_name": "Nguyen Van A"}
    inbound = parse_update(update)
    assert inbound is not None and not inbound.private
    assert (inbound.chat_id, inbound.user_id, inbound.display_name) == ("aa", "bb",
                                                                        "Nguyen Van A")


def test_malformed_updates_are_none():
    no_text = event()
    no_photo = event("message.image.received")
    no_id = event(text="x")
    del no_id["message"]["message_id"]
    numeric_chat = event(text="x", chat={"id": 5})
    for update in (None, [], "x", {"ok": False}, {"ok": True, "result": []},
                   {"event_name": "bot.added"}, {"event_name": 5}, no_text, no_photo, no_id,
                   numeric_chat, {"event_name": "message.text.received", "message": []}):
        assert parse_update(update) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["ok", "result", "event_name", "message", "from", "chat",
                                       "id", "message_id", "text", "date", "photo"]), inner,
                      max_size=5),
    max_leaves=20,
)


@given(json_values)
def test_parse_update_never_raises(update: Any):
    parse_update(update)
    parse_update({"event_name": "message.text.received", "message": update})


def test_seen_drops_repeats_and_forgets_the_oldest():
    seen = Seen(capacity=2)
    assert [seen.first(i) for i in ("a", "a", "b", "c")] == [True, False, True, True]
    assert len(seen) == 2
    assert seen.first("a")  # forgotten: it was the oldest


def test_verify_secret():
    assert verify_secret("s3cret-token", "s3cret-token")
    assert not verify_secret("s3cret-tokeN", "s3cret-token")
    assert not verify_secret(None, "s3cret-token")
    assert not verify_secret("", "")
    assert not verify_secret("ồ", "o")  # non-ASCII does not raise
