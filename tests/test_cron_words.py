"""Schedules in the words officers use, not cron."""

from __future__ import annotations

import pytest

from bot.config import ContentConfig
from bot.i18n import I18n
from bot.services.cron_words import describe_cron

I18N = I18n.load(ContentConfig().folder)


@pytest.mark.parametrize(("cron", "vi", "en"), [
    ("0 19 * * 6", "19:00 thứ Bảy hằng tuần", "19:00 every Saturday"),
    ("0 19 * * sat", "19:00 thứ Bảy hằng tuần", "19:00 every Saturday"),
    ("30 7 * * *", "07:30 hằng ngày", "07:30 every day"),
    ("0 8 * * 0", "08:00 Chủ nhật hằng tuần", "08:00 every Sunday"),
    ("0 8 * * 7", "08:00 Chủ nhật hằng tuần", "08:00 every Sunday"),
    ("0 20 * * 1-5", "20:00 thứ Hai, thứ Ba, thứ Tư, thứ Năm, thứ Sáu hằng tuần",
     "20:00 every Monday, Tuesday, Wednesday, Thursday, Friday"),
    ("0 21 * * sat,sun", "21:00 thứ Bảy, Chủ nhật hằng tuần", "21:00 every Saturday, Sunday"),
    ("0 6 * * 0-6", "06:00 hằng ngày", "06:00 every day"),
])
def test_a_daily_or_weekly_schedule_reads_as_words(cron: str, vi: str, en: str) -> None:
    assert describe_cron(I18N, "vi", cron) == vi
    assert describe_cron(I18N, "en", cron) == en


@pytest.mark.parametrize("cron", ["*/15 * * * *", "0 8 1 * *", "0 8 * * fri-mon", "0 8 * * 9",
                                  "not cron"])
def test_another_shape_is_shown_as_written(cron: str) -> None:
    assert describe_cron(I18N, "vi", cron) == f"<code>{cron}</code>"
