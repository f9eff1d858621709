"""Channel senders. Each raises ``DeliveryError`` on refusal; the outbox keeps the row pending.

A channel cuts a backlog into the units it sends (``groups``: one alert per webhook call, one
digest per e-mail run) and sends one unit per ``send`` call, so the delivery loop can pace the
units and record each as it is taken.
"""

from __future__ import annotations

import base64
import hashlib
import json
import smtplib
import urllib.request
from collections.abc import Sequence
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any, Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from alerts.ratelimit import retry_after
from alerts.render import html_block, plain_text


class DeliveryError(RuntimeError):
    """The channel did not take the alert; it will be retried on the next run."""


class RateLimited(DeliveryError):
    """The receiver said "too fast": nothing was taken, and the channel must be left alone for
    ``retry_after`` seconds (None: the receiver named no time, use the platform's penalty)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Alert(Protocol):
    alert_key: str
    payload: dict[str, Any]


def one_each(alerts: Sequence[Alert]) -> list[list[Alert]]:
    return [[alert] for alert in alerts]


class FileChannel:
    """One JSON file per alert, named by its key: re-writing the same alert is a no-op."""

    name = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def groups(self, alerts: Sequence[Alert]) -> list[list[Alert]]:
        return one_each(alerts)

    def send(self, alerts: Sequence[Alert]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for alert in alerts:
            target = self.directory / f"{alert.alert_key}.json"
            tmp = target.with_suffix(".tmp")
            record = {"alert_id": alert.alert_key, **alert.payload, "text": plain_text(
                alert.payload)}
            tmp.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(target)


class WebhookChannel:
    """A generic JSON POST per alert, with a stable ``X-Pledgewatch-Alert-Id`` header."""

    name = "webhook"

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def groups(self, alerts: Sequence[Alert]) -> list[list[Alert]]:
        return one_each(alerts)

    def send(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            body = json.dumps({"alert_id": alert.alert_key, **alert.payload,
                               "text": plain_text(alert.payload)}, ensure_ascii=False)
            request = urllib.request.Request(self.url, data=body.encode("utf-8"), method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "X-Pledgewatch-Alert-Id": alert.alert_key})
            http_post(request, self.timeout)


class EmailChannel:
    """One digest per run (HTML and plain text); Message-ID derives from the alert keys."""

    name = "email"

    def __init__(self, smtp_url: str, sender: str, recipients: str, timeout: float) -> None:
        self.smtp_url = smtp_url
        self.sender = sender
        self.recipients = [r.strip() for r in recipients.split(",") if r.strip()]
        self.timeout = timeout

    def groups(self, alerts: Sequence[Alert]) -> list[list[Alert]]:
        return [list(alerts)] if alerts else []  # one digest per run

    def send(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        message = EmailMessage()
        message["Subject"] = f"pledgewatch: {len(alerts)} 条新进展"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Message-ID"] = digest_message_id(alerts)
        # ", " so a long list folds at spaces instead of being RFC 2047-encoded.
        message["X-Pledgewatch-Alert-Ids"] = ", ".join(a.alert_key for a in alerts)
        message.set_content("\n\n".join(plain_text(a.payload) for a in alerts))
        message.add_alternative("<html><body>" + "".join(html_block(a.payload) for a in alerts)
                                + "</body></html>", subtype="html")
        parts = urlsplit(self.smtp_url)
        try:
            with smtplib.SMTP(parts.hostname or "127.0.0.1", parts.port or 25,
                              timeout=self.timeout) as smtp:
                if parts.scheme == "smtp+starttls":
                    smtp.starttls()
                if parts.username:
                    smtp.login(parts.username, parts.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"email via {parts.hostname}:{parts.port}: {exc}") from None


def digest_message_id(alerts: Sequence[Alert]) -> str:
    """Derived from the alert keys only, so a re-sent digest is recognisably the same mail.

    (``email.utils.make_msgid`` mixes in the time and a random number: not stable.)
    """
    keys = "".join(sorted(a.alert_key for a in alerts))
    return f"<{hashlib.sha256(keys.encode()).hexdigest()[:32]}@pledgewatch>"


def _credentials_to_header(request: urllib.request.Request) -> None:
    """Credentials in the URL as Basic auth: urllib takes "user:pass@host" for a host name."""
    parts = urlsplit(request.full_url)
    if parts.username is None:
        return
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    request.full_url = urlunsplit(parts._replace(netloc=netloc))
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    request.add_unredirected_header(
        "Authorization", "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii"))


def host_of(url: str) -> str:
    """host:port for messages: never the credentials, path or query, which hold the tokens."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def redact(answer: bytes, url: str) -> bytes:
    """A receiver's answer with every secret part of ``url`` replaced by ``***``.

    Refusals quote the request ("Cannot POST /hook/<token>", an errmsg naming the URL); the
    answer ends up in run output, logs and ``alert_outbox.last_error``, so the tokens in the
    path, query and user-info are cut out of it first, in plain and percent-encoded forms.
    """
    parts = urlsplit(url)
    secrets = {parts.path if parts.path not in ("", "/") else "", parts.query,
               parts.username or "", parts.password or ""}
    secrets.update(value for _, value in parse_qsl(parts.query))
    secrets.update(segment for segment in parts.path.split("/") if len(segment) >= 8)
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        for form in {secret, unquote(secret), quote(unquote(secret), safe="")}:
            answer = answer.replace(form.encode("utf-8"), b"***")
    return answer


# Alerts go straight to their receiver: an http_proxy meant for the crawl must not carry them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_MAX_ANSWER = 64 * 1024


def http_post(request: urllib.request.Request, timeout: float) -> bytes:
    """POST and return the answer's body; any refusal, hang or network error is a DeliveryError."""
    return http_exchange(request, timeout)[0]


def wait_hint(headers: Message | None) -> float | None:
    """The wait a receiver asks for: ``Retry-After`` (Slack, HTTP), else Feishu's
    ``x-ogw-ratelimit-reset``."""
    if headers is None:
        return None
    return retry_after(headers.get("Retry-After")) if headers.get("Retry-After") else (
        retry_after(headers.get("x-ogw-ratelimit-reset")))


def http_exchange(request: urllib.request.Request, timeout: float) -> tuple[bytes, Message]:
    """POST and return the answer's body and headers.

    Any refusal, hang or network error is a DeliveryError; HTTP 429 is ``RateLimited`` with the
    receiver's ``Retry-After``. The whole exchange, reading the answer included, is inside the
    ``try``: a receiver that accepts the connection and then stalls must time out here, not
    hang the run.
    """
    where = host_of(request.full_url)
    url = request.full_url
    _credentials_to_header(request)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = redact(response.read(_MAX_ANSWER), url)
            if response.status >= 300:
                raise DeliveryError(f"{where}: HTTP {response.status}")
            return body, response.headers
    except HTTPError as exc:
        try:
            answer = redact(exc.read(2000), url)[:300].decode("utf-8", "replace").strip()
        except (OSError, TimeoutError):
            answer = ""
        message = f"{where}: HTTP {exc.code} {exc.reason}" + (f": {answer}" if answer else "")
        if exc.code == 429:
            raise RateLimited(message, wait_hint(exc.headers)) from None
        raise DeliveryError(message) from None
    except URLError as exc:
        raise DeliveryError(f"{where}: {exc.reason}") from None
    except (OSError, TimeoutError) as exc:
        raise DeliveryError(f"{where}: {exc.__class__.__name__}: {exc}") from None
