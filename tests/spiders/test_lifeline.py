"""``spiders.lifeline`` on real processes: a middle process starts a child that arms one of
the two mechanisms, the middle process is killed with SIGKILL, and the child must be gone
within seconds. The whole pipeline's case is ``tests/faults/test_process.py``
(``test_a_killed_run_takes_its_crawl_child_with_it``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spiders.lifeline import ORPHANED
from tests.faults.test_process import alive

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

#: The middle process: starts the child, prints its pid, and waits to be killed.
MIDDLE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
time.sleep(120)
"""

#: Children: each arms one mechanism, says so, then would sleep for two minutes.
WATCHDOG_ONLY = """
import os, time
from spiders.lifeline import watch_parent
watch_parent(os.getppid(), 0.1)
print("armed", flush=True)
time.sleep(120)
"""
DEATH_SIGNAL_ONLY = """
import time
from spiders.lifeline import set_parent_death_signal
assert set_parent_death_signal()
print("armed", flush=True)
time.sleep(120)
"""


def orphan_outcome(child_code: str) -> bool:
    """Kill the middle process; True if its child was gone within three seconds."""
    middle = subprocess.Popen([sys.executable, "-c", MIDDLE, child_code], cwd=REPO,
                              stdout=subprocess.PIPE, text=True, start_new_session=True,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert middle.stdout is not None
        child = int(middle.stdout.readline())
        assert middle.stdout.readline().strip() == "armed"  # the child shares the pipe
        assert alive(child)
        os.kill(middle.pid, signal.SIGKILL)
        middle.wait(10)
        deadline = time.monotonic() + 3
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        return not alive(child)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(middle.pid, signal.SIGKILL)
        middle.wait(10)


def test_the_watchdog_ends_an_orphan() -> None:
    """The fallback alone (no prctl): polling getppid() notices the re-parenting."""
    assert orphan_outcome(WATCHDOG_ONLY)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_the_parent_death_signal_ends_a_child() -> None:
    assert orphan_outcome(DEATH_SIGNAL_ONLY)


def test_a_child_whose_parent_is_already_gone_exits_at_once() -> None:
    """The race: the parent died before the child armed anything. The pid it was given is not
    its parent any more, so it stops before crawling anything."""
    code = "from spiders.lifeline import die_with_parent\ndie_with_parent(1)\nprint('crawled')"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == ORPHANED and "crawled" not in done.stdout


def test_a_child_run_by_hand_is_left_alone() -> None:
    code = "from spiders.lifeline import die_with_parent\ndie_with_parent(None)\nprint('ran')"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=30, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0 and "ran" in done.stdout
