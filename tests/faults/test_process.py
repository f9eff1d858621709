"""``pledgewatch run`` killed with SIGKILL mid-night, then run again.

The run is a real subprocess (``python -m pledgewatch run``) crawling through the replay, with
the file outbox and a webhook receiver on 127.0.0.1. It is killed (with its crawl child: the
whole process group, as a dying worker takes its children) during the crawl, during processing,
and between a receiver taking an alert and the warehouse recording it; and alone, as the OOM
killer or a scheduler kills one process, when its crawl child must die with it. Then it runs
again, to the end. Every article the replay serves must be in the warehouse exactly once, every
due alert delivered; an alert id reaches the receiver twice only after the kill between sending
and recording, and then carries the same ``X-Pledgewatch-Alert-Id``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pledgewatch.replay import Fault, ReplayServer
from tests.faults.conftest import Reference, exactly
from tests.faults.state import read_state
from warehouse.db import dispose_engines

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 240


@dataclass
class Webhook:
    """A receiver that records each alert id it is sent; ``on_alert`` runs before it answers."""

    port: int = 0
    ids: list[str] = field(default_factory=list)
    on_alert: Callable[[str], None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def counts(self) -> dict[str, int]:
        return {i: self.ids.count(i) for i in set(self.ids)}


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            alert_id = self.headers.get("X-Pledgewatch-Alert-Id") or ""
            hook.ids.append(alert_id)  # taken: from here on the receiver has acted on it
            if hook.on_alert is not None:
                hook.on_alert(alert_id)
            try:
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass

    server = Server(("127.0.0.1", 0), Handler)
    hook.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(5)


@dataclass
class Night:
    db_path: Path
    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def start(self, name: str) -> subprocess.Popen[bytes]:
        self.log = self.data_dir.parent / f"{name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pledgewatch", "run"], cwd=REPO, env=self.env,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self.proc

    def kill(self) -> None:
        """SIGKILL to the run and every process it started (the crawl child)."""
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def wait(self) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(RUN_TIMEOUT)
        finally:
            if self.proc.poll() is None:
                self.kill()
                self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log else ""

    def run_to_end(self, name: str) -> str:
        self.start(name)
        code = self.wait()
        text = self.output()
        assert code == 0, text
        assert "Traceback" not in text, text
        return text


@pytest.fixture
def night(replay: ReplayServer, webhook: Webhook, tmp_path: Path) -> Iterator[Night]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PLEDGEWATCH_") and k.lower() not in ("http_proxy",
                                                                     "https_proxy", "no_proxy")}
    env.update(replay.proxy_env())
    data = tmp_path / "data"
    env.update({
        "PLEDGEWATCH_DB_URL": f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
        "PLEDGEWATCH_DATA_DIR": str(data),
        "PLEDGEWATCH_DOWNLOAD_DELAY": "0",
        "PLEDGEWATCH_WEBHOOK_URL": webhook.url,
        "PLEDGEWATCH_ALERT_TIMEOUT": "10",
        "PYTHONUNBUFFERED": "1",
    })
    made = Night(tmp_path / "warehouse.sqlite", data, env)
    yield made
    if made.proc is not None and made.proc.poll() is None:
        made.kill()
        made.proc.wait(10)
    dispose_engines()


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie nobody reaped has ended: it only holds its pid)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def children(parent: int, marker: str) -> list[int]:
    """The live processes whose parent is ``parent`` and whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and marker in cmdline and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet, or busy


def assert_after_kill(night: Night, reference: Reference, webhook: Webhook,
                      duplicated: frozenset[str] = frozenset()) -> None:
    state = read_state(night.db_url, night.data_dir / "outbox")
    assert state.facts == reference.state.facts, state.diff(reference.state, history=False)
    stray = [row for row in state.site_health if row[1] != "crawl_status"]
    assert not stray, stray  # a killed crawl may be reported as failed, nothing else
    unsent = {k: s for k, s in state.outbox.items() if s != "sent"}
    assert not unsent, unsent
    hook_keys = {k for k, c in state.outbox if c == "webhook"}
    assert set(webhook.counts()) == hook_keys
    twice = {i for i, n in webhook.counts().items() if n > 1}
    assert twice == set(duplicated), webhook.counts()
    assert all(n <= 2 for n in webhook.counts().values())
    files = night.data_dir / "outbox"
    for path in files.glob("*.json"):
        assert json.loads(path.read_text("utf-8"))["alert_id"] == path.stem


#: A two-page article: page 2 is only ever found through page 1.
PAGE_1 = "http://lf.sxgov.cn/content/2022-10/28/content_12841562.htm"
PAGE_2 = "http://lf.sxgov.cn/content/2022-10/28/content_12841562_2.htm"


