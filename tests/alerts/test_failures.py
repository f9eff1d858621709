"""A channel that refuses or hangs, then recovers: the first run leaves the alert failed with
its error and the rest pending, the next run sends them all, and no receiver takes one twice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from alerts.deliver import deliver_pending
from tests.alerts.conftest import (
    Receiver,
    SmtpServer,
    make_settings,
    mention_payload,
    outbox_rows,
    queue,
)
from tests.alerts.test_robots import ROBOT_SETTINGS

HTTP_SETTINGS = {**ROBOT_SETTINGS,
                 "webhook": lambda r: {"webhook_url": r.url("webhook", "/in").replace(
                     "http://", "http://hookuser:hookpass@")}}

CASES = [
    ("webhook", "http500", "HTTP 500"),
    ("webhook", "hang", "timed out"),
    ("dingtalk", "refuse", "errcode 310000"),
    ("dingtalk", "hang", "timed out"),
    ("wecom", "refuse", "errcode 93000"),
    ("wecom", "http500", "HTTP 500"),
    ("feishu", "refuse", "code 19021"),
    ("feishu", "http500", "HTTP 500"),
    ("slack", "refuse", "HTTP 400"),
    ("slack", "hang", "timed out"),
]


@pytest.mark.parametrize(("channel", "failure", "error"), CASES)
def test_http_channel_fails_then_recovers(channel: str, failure: str, error: str,
                                          receiver: Receiver, sqlite_url: str,
                                          tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, **HTTP_SETTINGS[channel](receiver))
    keys = queue(settings, [mention_payload(1), mention_payload(2), mention_payload(3)])

    receiver.set_mode(failure)
    started = time.monotonic()
    first = deliver_pending(settings)
    assert time.monotonic() - started < 5  # a hang costs one timeout (1 s), not one per alert
    assert first.failed == 1 and first.sent == 3  # the file outbox took all three
    assert len(first.errors) == 1 and first.errors[0].startswith(channel)
    assert error in first.errors[0], first.errors
    for secret in ("tok1", "key=k1", "hookpass", "/services/"):  # no token reaches the log
        assert secret not in first.errors[0]
    rows = outbox_rows(settings, channel)
    assert [r.state for r in rows] == ["failed", "pending", "pending"]  # stopped at the first
    assert rows[0].attempts == 1 and error in (rows[0].last_error or "")
    assert receiver.accepted_per_id(channel) == {}

    receiver.set_mode("ok")
    second = deliver_pending(settings)
    assert second.failed == 0 and second.sent == 3, second.errors
    rows = outbox_rows(settings, channel)
    assert [r.state for r in rows] == ["sent"] * 3
    assert rows[0].attempts == 2 and rows[0].last_error is None and rows[0].sent_at

    assert deliver_pending(settings).sent == 0  # a third run has nothing to send
    assert receiver.accepted_per_id(channel) == dict.fromkeys(keys, 1)
    # The refused (or timed-out) attempt and its retry carry the same id, so a receiver that
    # did get the first one after all can drop the second.
    assert [h.alert_id for h in receiver.for_channel(channel)] == [keys[0], *keys]


def test_email_connection_refused_then_server_comes_up(smtp_server: SmtpServer,
                                                       sqlite_url: str, tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, smtp_url=smtp_server.url,
                             alert_email_to="analyst@example.org")
    queue(settings, [mention_payload(1), mention_payload(2)])
    first = deliver_pending(settings)  # nothing listens on the port yet
    assert first.failed == 2 and first.errors[0].startswith("email: email via 127.0.0.1")
    rows = outbox_rows(settings, "email")
    assert {r.state for r in rows} == {"failed"} and all(r.last_error for r in rows)

    smtp_server.start()
    second = deliver_pending(settings)
    assert second.failed == 0 and second.sent == 2
    assert deliver_pending(settings).sent == 0
    assert len(smtp_server.mailbox.messages) == 1  # one digest, once


def test_email_refused_with_550_then_accepted(smtp_server: SmtpServer, sqlite_url: str,
                                              tmp_path: Path) -> None:
    smtp_server.start()
    settings = make_settings(sqlite_url, tmp_path, smtp_url=smtp_server.url,
                             alert_email_to="analyst@example.org")
    queue(settings, [mention_payload(1), mention_payload(2)])
    smtp_server.mailbox.mode = "refuse"
    first = deliver_pending(settings)
    assert first.failed == 2 and "550" in first.errors[0]
    rows = outbox_rows(settings, "email")
    assert {r.state for r in rows} == {"failed"} and "550" in (rows[0].last_error or "")
    assert smtp_server.mailbox.messages == []

    smtp_server.mailbox.mode = "ok"
    assert deliver_pending(settings).sent == 2
    assert deliver_pending(settings).sent == 0
    assert len(smtp_server.mailbox.messages) == 1


def test_email_lost_acknowledgement_resends_the_same_message_id(
        smtp_server: SmtpServer, sqlite_url: str, tmp_path: Path) -> None:
    """The server kept the mail but answered 451: the retry must be recognisably the same."""
    smtp_server.start()
    settings = make_settings(sqlite_url, tmp_path, smtp_url=smtp_server.url,
                             alert_email_to="analyst@example.org")
    queue(settings, [mention_payload(1), mention_payload(2)])
    smtp_server.mailbox.mode = "lose_ack"
    assert deliver_pending(settings).failed == 2
    smtp_server.mailbox.mode = "ok"
    assert deliver_pending(settings).sent == 2
    first, second = smtp_server.mailbox.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert first["X-Pledgewatch-Alert-Ids"] == second["X-Pledgewatch-Alert-Ids"]
