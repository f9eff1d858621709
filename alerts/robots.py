"""Group-chat robots: DingTalk, WeCom (企业微信), Feishu (飞书) and Slack incoming webhooks.

One message per alert, carrying the alert id so a reader (or a bot) can tell a repeat. The
Chinese robots answer HTTP 200 even when they refuse a message (bad signature, keyword filter,
rate limit), with the verdict in the JSON body; that verdict, not the status line, decides.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote_plus, urlsplit

from alerts import markdown
from alerts.channels import Alert, DeliveryError, host_of, http_post


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


class _Robot:
    """POST one JSON message per alert; subclasses build the body and judge the answer."""

    name = "robot"
    batch = False

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        raise NotImplementedError

    def target(self) -> str:
        return self.url

    def check(self, where: str, answer: bytes) -> None:
        """Raise ``DeliveryError`` if the answer is a refusal."""

    def send(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            data = json.dumps(self.body(markdown.facts(alert.alert_key, alert.payload)),
                              ensure_ascii=False).encode("utf-8")
            request = urllib.request.Request(
                self.target(), data=data, method="POST",
                headers={"Content-Type": "application/json; charset=utf-8",
                         "X-Pledgewatch-Alert-Id": alert.alert_key})
            answer = http_post(request, self.timeout)
            self.check(f"{self.name} {host_of(self.url)}", answer)


def _errcode_check(where: str, body: bytes) -> None:
    answer = _json_answer(where, body)
    if answer.get("errcode", -1) != 0:
        raise DeliveryError(f"{where}: errcode {answer.get('errcode')}: {answer.get('errmsg')}")


class DingTalkChannel(_Robot):
    """DingTalk custom robot (自定义机器人), markdown, signed when a secret is set."""

    name = "dingtalk"

    def __init__(self, url: str, secret: str, timeout: float,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(url, timeout)
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

    def check(self, where: str, answer: bytes) -> None:
        _errcode_check(where, answer)


class WeComChannel(_Robot):
    """WeCom group robot (群机器人), markdown."""

    name = "wecom"

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": markdown.markdown(facts)}}

    def check(self, where: str, answer: bytes) -> None:
        _errcode_check(where, answer)


class FeishuChannel(_Robot):
    """Feishu custom bot (自定义机器人), a rich-text ``post``; unsigned."""

    name = "feishu"

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"msg_type": "post", "content": markdown.feishu_post(facts)}

    def check(self, where: str, answer: bytes) -> None:
        verdict = _json_answer(where, answer)
        # Current bots answer {"code": 0, ...}; older ones {"StatusCode": 0, ...}.
        code = verdict.get("code", verdict.get("StatusCode", -1))
        if code != 0:
            raise DeliveryError(f"{where}: code {code}: "
                                f"{verdict.get('msg', verdict.get('StatusMessage'))}")


class SlackChannel(_Robot):
    """Slack incoming webhook; ``text`` in mrkdwn. Slack refuses with a 4xx status."""

    name = "slack"

    def body(self, facts: markdown.Facts) -> dict[str, Any]:
        return {"text": markdown.slack(facts), "mrkdwn": True, "unfurl_links": False}

