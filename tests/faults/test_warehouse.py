"""The warehouse misbehaves while a night runs: connections killed mid-load, the server
restarted between tasks, a second writer holding a lock. The next clean night (or this one,
when the fault only slows it down) must leave exactly a clean run's state.

PostgreSQL cases use the session's scratch database (``PLEDGEWATCH_TEST_PG_URL``); the server
restart also needs root and the Debian cluster tools, and restarts the server in ``finally``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

import pledgewatch.pipeline.run as run_module
from pledgewatch.replay import ReplayServer
from pledgewatch.settings import Settings
from tests.faults.conftest import Reference, assert_recovered, make_settings, run_case
from warehouse.migrate import upgrade

TERMINATE = ("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@contextmanager
def around_step(monkeypatch: pytest.MonkeyPatch, step: str, fault: Callable[[], Any],
                once: bool = True) -> Iterator[list[Any]]:
    """Run ``fault()`` (a context manager factory) around a step of the next pipeline run
    (``crawl_sites`` or ``process_pages``; of every run unless ``once``); yields what each
    ``fault()`` entered as."""
    real = getattr(run_module, step)
    made: list[Any] = []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if once and made:
            return real(*args, **kwargs)
        with fault() as value:
            made.append(value)
            return real(*args, **kwargs)

    monkeypatch.setattr(run_module, step, wrapped)
    yield made


def around_processing(monkeypatch: pytest.MonkeyPatch, fault: Callable[[], Any]
                      ) -> Any:
    return around_step(monkeypatch, "process_pages", fault)


class Killer:
    """Terminates every other connection to the database, every ``interval`` seconds."""

    def __init__(self, url: str, interval: float = 0.2, first: float = 0.3,
                 duration: float = 3600.0, when: Callable[[], bool] | None = None) -> None:
        self.engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self.interval, self.first, self.duration = interval, first, duration
        self.when = when  # start only once this is true (checked every 20 ms)
        self.killed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-killer", daemon=True)

    def _run(self) -> None:
        if self._stop.wait(self.first):
            return
        while self.when is not None and not self.when():
            if self._stop.wait(0.02):
                return
        until = time.monotonic() + self.duration
        while time.monotonic() < until:
            with self.engine.connect() as conn:
                self.killed += sum(1 for (done,) in conn.execute(text(TERMINATE)) if done)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> Killer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.engine.dispose()


def pg_settings(url: str, tmp_path: Path) -> Settings:
    return make_settings(url, tmp_path / "data")


@pytest.mark.postgres
def test_connections_killed_while_processing(pg_url: str, replay: ReplayServer,
                                             tmp_path: Path, reference: Reference,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    settings = pg_settings(pg_url, tmp_path)
    with around_processing(monkeypatch, lambda: Killer(pg_url)) as killers:
        out = run_case(settings, replay)
    assert killers and killers[0].killed > 0
    failed = out.faulted.process.errors
    assert failed and all("database" in e for e in failed), failed
    assert out.after_fault.article_urls < reference.state.article_urls
    assert_recovered(out, reference)


@pytest.mark.postgres
def test_connections_killed_while_crawling(pg_url: str, replay: ReplayServer, tmp_path: Path,
                                           reference: Reference,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The crawl child's connections die while it stores pages (whether a kill meets a write
    in flight is timing; ``test_the_warehouse_refuses_writes_during_the_crawl`` is the
    deterministic version): whatever was not stored is fetched again, not dropped."""
    settings = pg_settings(pg_url, tmp_path)
    crawling = lambda: len(replay.hits) >= 20  # noqa: E731
    with around_step(monkeypatch, "crawl_sites", lambda: Killer(
            pg_url, interval=0.02, first=0, duration=2.0, when=crawling)) as killers:
        out = run_case(settings, replay)
    assert killers and killers[0].killed > 0
    assert_recovered(out, reference, health_sites=set(out.faulted.crawl.sites))


REFUSE = """CREATE TRIGGER refuse_pages BEFORE INSERT ON raw_page
WHEN NEW.url LIKE 'http://lf.sxgov.cn/content/%'
BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"""


def test_the_warehouse_refuses_writes_during_the_crawl(replay: ReplayServer, tmp_path: Path,
                                                       reference: Reference) -> None:
    """The warehouse refuses one site's article pages for a night (a full disk, say): the
    crawl must report what it fetched but could not store, and the next night fetch it."""
    path = tmp_path / "warehouse.sqlite"
    settings = make_settings(f"sqlite:///{path}", tmp_path / "data")
    upgrade(settings.warehouse_url)
    with sqlite3.connect(path) as conn:
        conn.execute(REFUSE)

    def heal() -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TRIGGER refuse_pages")

    out = run_case(settings, replay, heal=heal)
    sxgov = out.faulted.crawl.sites["sxgov_lf"]
    assert sxgov.errors_by_kind.get("storage", 0) >= 6, out.faulted.crawl.summary()
    assert any("storage=" in w for w in sxgov.warnings)
    assert not {u for u in out.after_fault.article_urls if "sxgov" in u}
    assert_recovered(out, reference, health_sites={"sxgov_lf"})