def test_killed_during_crawl(night: Night, replay: ReplayServer, webhook: Webhook,
                             reference: Reference) -> None:
    """Killed while page 2 of an article is on its way: page 1 is stored, so the next crawl
    knows it and would never read it again to find page 2."""
    held = replay.add_fault(exactly(PAGE_2), Fault(delay=30))
    proc = night.start("killed")
    wait_until(lambda: held.hits > 0, 120, "page 2 was asked for", proc)  # counted on arrival
    wait_until(lambda: count(night.db_path,
                             f"SELECT COUNT(*) FROM raw_page WHERE url = '{PAGE_1}'") > 0,
               30, "page 1 was stored", proc)
    night.kill()
    night.wait()
    replay.clear_faults()
    stored = count(night.db_path, "SELECT COUNT(*) FROM raw_page WHERE kind = 'article'")
    assert 0 < stored < len(reference.state.facts["raw_article"])
    assert count(night.db_path, f"SELECT COUNT(*) FROM raw_page WHERE url = '{PAGE_2}'") == 0
    assert count(night.db_path, "SELECT COUNT(*) FROM article") == 0
    assert webhook.ids == []
    text = night.run_to_end("rerun")
    assert "recovered from the last crawl" in text, text
    assert_after_kill(night, reference, webhook)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_a_killed_run_takes_its_crawl_child_with_it(night: Night, replay: ReplayServer,
                                                    webhook: Webhook,
                                                    reference: Reference) -> None:
    """SIGKILL to the run alone (not its process group), mid-crawl: the crawl child must not
    go on crawling into the warehouse beside the re-run; it is gone within seconds, and the
    re-run recovers everything the killed night left."""
    held = replay.add_fault(exactly(PAGE_2), Fault(delay=30))  # keeps the crawl busy
    proc = night.start("killed")
    try:
        wait_until(lambda: held.hits > 0, 120, "page 2 was asked for", proc)
        [child] = children(proc.pid, "spiders.run_child")
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as the OOM killer would
        proc.wait(10)
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child), "the crawl child outlived its killed parent"
    finally:
        night.kill()  # the process group: whatever is left of it, so no test leaks a crawl
    replay.clear_faults()
    assert count(night.db_path, "SELECT COUNT(*) FROM article") == 0
    text = night.run_to_end("rerun")
    assert "recovered from the last crawl" in text, text
    assert_after_kill(night, reference, webhook)


def test_killed_during_processing(night: Night, replay: ReplayServer, webhook: Webhook,
                                  reference: Reference) -> None:
    proc = night.start("killed")
    wait_until(lambda: count(night.db_path, "SELECT COUNT(*) FROM article") >= 10,
               180, "processing stored articles", proc)
    night.kill()
    night.wait()
    loaded = count(night.db_path, "SELECT COUNT(*) FROM article")
    assert 10 <= loaded < len(reference.state.facts["article"])
    assert webhook.ids == []
    night.run_to_end("rerun")
    assert_after_kill(night, reference, webhook)


def test_killed_between_sending_an_alert_and_recording_it(night: Night, replay: ReplayServer,
                                                          webhook: Webhook,
                                                          reference: Reference) -> None:
    first: list[str] = []

    def kill_on_first(alert_id: str) -> None:
        if not first:
            first.append(alert_id)
            night.kill()  # the receiver has the alert; the sender dies before it hears so

    webhook.on_alert = kill_on_first
    night.start("killed")
    night.wait()
    assert first, night.output()
    webhook.on_alert = None
    state = read_state(night.db_url)
    assert state.outbox[(first[0], "webhook")] == "pending"  # sent, but not recorded
    night.run_to_end("rerun")
    assert_after_kill(night, reference, webhook, duplicated=frozenset(first))


LINK_ALL = """
import json, sys
from pledges import load_registry
from pledges.places import load_gazetteer
from transforms.link import ArticleText, Linker
linker = Linker(load_registry(), load_gazetteer())
for line in open(sys.argv[1], encoding="utf-8"):
    a = json.loads(line)
    links = linker.link(ArticleText(id=a["id"], url=a["url"], title=a["title"],
                                    body=a["body"], published=None))
    print(json.dumps([[lk.pledge_id, lk.stage, lk.score, lk.evidence, list(lk.matched)]
                      for lk in links], ensure_ascii=False))
"""


def test_linking_does_not_depend_on_the_process() -> None:
    """A re-run happens in another process, with another string hash seed: the links, their
    order and their matched terms (stored in ``fct_mention.matched``) must be the same, or a
    re-run rewrites mentions that did not change."""
    source = REPO / "tests/data/devset/articles.jsonl"
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", LINK_ALL, str(source)], cwd=REPO,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True,
                              capture_output=True, text=True, timeout=RUN_TIMEOUT)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") > 100
