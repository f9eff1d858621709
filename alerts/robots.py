"""Group-chat robots: DingTalk, WeCom (企业微信), Feishu (飞书) and Slack incoming webhooks.

A few alerts go one message each, carrying the alert id so a reader (or a bot) can tell a
repeat. A backlog larger than ``digest_size`` (the first night's crawl, a channel that was down
for a week) goes as digests: up to ``digest_size`` alerts a message, each entry exactly as its
own message would be (its alert id included), within the platform's message size. A robot's
group is read by people, and its rate is low (DingTalk, WeCom: 20 a minute): three hundred
messages would take a quarter of an hour and bury the group, thirty digests take a minute.

The Chinese robots answer HTTP 200 even when they refuse a message (bad signature, keyword
filter, rate limit), with the verdict in the JSON body; that verdict, not the status line,
decides. A "too fast" verdict (``alerts/platforms.yaml``) is ``RateLimited``: the delivery loop
backs off the channel instead of counting a failure.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from collections.abc import Callable, Sequence
from email.message import Message
from typing import Any
from urllib.parse import quote_plus, urlsplit

from alerts import markdown
from alerts.channels import (
    Alert,
    DeliveryError,
    RateLimited,
    host_of,
    http_exchange,
    one_each,
    wait_hint,
)
from alerts.ratelimit import Platform, Window, platform

#: Alerts a digest holds at most, unless settings say otherwise.
DIGEST_SIZE = 10


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's documented scheme: base64(HMAC-SHA256(key=secret, "{ts}\\n{secret}")), quoted."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    joiner = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def _json_answer(where: str, body: bytes) -> dict[str, Any]:
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        # Not the robot talking (a portal, a proxy page): the message may not have arrived.
        raise DeliveryError(f"{where}: unexpected answer {body[:120]!r}")
    return answer


def _as_code(value: Any) -> int | None:
    """A verdict code as an int (some answers quote it as a string); None if it is none."""
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


class _Robot:
    """POST one JSON message per group of alerts; subclasses build the body and judge the
    answer."""

    name = "robot"

    def __init__(self, url: str, timeout: float, *, rate: str = "",
                 digest_size: int = DIGEST_SIZE) -> None:
        self.url = url
        self.timeout = timeout
        self.platform: Platform = platform(self.name, rate)
        self.digest_size = max(1, digest_size)

    @property
    def rate(self) -> tuple[Window, ...]:
        return self.platform.rate

    @property
    def penalty(self) -> float:
        return self.platform.penalty_seconds

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        raise NotImplementedError

    def digest(self, entries: Sequence[markdown.Facts]) -> dict[str, Any]:
        raise NotImplementedError

    def target(self) -> str:
        return self.url

    def check(self, where: str, answer: bytes, headers: Message) -> None:
        """Raise ``DeliveryError`` if the answer is a refusal, ``RateLimited`` if it says
        "too fast"."""

    def message(self, alerts: Sequence[Alert]) -> bytes:
        """The JSON body for these alerts: the single-alert message, or a digest."""
        entries = [markdown.facts(a.alert_key, a.payload) for a in alerts]
        body = self.body(entries[0]) if len(entries) == 1 else self.digest(entries)
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    def groups(self, alerts: Sequence[Alert]) -> list[list[Alert]]:
        """One alert a message for a handful; digests, filled up to ``digest_size`` alerts and
        ``max_message_bytes``, for a backlog. An alert too big for any digest goes alone, as it
        always has."""
        if len(alerts) <= self.digest_size:
            return one_each(alerts)
        out: list[list[Alert]] = []
        current: list[Alert] = []
        for alert in alerts:
            candidate = [*current, alert]
            if current and (len(candidate) > self.digest_size or len(
                    self.message(candidate)) > self.platform.max_message_bytes):
                out.append(current)
                candidate = [alert]
            current = candidate
        if current:
            out.append(current)
        return out

    def send(self, alerts: Sequence[Alert]) -> None:
        """Send ``alerts`` as one message (the units ``groups`` made)."""
        if not alerts:
            return
        keys = [a.alert_key for a in alerts]
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if len(keys) == 1:
            headers["X-Pledgewatch-Alert-Id"] = keys[0]
        else:
            headers["X-Pledgewatch-Alert-Ids"] = ", ".join(keys)
        request = urllib.request.Request(self.target(), data=self.message(alerts),
                                         method="POST", headers=headers)
        answer, answer_headers = http_exchange(request, self.timeout)
        self.check(f"{self.name} {host_of(self.url)}", answer, answer_headers)

    def refuse(self, where: str, code: Any, text: Any, headers: Message, label: str) -> None:
        message = f"{where}: {label} {code}: {text}"
        if _as_code(code) in self.platform.too_fast:
            raise RateLimited(f"{message} (too fast)", wait_hint(headers))
        raise DeliveryError(message)


def _errcode_check(robot: _Robot, where: str, body: bytes, headers: Message) -> None:
    answer = _json_answer(where, body)
    if answer.get("errcode", -1) != 0:
        robot.refuse(where, answer.get("errcode"), answer.get("errmsg"), headers, "errcode")


class DingTalkChannel(_Robot):
    """DingTalk custom robot (自定义机器人), markdown, signed when a secret is set."""

    name = "dingtalk"

    def __init__(self, url: str, secret: str, timeout: float,
                 clock: Callable[[], float] = time.time, *, rate: str = "",
                 digest_size: int = DIGEST_SIZE) -> None:
        super().__init__(url, timeout, rate=rate, digest_size=digest_size)
        self.secret = secret
        self.clock = clock

    def target(self) -> str:
        if not self.secret:
            return self.url
        return dingtalk_signed_url(self.url, self.secret, round(self.clock() * 1000))

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"msgtype": "markdown",
                "markdown": {"title": markdown.summary(facts), "text": markdown.markdown(facts)},
                "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False}}

    def digest(self, entries: Sequence[markdown.Facts]) -> dict[str, Any]:
        return {"msgtype": "markdown",
                "markdown": {"title": markdown.digest_title(len(entries)),
                             "text": markdown.markdown_digest(entries)},
                "at": {"atMobiles": [], "atUserIds": [], "isAtAll": False}}

    def check(self, where: str, answer: bytes, headers: Message) -> None:
        _errcode_check(self, where, answer, headers)


class WeComChannel(_Robot):
    """WeCom group robot (群机器人), markdown."""

    name = "wecom"

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": markdown.markdown(facts)}}

    def digest(self, entries: Sequence[markdown.Facts]) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": markdown.markdown_digest(entries)}}

    def check(self, where: str, answer: bytes, headers: Message) -> None:
        _errcode_check(self, where, answer, headers)


class FeishuChannel(_Robot):
    """Feishu custom bot (自定义机器人), a rich-text ``post``; unsigned."""

    name = "feishu"

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"msg_type": "post", "content": markdown.feishu_post(facts)}

    def digest(self, entries: Sequence[markdown.Facts]) -> dict[str, Any]:
        return {"msg_type": "post", "content": markdown.feishu_digest(entries)}

    def check(self, where: str, answer: bytes, headers: Message) -> None:
        verdict = _json_answer(where, answer)
        # Current bots answer {"code": 0, ...}; older ones {"StatusCode": 0, ...}.
        code = verdict.get("code", verdict.get("StatusCode", -1))
        if code != 0:
            self.refuse(where, code, verdict.get("msg", verdict.get("StatusMessage")), headers,
                        "code")


class SlackChannel(_Robot):
    """Slack incoming webhook; ``text`` in mrkdwn. Slack refuses with a 4xx status."""

    name = "slack"

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"text": markdown.slack(facts), "mrkdwn": True, "unfurl_links": False}

    def digest(self, entries: Sequence[markdown.Facts]) -> dict[str, Any]:
        return {"text": markdown.slack_digest(entries), "mrkdwn": True, "unfurl_links": False}

