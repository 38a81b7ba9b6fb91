"""A real headless browser for the web console's end-to-end tests: Playwright for Python
driving Debian's Chromium (/usr/bin/chromium; .ci/run installs it — Playwright's own
browser download needs a network the machines do not have)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def screenshots(tmp_path: Path) -> Path:
    """Where a run's screenshots go: $ANNINH_SCREENSHOTS, else the test's own tmp folder."""
    folder = Path(os.environ.get("ANNINH_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _missing() -> bool:
    return not CHROMIUM.exists()


async def chromium() -> AsyncIterator[Browser]:
    if _missing():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()
