"""One time source: the rules never read the wall clock, whatever date the suite runs on."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

# Reading the wall clock is allowed only here: the system clock itself, the sandbox (it plays
# Telegram's servers, which stamp messages with their own time), and the outbox's retry timer
# in each channel's worker (a duration, stored as an epoch so that it survives a restart; never
# compared with a rule's date). bench/ is not the product.
ALLOWED = {
    "bot/clock.py",
    "bot/drain.py",
}
WALL_CLOCK = re.compile(r"datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(|"
                        r"\(\s*'now'|CURRENT_TIMESTAMP|CURRENT_DATE")

# The modules whose rules depend on dates: schedules, campaigns, quiet hours, escalation, stats.
TIME_SENSITIVE = (
    "tests/test_campaigns.py", "tests/test_announce.py", "tests/test_delivery.py",
    "tests/test_alarm.py", "tests/test_triage.py", "tests/test_stats.py",
    "tests/test_open_reports.py", "tests/test_report_service.py", "tests/test_teams.py",
    "tests/test_announce_roles.py", "tests/test_join_rules.py",
    "tests/test_scheduler.py",
)


def test_only_the_clock_reads_the_wall_clock() -> None:
    offenders = []
    for folder in ("bot", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ALLOWED or relative.startswith("bot/sandbox/"):
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if WALL_CLOCK.search(line) and "SystemClock" not in line:
                    offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.timeout(600)
def test_time_sensitive_tests_pass_with_the_wall_clock_far_away(tmp_path: Path) -> None:
    """The suite's fake clock keeps its own dates while the machine's date is far away.

    Both runs go side by side (one per core); a rule that reads the wall clock fails one. Each
    has its own base folder: with the clock moved, pytest would take the other run's folders
    for old ones and remove them under it."""
    if os.environ.get("ANNINH_WALL_CLOCK_CHILD"):
        pytest.skip("already inside a moved run")
    runs = {
        moved: subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
             f"--basetemp={tmp_path / moved}", f"--wall-clock={moved}", *TIME_SENSITIVE],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "ANNINH_WALL_CLOCK_CHILD": "1"},
        )
        for moved in ("1999-12-31", "2061-06-15")
    }
    outputs = {}
    try:
        for moved, run in runs.items():
            outputs[moved] = run.communicate(timeout=300)[0]
    finally:  # every child is waited for, even when one failed or timed out
        for run in runs.values():
            if run.poll() is None:
                run.kill()
            run.communicate()
    for moved, run in runs.items():
        assert run.returncode == 0, f"wall clock at {moved}:\n{outputs[moved][-4000:]}"
        assert " passed" in outputs[moved]
