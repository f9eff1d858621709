"""Deliver pending alerts; a refusal leaves the row pending with its error for the next run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from alerts.channels import DeliveryError, EmailChannel, FileChannel, WebhookChannel
from alerts.outbox import pending
from alerts.robots import DingTalkChannel, FeishuChannel, SlackChannel, WeComChannel
from pledgewatch.settings import Settings
from warehouse.db import session_scope
from warehouse.models import AlertOutbox, utcnow


def configured_channels(settings: Settings) -> list[Any]:
    """The file outbox always; every other channel whose setting is present."""
    channels: list[Any] = [FileChannel(settings.outbox_path)]
    if settings.webhook_url:
        channels.append(WebhookChannel(settings.webhook_url, settings.alert_timeout))
    if settings.smtp_url and settings.alert_email_to:
        channels.append(EmailChannel(settings.smtp_url, settings.alert_email_from,
                                     settings.alert_email_to, settings.alert_timeout))
    if settings.dingtalk_url:
        channels.append(DingTalkChannel(settings.dingtalk_url, settings.dingtalk_secret,
                                        settings.alert_timeout))
    if settings.wecom_url:
        channels.append(WeComChannel(settings.wecom_url, settings.alert_timeout))
    if settings.feishu_url:
        channels.append(FeishuChannel(settings.feishu_url, settings.alert_timeout))
    if settings.slack_url:
        channels.append(SlackChannel(settings.slack_url, settings.alert_timeout))
    return channels


def channel_names(settings: Settings) -> list[str]:
    return [c.name for c in configured_channels(settings)]


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def _mark(url: str, ids: list[int], error: str | None) -> None:
    with session_scope(url) as session:
        if error is None:
            session.execute(update(AlertOutbox).where(AlertOutbox.id.in_(ids)).values(
                state="sent", sent_at=utcnow(), attempts=AlertOutbox.attempts + 1,
                last_error=None))
        else:
            session.execute(update(AlertOutbox).where(AlertOutbox.id.in_(ids)).values(
                state="failed", attempts=AlertOutbox.attempts + 1, last_error=error[:2000]))


def deliver_pending(settings: Settings) -> DeliveryReport:
    report = DeliveryReport()
    url = settings.warehouse_url
    for channel in configured_channels(settings):
        with session_scope(url) as session:
            rows = pending(session, channel.name)
        groups = [rows] if channel.batch else [[row] for row in rows]
        for group in groups:
            if not group:
                continue
            try:
                channel.send(group)
            except DeliveryError as exc:
                _mark(url, [r.id for r in group], str(exc))
                report.failed += len(group)
                report.errors.append(f"{channel.name}: {exc}")
                if not channel.batch:
                    break  # the channel is down: keep the rest pending for the next run
                continue
            _mark(url, [r.id for r in group], None)
            report.sent += len(group)
    return report
