"""Deliver pending alerts; a refusal leaves the row pending with its error for the next run.

Every channel's backlog is cut into the units it sends (``groups``) and the units of all
channels are sent by one loop that always serves the channel that may send soonest, so a robot
waiting out its rate limit never holds up the file outbox, the webhook or another robot. Waiting
is capped for the whole delivery (``alert_max_wait``): a unit that could only go after the cap
is not waited for, and it and the rest of its channel stay in the outbox for the next run,
reported as deferred. A receiver that says "too fast" is left alone for the time it names (or
its platform's penalty); if that time fits in what is left of the cap the unit is sent again
after it, else the channel is deferred. A unit is recorded as sent only after its receiver took
it, so nothing is lost, and nothing is sent twice except after a crash between the two.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from alerts.channels import (
    DeliveryError,
    EmailChannel,
    FileChannel,
    RateLimited,
    WebhookChannel,
)
from alerts.outbox import pending
from alerts.ratelimit import MIN_BACKOFF, Pacer, Window, epoch
from alerts.robots import DingTalkChannel, FeishuChannel, SlackChannel, WeComChannel
from pledgewatch.settings import Settings
from warehouse.db import session_scope
from warehouse.models import AlertOutbox, utcnow

#: "Too fast" answers in a row after which a channel is deferred whatever time is left.
MAX_REFUSALS = 3
#: A channel without a declared penalty waits this long after an HTTP 429 naming no time.
DEFAULT_PENALTY = 60.0


def configured_channels(settings: Settings) -> list[Any]:
    """The file outbox always; every other channel whose setting is present."""
    channels: list[Any] = [FileChannel(settings.outbox_path)]
    if settings.webhook_url:
        channels.append(WebhookChannel(settings.webhook_url, settings.alert_timeout))
    if settings.smtp_url and settings.alert_email_to:
        channels.append(EmailChannel(settings.smtp_url, settings.alert_email_from,
                                     settings.alert_email_to, settings.alert_timeout))
    digest = settings.robot_digest_size
    if settings.dingtalk_url:
        channels.append(DingTalkChannel(settings.dingtalk_url, settings.dingtalk_secret,
                                        settings.alert_timeout, rate=settings.dingtalk_rate,
                                        digest_size=digest))
    if settings.wecom_url:
        channels.append(WeComChannel(settings.wecom_url, settings.alert_timeout,
                                     rate=settings.wecom_rate, digest_size=digest))
    if settings.feishu_url:
        channels.append(FeishuChannel(settings.feishu_url, settings.alert_timeout,
                                      rate=settings.feishu_rate, digest_size=digest))
    if settings.slack_url:
        channels.append(SlackChannel(settings.slack_url, settings.alert_timeout,
                                     rate=settings.slack_rate, digest_size=digest))
    return channels


def channel_names(settings: Settings) -> list[str]:
    return [c.name for c in configured_channels(settings)]


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    #: alerts left queued because a receiver said "too fast" or the waiting cap was reached
    deferred: int = 0
    #: messages (units) the receivers took: a digest is one
    messages: int = 0
    #: seconds spent waiting for rate limits (never more than ``alert_max_wait``)
    waited: float = 0.0
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        text = f"alerts: {self.sent} sent, {self.failed} failed"
        if self.deferred:
            text += f", {self.deferred} deferred to the next run (rate limits)"
        if self.waited >= 0.5:
            text += f"; waited {self.waited:.0f}s for rate limits"
        return text


def _mark(url: str, ids: list[int], error: str | None, state: str = "failed") -> None:
    with session_scope(url) as session:
        if error is None:
            session.execute(update(AlertOutbox).where(AlertOutbox.id.in_(ids)).values(
                state="sent", sent_at=utcnow(), attempts=AlertOutbox.attempts + 1,
                last_error=None))
        else:
            session.execute(update(AlertOutbox).where(AlertOutbox.id.in_(ids)).values(
                state=state, attempts=AlertOutbox.attempts + 1, last_error=error[:2000]))


def _recent_sends(url: str, channel: str, rate: tuple[Window, ...], now: float) -> list[float]:
    """When this channel's recent messages went, from the outbox: the previous run's sends
    count against the windows of this one. Rows sent together (a digest) share one time."""
    longest = max((w.seconds for w in rate), default=0.0)
    if not longest:
        return []
    since = now - longest - 1
    with session_scope(url) as session:
        times = session.scalars(select(AlertOutbox.sent_at).where(
            AlertOutbox.state == "sent", AlertOutbox.channel == channel,
            AlertOutbox.sent_at >= dt.datetime.fromtimestamp(since, dt.UTC)).distinct())
        return sorted(t for t in (epoch(v) for v in times if v is not None) if t >= since)


@dataclass
class _Queue:
    """One channel's units still to send this run, and its pacer."""

    channel: Any
    units: deque[list[AlertOutbox]]
    pacer: Pacer
    refusals: int = 0
    last_refusal: str = ""

    @property
    def penalty(self) -> float:
        return float(getattr(self.channel, "penalty", DEFAULT_PENALTY))

    def left(self) -> int:
        return sum(len(unit) for unit in self.units)


