"""The OA channel's pieces on their own: events read (coordinates as strings, echoes), the
signature check, choices as numbered lines plus buttons, and Zalo's errors for the engine."""

from __future__ import annotations

import json

from bot.channels.zalo_oa.client import OaError, OaGrantError, OaTransient
from bot.channels.zalo_oa.events import expected_signature, parse_event, signed
from bot.channels.zalo_oa.sender import messages, translate
from bot.sending import RateLimited, Rejected, Transient, Unreachable


def test_a_location_arrives_with_string_coordinates() -> None:
    event = parse_event({
        "app_id": "1", "event_name": "user_send_location", "timestamp": "1",
        "sender": {"id": "42"}, "recipient": {"id": "7"},
        "message": {"msg_id": "m1", "text": "chợ", "attachments": [
            {"type": "location", "payload": {"coordinates": {"latitude": "10.95",
                                                             "longitude": "107.16"}}}]}})
    assert event is not None and event.kind == "location" and event.oa_id == "7"
    assert event.location == (10.95, 107.16) and event.user_id == "42"


def test_echoes_receipts_follows_and_junk() -> None:
    echo = parse_event({"event_name": "oa_send_text", "sender": {"id": "7"},
                        "recipient": {"id": "42"}, "message": {"msg_id": "m"}})
    assert echo is not None and echo.kind == "echo" and echo.oa_id == "7"
    follow = parse_event({"event_name": "follow", "oa_id": "7", "timestamp": "5",
                          "follower": {"id": "42"}})
    assert follow is not None and follow.kind == "follow" and follow.msg_id == "follow:42:5"
    broken = parse_event({"event_name": "user_send_location", "sender": {"id": "4"},
                          "recipient": {"id": "7"}, "message": {"msg_id": "x", "attachments": [
                              {"payload": {"coordinates": {"latitude": "nan"}}}]}})
    assert broken is not None and broken.kind == "other"  # answered, not taken as a place
    assert parse_event("not an event") is None


def test_the_signature_covers_the_body_and_the_key() -> None:
    body = json.dumps({"timestamp": "123"}).encode()
    header = expected_signature("app", body, "123", "secret")
    assert signed(header, "app", body, "123", "secret")
    assert not signed(header, "app", body + b" ", "123", "secret")
    assert not signed(header, "app", body, "123", "other")
    assert not signed(None, "app", body, "123", "secret")


def test_choices_are_numbered_lines_and_buttons_when_few() -> None:
    [few] = messages("<b>Đồng ý</b> không?", ["✅ Đồng ý", "Từ chối"], 5)
    assert few["text"] == "Đồng ý không?\n\n1. ✅ Đồng ý\n2. Từ chối"
    titles = [b["title"] for b in few["attachment"]["payload"]["buttons"]]
    assert titles == ["✅ Đồng ý", "Từ chối"]
    assert {b["type"] for b in few["attachment"]["payload"]["buttons"]} == {"oa.query.hide"}
    [many] = messages("Chọn", [f"Mục {n}" for n in range(6)], 5)
    assert "attachment" not in many and "6. Mục 5" in many["text"]
    parts = messages("đoạn một. " * 300, ["Gửi"], 5)
    assert len(parts) > 1 and "attachment" in parts[-1] and "attachment" not in parts[0]


def test_zalo_errors_tell_the_engine_what_to_do() -> None:
    assert isinstance(translate(OaError(-32, "rate")), RateLimited)
    for code in (-213, -217, -227):
        assert isinstance(translate(OaError(code, "gone")), Unreachable)
    assert isinstance(translate(OaError(-230, "window")), Rejected)
    assert isinstance(translate(OaTransient(0, "timeout")), Transient)
    assert isinstance(translate(OaGrantError(-14014, "dead")), Transient)
    assert translate(ValueError("a bug")) is None
