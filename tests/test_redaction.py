"""Redactor: a deleted person's names, username and phone out of the texts that stay."""

from __future__ import annotations

from bot.services.redaction import REDACTED, Redactor

XUYEN = Redactor(["Xuyến Quách", "Xuyến", "Quách"], ["@xuyen_quach"], "+84912345678")


def test_a_full_name_goes_with_or_without_accents_in_any_case() -> None:
    assert XUYEN("Tôi là XUYẾN QUÁCH, nhà số 5") == f"Tôi là {REDACTED}, nhà số 5"
    assert XUYEN("gọi xuyen quach nhé") == f"gọi {REDACTED} nhé"


def test_a_one_word_name_goes_only_where_it_is_written_as_a_name() -> None:
    assert XUYEN("Xuyến thấy hai người") == f"{REDACTED} thấy hai người"
    assert XUYEN("Xuyen thấy") == f"{REDACTED} thấy"
    kept = "tuần tra thường xuyên, đường quách thị trang"
    assert XUYEN(kept) == kept
    assert XUYEN("Xuyếnh") == "Xuyếnh"  # a whole word only


def test_the_username_goes_with_or_without_its_at_sign() -> None:
    assert XUYEN("nhắn @Xuyen_Quach hoặc xuyen_quach") == f"nhắn {REDACTED} hoặc {REDACTED}"


def test_the_phone_goes_however_it_is_written_and_other_numbers_stay() -> None:
    for written in ("0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678"):
        assert XUYEN(f"gọi ({written}) ngay") == f"gọi ({REDACTED}) ngay", written
    assert XUYEN("biển 60B1-12345, số kẻ gian 0987654321") == (
        "biển 60B1-12345, số kẻ gian 0987654321")


def test_nothing_to_look_for_changes_nothing() -> None:
    assert Redactor([None, ""], [None])("Xuyến 0912345678") == "Xuyến 0912345678"