def deliver_pending(settings: Settings) -> DeliveryReport:
    """Send every pending alert on every configured channel, within the waiting cap."""
    report = DeliveryReport()
    url = settings.warehouse_url
    queues: list[_Queue] = []
    for channel in configured_channels(settings):
        with session_scope(url) as session:
            rows = pending(session, channel.name)
        if not rows:
            continue
        rate: tuple[Window, ...] = tuple(getattr(channel, "rate", ()))
        history = _recent_sends(url, channel.name, rate, time.time())
        queues.append(_Queue(channel, deque(channel.groups(rows)), Pacer(rate, history)))

    def defer(queue: _Queue, why: str) -> None:
        if queue.last_refusal and queue.units:
            # The unit was refused, not taken: it stays pending, with the refusal noted.
            _mark(url, [row.id for row in queue.units[0]], queue.last_refusal, state="pending")
        left = queue.left()
        report.deferred += left
        report.errors.append(f"{queue.channel.name}: {why}; {left} alert(s) left queued for "
                             "the next run")
        queues.remove(queue)

    while queues:
        now = time.time()
        queue = min(queues, key=lambda q: q.pacer.ready_at(now))
        wait = queue.pacer.ready_at(now) - now
        if wait > 0:
            if report.waited + wait > settings.alert_max_wait:
                # Not even the channel that may send soonest can go within the cap.
                for rest in list(queues):
                    due = rest.pacer.ready_at(now) - now
                    defer(rest, rest.last_refusal or (
                        f"rate limit: its next message could go in {due:.0f}s, past the "
                        f"{settings.alert_max_wait:g}s waiting cap"))
                break
            time.sleep(wait)
            report.waited += wait
        unit = queue.units[0]
        ids = [row.id for row in unit]
        try:
            queue.channel.send(unit)
        except RateLimited as exc:
            queue.refusals += 1
            hint = exc.retry_after if exc.retry_after is not None else queue.penalty
            after = time.time()
            queue.pacer.back_off(after + max(hint, MIN_BACKOFF))
            queue.last_refusal = f"rate limited ({exc})"
            if (queue.refusals >= MAX_REFUSALS
                    or report.waited + max(hint, MIN_BACKOFF) > settings.alert_max_wait):
                defer(queue, queue.last_refusal)
            continue
        except DeliveryError as exc:
            _mark(url, ids, str(exc))
            report.failed += len(unit)
            report.errors.append(f"{queue.channel.name}: {exc}")
            queues.remove(queue)  # the channel is down: keep the rest pending for the next run
            continue
        queue.pacer.record(time.time())
        queue.units.popleft()
        queue.refusals = 0
        queue.last_refusal = ""
        _mark(url, ids, None)
        report.sent += len(unit)
        report.messages += 1
        if not queue.units:
            queues.remove(queue)
    return report

