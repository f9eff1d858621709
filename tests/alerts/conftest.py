"""Real receivers on 127.0.0.1 for the alert channels: an HTTP server for the webhook and the
robots, an aiosmtpd server for the e-mail digest. Each can refuse, hang, or accept on demand."""

from __future__ import annotations

import email
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from alerts.deliver import channel_names
from alerts.outbox import alert_key, enqueue
from pledgewatch.settings import Settings, load_settings
from warehouse.db import session_scope
from warehouse.models import AlertOutbox

HOSTILE = "[点我](http://evil) @all ![x](http://evil/x.png) <script>alert(1)</script> **粗** #标题"
ALERT_ID = re.compile(r"alert id: \W*([0-9a-f]{32})")

#: What each robot answers when it takes a message, and when it refuses one with HTTP 200.
OK_ANSWER = {"dingtalk": (200, {"errcode": 0, "errmsg": "ok"}),
             "wecom": (200, {"errcode": 0, "errmsg": "ok"}),
             "feishu": (200, {"code": 0, "msg": "success", "data": {}}),
             "slack": (200, "ok"), "webhook": (204, "")}
REFUSAL = {"dingtalk": (200, {"errcode": 310000, "errmsg": "sign not match"}),
           "wecom": (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
           "feishu": (200, {"code": 19021, "msg": "sign match fail"}),
           "slack": (400, "invalid_payload"), "webhook": (500, "down")}
#: What each answers when sent to faster than it allows (as the platforms document them).
TOO_FAST = {"dingtalk": (200, {"errcode": 130101,
                               "errmsg": "send too fast, exceed 20 times per minute"}),
            "wecom": (200, {"errcode": 45009, "errmsg": "api freq out of limit"}),
            "feishu": (200, {"code": 9499, "msg": "too many request"}),
            "slack": (429, "rate_limited"), "webhook": (429, "slow down")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Hit:
    channel: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    accepted: bool = False  # answered as taken, and the client was still there to hear it

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def alert_id(self) -> str | None:
        return self.headers.get("x-pledgewatch-alert-id")


@dataclass
class Receiver:
    """``mode`` is "ok", "refuse" (the channel's own refusal), "http500" or "hang".

    With ``limit`` = (count, seconds) it also enforces a rate per channel as the platforms do:
    a message beyond ``count`` taken in the last ``seconds`` gets the platform's "too fast"
    answer (``TOO_FAST``; Slack's and the webhook's carry ``Retry-After: retry_after``), and,
    like DingTalk's ten-minute block, every message for ``penalty`` seconds after that too.
    """

    port: int
    mode: str = "ok"
    hang_seconds: float = 5.0
    hits: list[Hit] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    limit: tuple[int, float] | None = None
    penalty: float = 0.0
    retry_after: str = "1"
    taken_at: dict[str, list[float]] = field(default_factory=dict)
    blocked_until: dict[str, float] = field(default_factory=dict)
    too_fast: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def over_limit(self, channel: str) -> bool:
        """Whether a message arriving now is one too many (and, if not, count it as taken)."""
        if self.limit is None:
            return False
        count, seconds = self.limit
        with self.lock:
            now = time.monotonic()
            if now < self.blocked_until.get(channel, 0.0):
                self.too_fast += 1
                return True
            recent = [t for t in self.taken_at.get(channel, []) if t > now - seconds]
            if len(recent) >= count:
                self.blocked_until[channel] = now + self.penalty
                self.too_fast += 1
                return True
            self.taken_at[channel] = [*recent, now]
            return False

    def url(self, channel: str, rest: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{channel}{rest}"

    def for_channel(self, channel: str) -> list[Hit]:
        return [h for h in self.hits if h.channel == channel]

    def accepted_ids(self, channel: str) -> list[str]:
        """Every alert id in every message the channel took, read from the message text (a
        digest carries many; the webhook's JSON has it in its header), in arrival order."""
        out: list[str] = []
        for hit in self.for_channel(channel):
            if hit.accepted:
                ids = ALERT_ID.findall(hit.body.decode("utf-8"))
                out.extend(ids or ([hit.alert_id] if hit.alert_id else []))
        return out

    def accepted_per_id(self, channel: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for hit in self.for_channel(channel):
            if hit.accepted and hit.alert_id:
                counts[hit.alert_id] = counts.get(hit.alert_id, 0) + 1
        return counts

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "hang":
            self.release.clear()
        else:
            self.release.set()  # let any hung handler finish (its client is long gone)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            channel = parts.path.strip("/").split("/")[0]
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hit = Hit(channel, parts.path, parse_qs(parts.query),
                      {k.lower(): v for k, v in self.headers.items()}, body)
            receiver.hits.append(hit)
            mode = receiver.mode
            if mode == "hang":
                receiver.release.wait(receiver.hang_seconds)
                self._answer(*OK_ANSWER[channel])
                return
            extra: dict[str, str] = {}
            if mode == "http500":
                status, answer = 500, "internal error"
            elif mode == "refuse":
                status, answer = REFUSAL[channel]
            elif receiver.over_limit(channel):
                status, answer = TOO_FAST[channel]
                mode = "too_fast"
                if status == 429:
                    extra["Retry-After"] = receiver.retry_after
            else:
                status, answer = OK_ANSWER[channel]
            hit.accepted = self._answer(status, answer, extra) and mode == "ok"

        def _answer(self, status: int, answer: Any, extra: dict[str, str] | None = None) -> bool:
            data = (json.dumps(answer) if isinstance(answer, dict) else answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if isinstance(
                    answer, dict) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                return False  # the client timed out and left
            return True

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    recv = Receiver(port=server.server_address[1])
    server.RequestHandlerClass = _handler(recv)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield recv
    recv.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


class Mailbox:
    """An aiosmtpd handler; ``mode`` is "ok", "refuse" (550 at DATA) or "lose_ack" (stores the
    mail, then answers 451 as a server that crashes before acknowledging would)."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.mode == "refuse":
            return "550 5.7.1 Message refused"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "451 4.3.0 Try again later" if self.mode == "lose_ack" else "250 OK"


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     ready_timeout=5)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port, not yet started (a test may want it down)."""
    server = SmtpServer(port=free_port(), mailbox=Mailbox())
    yield server
    server.stop()


def make_settings(url: str, tmp_path: Path, **extra: str) -> Settings:
    env = {"PLEDGEWATCH_DB_URL": url, "PLEDGEWATCH_DATA_DIR": str(tmp_path / "data"),
           "PLEDGEWATCH_ALERT_TIMEOUT": "1"}
    env.update({f"PLEDGEWATCH_{k.upper()}": v for k, v in extra.items()})
    return load_settings(env)


def mention_payload(n: int, headline: str = "蒲县风电场并网发电", **extra: Any) -> dict[str, Any]:
    return {"kind": "new_mention", "pledge_id": f"pledge-{n}", "pledge_title": f"承诺{n}：风电项目并网",
            "stage": "completed", "headline": headline, "published": "2022-09-16",
            "evidence": "博原风电场项目已全容量并网发电。", "url": f"http://www.lfxww.com/2022/{n}.html",
            **extra}


def queue(settings: Settings, payloads: list[dict[str, Any]]) -> list[str]:
    """Queue each payload for every configured channel; returns the alert keys in order."""
    keys = []
    with session_scope(settings.warehouse_url) as session:
        for payload in payloads:
            key = alert_key(payload["kind"], payload.get("pledge_id"), payload.get("url"))
            enqueue(session, payload["kind"], key, payload, channel_names(settings),
                    payload.get("pledge_id"))
            keys.append(key)
    return keys


def outbox_rows(settings: Settings, channel: str) -> list[AlertOutbox]:
    with session_scope(settings.warehouse_url) as session:
        return list(session.scalars(select(AlertOutbox).where(AlertOutbox.channel == channel)
                                    .order_by(AlertOutbox.id)))
