"""A failed nightly run reaches the alert channels through the outbox."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from pledgewatch.orchestration.notifier import RunFailedNotifier


def test_failed_run_is_queued_once_and_delivered(env: pytest.MonkeyPatch, sqlite_url: str,
                                                 tmp_path: Path) -> None:
    env.setenv("PLEDGEWATCH_DB_URL", sqlite_url)
    env.setenv("PLEDGEWATCH_OUTBOX_DIR", str(tmp_path / "outbox"))
    context = {"dag_run": SimpleNamespace(run_id="scheduled__2022-11-09", dag_id="nightly"),
               "task_instance": SimpleNamespace(task_id="crawl_site"),
               "exception": RuntimeError("crawl of lfxww failed")}
    RunFailedNotifier().notify(context)
    RunFailedNotifier().notify(context)  # the scheduler may call it again: still one alert
    files = list((tmp_path / "outbox").glob("*.json"))
    assert len(files) == 1
    alert = json.loads(files[0].read_text(encoding="utf-8"))
    assert "crawl_site" in alert["problem"] and "lfxww" in alert["problem"]
