"""Both locales have the same keys and placeholders, proper NFC text, and fit Telegram."""

from __future__ import annotations

import unicodedata

import pytest

from bot.config import ContentConfig
from bot.i18n import I18n, placeholders
from bot.text import fold, matches

I18N = I18n.load(ContentConfig().folder)


def test_both_locales_have_the_same_keys() -> None:
    assert set(I18N.texts["vi"]) == set(I18N.texts["en"])


@pytest.mark.parametrize("key", sorted(I18N.texts["vi"]))
def test_placeholders_agree_and_texts_fit_telegram(key: str) -> None:
    vi, en = I18N.texts["vi"][key], I18N.texts["en"][key]
    assert placeholders(vi) == placeholders(en), key
    for text in (vi, en):
        assert text.strip(), key
        assert len(text) <= 3500, key  # room for the values put into it
        assert unicodedata.is_normalized("NFC", text), key
    if key.startswith("menu."):
        assert 3 <= len(vi) <= 256 and 3 <= len(en) <= 256


def test_consent_versions_agree() -> None:
    assert I18N.t("vi", "consent.version") == I18N.t("en", "consent.version")


def test_language_choice() -> None:
    assert I18N.language("en") == "en"
    assert I18N.language(None, "en-GB") == "en"
    assert I18N.language(None, "fr") == "vi"
    assert I18N.language(None, None) == "vi"


@pytest.mark.parametrize(
    ("typed", "label"),
    [("trom cap", "Trộm cắp"), ("DONG Y", "✅ Đồng ý"), ("đánh nhau", "Đánh nhau / gây rối"),
     ("tu choi", "Từ chối")],
)
def test_matching_ignores_accents_case_and_emoji(typed: str, label: str) -> None:
    assert matches(label, typed)


def test_fold_is_stable_for_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Ấp Hưng Nhơn")
    assert fold(decomposed) == fold("Ấp Hưng Nhơn") == "ap hung nhon"
