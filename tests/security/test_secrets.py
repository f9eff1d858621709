"""Secrets come from the environment and never show: not in output, logs, the warehouse or files.

Every secret setting is set to a recognisable token: the database password, channel URLs whose
path, query and user-info are tokens, the DingTalk signing secret, the SMTP password. The alert
receivers then behave as real ones do when they refuse: they quote the request back ("Cannot
POST /hook/<token>", an errmsg naming the URL). A nightly run through the recorded sites must
show none of the tokens anywhere an operator, a log collector or an analyst can read.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from pledgewatch.replay import ReplayServer
from pledgewatch.settings import load_settings
from tests.conftest import REPO
from warehouse.db import dispose_engines, get_engine

DB_PASSWORD = "PgS3cretPass"
TOKENS = {
    "webhook_path": "WhPathT0ken9f3",
    "webhook_query": "WhQueryT0ken7a1",
    "webhook_password": "WhBasicPassw0rd",
    "dingtalk_token": "DtAccessT0ken4c2",
    "dingtalk_secret": "SECDingS3cret8d5",
    "wecom_key": "WcKeyT0ken6b0",
    "feishu_token": "FsHookT0ken2e7",
    "slack_token": "SlackT0kenXyZ31",
    "smtp_password": "SmtpPassw0rd5",
}


class _Echo(BaseHTTPRequestHandler):
    """Refuses every message, quoting the request back as real receivers do."""

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        if self.path.startswith("/robot/"):  # DingTalk: 200 with the verdict inside
            self._answer(200, json.dumps({"errcode": 300001,
                                          "errmsg": f"token not exist: {self.path}"}))
        elif self.path.startswith("/cgi-bin/"):  # WeCom
            self._answer(200, json.dumps({"errcode": 93000,
                                          "errmsg": f"invalid webhook url {self.path}"}))
        elif self.path.startswith("/open-apis/"):  # Feishu
            self._answer(200, json.dumps({"code": 19001, "msg": f"param invalid {self.path}"}))
        elif self.path.startswith("/services/"):  # Slack: a 4xx with a text body
            self._answer(403, f"invalid_token for {self.path}")
        else:  # a generic webhook behind a framework's default 404 page
            self._answer(404, f"Cannot POST {self.path} (auth {self.headers.get('Authorization')})")

    def _answer(self, status: int, body: str) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@dataclass
class Secrets:
    env: dict[str, str]
    values: list[str] = field(default_factory=list)

    def assert_absent(self, where: str, content: str) -> None:
        leaked = [v for v in self.values if v in content]
        assert not leaked, f"{where} shows {leaked}"


@pytest.fixture
def secrets(warehouse_url: str, receiver: ThreadingHTTPServer, tmp_path: Path) -> Secrets:
    base = f"http://127.0.0.1:{receiver.server_address[1]}"
    t = TOKENS
    values = list(t.values())
    db_url = warehouse_url
    if not warehouse_url.startswith("sqlite"):
        parsed = make_url(warehouse_url)
        if parsed.password:
            values.append(str(parsed.password))
        else:  # a trust-authenticated server ignores it; the run must still never show it
            db_url = parsed.set(password=DB_PASSWORD).render_as_string(hide_password=False)
            values.append(DB_PASSWORD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEWATCH_")
           or k == "PLEDGEWATCH_TEST_PG_URL"}
    env.update({
        "PLEDGEWATCH_DB_URL": db_url,
        "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data"),
        "PLEDGEWATCH_DOWNLOAD_DELAY": "0",
        "PLEDGEWATCH_ALERT_TIMEOUT": "5",
        "PLEDGEWATCH_WEBHOOK_URL": f"http://hookuser:{t['webhook_password']}@127.0.0.1:"
                                   f"{receiver.server_address[1]}/hook/{t['webhook_path']}"
                                   f"?access_token={t['webhook_query']}",
        "PLEDGEWATCH_DINGTALK_URL": f"{base}/robot/send?access_token={t['dingtalk_token']}",
        "PLEDGEWATCH_DINGTALK_SECRET": t["dingtalk_secret"],
        "PLEDGEWATCH_WECOM_URL": f"{base}/cgi-bin/webhook/send?key={t['wecom_key']}",
        "PLEDGEWATCH_FEISHU_URL": f"{base}/open-apis/bot/v2/hook/{t['feishu_token']}",
        "PLEDGEWATCH_SLACK_URL": f"{base}/services/T0001/B0001/{t['slack_token']}",
        "PLEDGEWATCH_SMTP_URL": f"smtp://mailer:{t['smtp_password']}@127.0.0.1:9",
        "PLEDGEWATCH_ALERT_EMAIL_TO": "ops@example.org",
    })
    return Secrets(env, values)


def pledgewatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    with subprocess.Popen([sys.executable, "-m", "pledgewatch", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, cwd=REPO,
                          start_new_session=True) as proc:
        try:
            out, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            pytest.fail(f"pledgewatch {' '.join(args)} did not finish: {err[-2000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_config_shows_every_setting_with_secrets_masked(secrets: Secrets) -> None:
    result = pledgewatch("config", env=secrets.env)
    assert result.returncode == 0, result.stderr
    secrets.assert_absent("pledgewatch config", result.stdout + result.stderr)
    shown = dict(line.split("=", 1) for line in result.stdout.splitlines())
    # ...yet recognisable: which host each channel goes to.
    assert "127.0.0.1" in shown["PLEDGEWATCH_WEBHOOK_URL"]
    assert shown["PLEDGEWATCH_DINGTALK_SECRET"] == "***"


def outbox_errors(db_url: str) -> list[str]:
    with get_engine(db_url).connect() as conn:
        return [e for (e,) in conn.execute(text(
            "SELECT last_error FROM alert_outbox WHERE last_error IS NOT NULL"))]


def test_a_run_never_shows_a_secret(secrets: Secrets, receiver: ThreadingHTTPServer) -> None:
    with ReplayServer() as replay:
        env = {**secrets.env, **replay.proxy_env()}
        result = pledgewatch("run", env=env)
    assert result.returncode == 0, result.stderr
    shown = result.stdout + result.stderr
    secrets.assert_absent("pledgewatch run", shown)
    # The run did try every channel and reported each refusal (so the check above means
    # something), and the receivers did quote the tokens back.
    for channel in ("webhook", "dingtalk", "wecom", "feishu", "slack", "email"):
        assert f"error: {channel}: " in shown, shown
    quoted = " ".join(receiver.paths)  # type: ignore[attr-defined]
    assert TOKENS["webhook_path"] in quoted and TOKENS["dingtalk_token"] in quoted

    errors = outbox_errors(secrets.env["PLEDGEWATCH_DB_URL"])
    assert errors
    secrets.assert_absent("alert_outbox.last_error", "\n".join(errors))
    data = Path(secrets.env["PLEDGEWATCH_DATA_DIR"])
    for path in data.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".html", ".txt", ".log", ".css"):
            secrets.assert_absent(str(path), path.read_text(encoding="utf-8", errors="replace"))

    again = pledgewatch("deliver", env=secrets.env)  # the retry says the same, still masked
    assert "failed" in again.stdout
    secrets.assert_absent("pledgewatch deliver", again.stdout + again.stderr)
    dispose_engines()


def test_logs_never_show_a_secret(secrets: Secrets, monkeypatch: pytest.MonkeyPatch,
                                  caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """Every log record at DEBUG (SQLAlchemy's statements included) and Scrapy's DEBUG log."""
    from pledgewatch.pipeline.run import run_pipeline
    from spiders.run import crawl
    from warehouse.migrate import upgrade

    for key, value in secrets.env.items():
        if key.startswith("PLEDGEWATCH_"):
            monkeypatch.setenv(key, value)
    settings = load_settings()
    upgrade(settings.warehouse_url)
    crawl_log = tmp_path / "crawl.log"
    caplog.set_level(logging.DEBUG)
    with ReplayServer() as replay:
        for key, value in replay.proxy_env().items():
            monkeypatch.setenv(key, value)
        crawl(["lfxww", "puxian_gov"], None, None, settings.warehouse_url,
              {"LOG_LEVEL": "DEBUG", "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False},
              log_path=crawl_log)
    report = run_pipeline(settings, fetch=False)
    assert report.process.pages > 0 and report.delivery.failed > 0
    log_text = crawl_log.read_text(encoding="utf-8", errors="replace")
    assert "DEBUG" in log_text and "lfxww" in log_text
    secrets.assert_absent("the crawl's Scrapy log", log_text)
    assert caplog.records
    secrets.assert_absent("log records", "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records))
    dispose_engines()
