"""Channel senders. Each raises ``DeliveryError`` on refusal; the outbox keeps the row pending."""

from __future__ import annotations

import hashlib
import json
import smtplib
import urllib.request
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.error import URLError
from urllib.parse import urlsplit

from alerts.render import html_block, plain_text


class DeliveryError(RuntimeError):
    """The channel did not take the alert; it will be retried on the next run."""


class Alert(Protocol):
    alert_key: str
    payload: dict[str, Any]


class FileChannel:
    """One JSON file per alert, named by its key: re-writing the same alert is a no-op."""

    name = "file"
    batch = False

    def __init__(self, directory: Path) -> None:
        self.directory = directory

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
    batch = False

    def __init__(self, url: str, timeout: float) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            body = json.dumps({"alert_id": alert.alert_key, **alert.payload,
                               "text": plain_text(alert.payload)}, ensure_ascii=False)
            request = urllib.request.Request(self.url, data=body.encode("utf-8"), method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "X-Pledgewatch-Alert-Id": alert.alert_key})
            _post(request, self.timeout)


class EmailChannel:
    """One digest per run (HTML and plain text); Message-ID derives from the alert keys."""

    name = "email"
    batch = True  # one digest per run

    def __init__(self, smtp_url: str, sender: str, recipients: str, timeout: float) -> None:
        self.smtp_url = smtp_url
        self.sender = sender
        self.recipients = [r.strip() for r in recipients.split(",") if r.strip()]
        self.timeout = timeout

    def send(self, alerts: Sequence[Alert]) -> None:
        if not alerts:
            return
        message = EmailMessage()
        message["Subject"] = f"pledgewatch: {len(alerts)} 条新进展"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        keys = "".join(sorted(a.alert_key for a in alerts))
        digest = hashlib.sha256(keys.encode()).hexdigest()[:32]
        message["Message-ID"] = make_msgid(idstring=digest, domain="pledgewatch")
        message["X-Pledgewatch-Alert-Ids"] = ",".join(a.alert_key for a in alerts)
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


# Alerts go straight to their receiver: an http_proxy meant for the crawl must not carry them.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _post(request: urllib.request.Request, timeout: float) -> None:
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if response.status >= 300:
                raise DeliveryError(f"{urlsplit(request.full_url).netloc}: HTTP {response.status}")
    except URLError as exc:
        raise DeliveryError(f"{urlsplit(request.full_url).netloc}: {exc.reason}") from None
    except (OSError, TimeoutError) as exc:
        raise DeliveryError(f"{urlsplit(request.full_url).netloc}: {exc}") from None