PG_CTL = shutil.which("pg_ctlcluster")


def _cluster() -> tuple[str, str] | None:
    """(version, name) of the local cluster serving the test URL's port, if there is one."""
    if PG_CTL is None or not Path("/etc/postgresql").is_dir():
        return None
    port = str(make_url(os.environ.get("PLEDGEWATCH_TEST_PG_URL", "")).port or 5432)
    for conf in sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf")):
        for line in conf.read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "port" and value.split("#")[0].strip() == port:
                return conf.parent.parent.name, conf.parent.name
    return None


def pg_ctl(action: str, cluster: tuple[str, str]) -> None:
    subprocess.run([PG_CTL, "--skip-systemctl-redirect", *cluster, action], check=True,
                   capture_output=True, timeout=60)


def wait_for_server(url: str, timeout: float = 30) -> None:
    engine = create_engine(url, poolclass=NullPool)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()


@contextmanager
def server_restarted(url: str, cluster: tuple[str, str]) -> Iterator[None]:
    """Stop the server and start it again (every pooled connection is then dead)."""
    try:
        pg_ctl("stop", cluster)
    finally:
        pg_ctl("start", cluster)
        wait_for_server(url)
    yield


@pytest.fixture
def cluster() -> tuple[str, str]:
    if os.geteuid() != 0:
        pytest.skip("stopping the PostgreSQL server needs root")
    found = _cluster()
    if found is None:
        pytest.skip("no local PostgreSQL cluster managed by pg_ctlcluster serves the test URL")
    return found


@pytest.mark.postgres
def test_server_restarted_between_crawl_and_processing(
        pg_url: str, cluster: tuple[str, str], replay: ReplayServer, tmp_path: Path,
        reference: Reference, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every connection the run holds dies with the server; the next task must reconnect."""
    settings = pg_settings(pg_url, tmp_path)
    with around_processing(monkeypatch, lambda: server_restarted(pg_url, cluster)):
        out = run_case(settings, replay)
    assert out.faulted.process.errors == []
    assert out.after_fault.article_urls == reference.state.article_urls
    assert_recovered(out, reference)


@contextmanager
def pg_table_locked(url: str, seconds: float) -> Iterator[threading.Thread]:
    """A second writer: one transaction holding ``article`` in EXCLUSIVE mode."""
    held = threading.Event()

    def hold() -> None:
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                conn.execute(text("LOCK TABLE article IN EXCLUSIVE MODE"))
                held.set()
                time.sleep(seconds)
        finally:
            engine.dispose()

    thread = threading.Thread(target=hold, name="pg-locker", daemon=True)
    thread.start()
    assert held.wait(10)
    yield thread
    thread.join(seconds + 10)


@contextmanager
def sqlite_write_locked(path: Path, seconds: float) -> Iterator[threading.Thread]:
    """A second writer: BEGIN IMMEDIATE held on the SQLite file."""
    held = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    thread = threading.Thread(target=hold, name="sqlite-locker", daemon=True)
    thread.start()
    assert held.wait(10)
    yield thread
    thread.join(seconds + 10)


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgresql",
                                                            marks=pytest.mark.postgres)])
def test_a_second_writer_holds_a_lock(dialect: str, replay: ReplayServer, tmp_path: Path,
                                      reference: Reference, request: pytest.FixtureRequest,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Processing waits for the lock and goes on: nothing fails, nothing is deferred."""
    if dialect == "sqlite":
        path = tmp_path / "warehouse.sqlite"
        settings = make_settings(f"sqlite:///{path}", tmp_path / "data")
        lock = lambda: sqlite_write_locked(path, 3)  # noqa: E731
    else:
        url = request.getfixturevalue("pg_url")
        settings = pg_settings(url, tmp_path)
        lock = lambda: pg_table_locked(url, 3)  # noqa: E731
    started = time.monotonic()
    with around_processing(monkeypatch, lock):
        out = run_case(settings, replay)
    assert time.monotonic() - started > 3
    assert out.faulted.process.errors == []
    assert out.after_fault.article_urls == reference.state.article_urls
    assert_recovered(out, reference)


def closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [["run"], ["process"], ["deliver"]])
def test_a_warehouse_that_is_down_is_one_clear_line(command: list[str], tmp_path: Path) -> None:
    """The server is down when a task starts: the task fails with a message naming the
    warehouse (password masked), not a traceback."""
    import sys

    url = f"postgresql+psycopg://pledgewatch:s3cret@127.0.0.1:{closed_port()}/warehouse"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEWATCH_")}
    env.update({"PLEDGEWATCH_DB_URL": url, "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data")})
    done = subprocess.run([sys.executable, "-m", "pledgewatch", *command], env=env,
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert "s3cret" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("Error: the warehouse at postgresql+psycopg://pledgewatch:***@"), (
        done.stderr)
    assert "Connection refused" in done.stderr
