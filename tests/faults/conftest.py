"""The fault matrix's harness: one clean reference run per session, a replay per test, and a
helper that runs the whole pipeline under one fault, then again cleanly, and compares.

Every case ends with ``assert_recovered``: the warehouse and the alert outbox hold exactly the
facts of a clean run (see ``tests.faults.state``), every due alert was delivered, and the file
outbox holds one file per alert. Runs go through the replay on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from pledgewatch.demo import proxied_through
from pledgewatch.pipeline.run import RunReport, run_pipeline
from pledgewatch.replay import DEFAULT_ROOT, Fault, ReplayServer
from pledgewatch.settings import Settings, load_settings
from tests.alerts.conftest import receiver as receiver  # the alert receivers, re-used
from tests.alerts.conftest import smtp_server as smtp_server
from tests.faults.state import State, read_state
from warehouse.db import dispose_engines
from warehouse.migrate import downgrade, upgrade

#: Politeness off, short timeouts, quick retries: the same for the reference and every rerun.
FAST: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "DOWNLOAD_TIMEOUT": 10,
    "RETRY_TIMES": 2,
    "PLEDGEWATCH_RETRY_BACKOFF_BASE": 0.05,
}

#: Every GET the crawl makes except robots.txt (which decides what else is fetched).
NOT_ROBOTS = r"^https?://[^/]+/(?!robots\.txt)"


def expected() -> dict[str, Any]:
    return yaml.safe_load((DEFAULT_ROOT / "expected.yaml").read_text(encoding="utf-8"))


def article_urls(site: str | None = None) -> list[str]:
    return sorted(u for u, a in expected()["articles"].items()
                  if site is None or a["site"] == site)


def exactly(url: str) -> str:
    """A fault pattern matching this URL only."""
    return "^" + re.escape(url) + "$"


def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("PLEDGEWATCH_") and key != "PLEDGEWATCH_TEST_PG_URL":
            monkeypatch.delenv(key)
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(key, raising=False)


def make_settings(db_url: str, data_dir: Path, **extra: str) -> Settings:
    env = {"PLEDGEWATCH_DB_URL": db_url, "PLEDGEWATCH_DATA_DIR": str(data_dir),
           "PLEDGEWATCH_ALERT_TIMEOUT": "1"}
    env.update({f"PLEDGEWATCH_{k.upper()}": v for k, v in extra.items()})
    return load_settings(env)


@dataclass
class Reference:
    state: State
    report: RunReport


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """A clean run through the replay into SQLite, once per session."""
    mp = pytest.MonkeyPatch()
    try:
        clean_environment(mp)
        root = tmp_path_factory.mktemp("reference")
        settings = make_settings(f"sqlite:///{root / 'warehouse.sqlite'}", root / "data")
        with ReplayServer() as replay, proxied_through(replay):
            report = run_pipeline(settings, crawl_overrides=FAST)
        state = read_state(settings.warehouse_url, settings.outbox_path)
    finally:
        mp.undo()
    assert report.crawl.status == "ok", report.crawl.summary()
    assert not report.process.errors and not report.delivery.errors
    assert len(state.facts["article"]) >= 50 and state.facts["alerts"]
    assert state.site_health == []
    return Reference(state, report)


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """The recorded sites on 127.0.0.1 as the crawl's proxy, with a clean environment."""
    clean_environment(monkeypatch)
    with ReplayServer() as server, proxied_through(server):
        yield server


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return make_settings(f"sqlite:///{tmp_path / 'warehouse.sqlite'}", tmp_path / "data")


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """The session's scratch PostgreSQL database, emptied and migrated for this test."""
    dispose_engines()
    downgrade(pg_database, "base")
    upgrade(pg_database)
    yield pg_database
    dispose_engines()


@dataclass
class Outcome:
    faulted: RunReport
    rerun: RunReport
    after_fault: State
    state: State
    settings: Settings
    extra: dict[str, Any] = field(default_factory=dict)


def run_case(settings: Settings, replay: ReplayServer,
             faults: Mapping[str, Fault] | None = None,
             overrides: Mapping[str, Any] | None = None,
             heal: Callable[[], Any] | None = None) -> Outcome:
    """The pipeline under ``faults`` (with ``overrides`` of the crawl settings), then again
    with neither; ``heal()`` ends any other fault between the two runs."""
    for pattern, fault in (faults or {}).items():
        replay.add_fault(pattern, fault)
    faulted = run_pipeline(settings, crawl_overrides={**FAST, **(overrides or {})})
    after = read_state(settings.warehouse_url, settings.outbox_path)
    replay.clear_faults()
    if heal is not None:
        heal()
    faulted_hits = list(replay.hits)
    replay.clear_hits()  # from here on, the hits are the rerun's
    rerun = run_pipeline(settings, crawl_overrides=FAST)
    return Outcome(faulted, rerun, after,
                   read_state(settings.warehouse_url, settings.outbox_path), settings,
                   {"faulted_hits": faulted_hits})


def assert_delivered(state: State) -> None:
    """Every due alert sent on every channel, and one outbox file per alert, named by its id."""
    unsent = {k: s for k, s in state.outbox.items() if s != "sent"}
    assert not unsent, f"alerts not delivered: {unsent}"
    file_keys = {key for key, channel in state.outbox if channel == "file"}
    assert {f"{k}.json" for k in file_keys} == set(state.files)
    assert all(state.files[f"{k}.json"] == k for k in file_keys)
    for channel in {c for _, c in state.outbox}:
        assert {k for k, c in state.outbox if c == channel} == file_keys, channel


def assert_recovered(outcome: Outcome, reference: Reference,
                     health_sites: set[str] | frozenset[str] = frozenset()) -> None:
    """The end state equals the clean run's: its facts always, its history (arrival order)
    too when the faulted run deferred no article to the rerun. A deferred later page of a
    story defers no article URL (page 1 made the article), so the stored pages are compared
    too. Site-health alerts may only name ``health_sites``."""
    state, ref = outcome.state, reference.state
    assert state.facts == ref.facts, "end state differs from a clean run:\n" + state.diff(
        ref, history=False)
    after = outcome.after_fault
    if (after.article_urls == ref.article_urls
            and after.facts["raw_article"] == ref.facts["raw_article"]):
        assert state.history == ref.history, (
            "nothing was deferred, yet the history differs:\n" + state.diff(ref))
    stray = {row for row in state.site_health if row[0] not in health_sites}
    assert not stray, f"site-health alerts for sites without a fault: {stray}"
    assert_delivered(state)
    rerun = outcome.rerun
    assert not rerun.process.errors, rerun.process.errors
    assert not rerun.delivery.errors, rerun.delivery.errors

