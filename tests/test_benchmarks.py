"""The soak benchmark still runs end to end: a benchmark that rots silently measures nothing.

Sizes are tiny here; the figures in the project's notes come from the full sizes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ENV

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.postgres
def test_soak_prints_throughput_and_peak_memory_at_each_size() -> None:
    admin = os.environ.get(PG_ENV)
    if not admin:
        pytest.skip(f"the soak runs on PostgreSQL only; set {PG_ENV}")
    done = subprocess.run([sys.executable, "-m", "benchmarks.soak", "--articles", "40", "80",
                           "--pg", admin], cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    for size in (40, 80):
        line = next(x for x in done.stdout.splitlines() if re.match(rf"\s*{size} pages:", x))
        assert re.search(r"[\d.]+ pages/s", line) and "0 errors" in line, line
        assert re.search(r"peak \d+ MiB", line), line
    assert re.search(r"peak RSS \d+ MiB at 40 pages, \d+ MiB at 80", done.stdout), done.stdout
