"""The alert receivers misbehave for one night: a webhook answering 500 or hanging past
``PLEDGEWATCH_ALERT_TIMEOUT``, an SMTP server refusing the digest. The next night delivers every
due alert, and no receiver takes any alert id twice.
"""

from __future__ import annotations

from pathlib import Path

from pledgewatch.replay import ReplayServer
from pledgewatch.settings import Settings
from tests.alerts.conftest import Receiver, SmtpServer
from tests.faults.conftest import Outcome, Reference, assert_recovered, make_settings, run_case
from tests.faults.state import State


def settings_for(tmp_path: Path, receiver: Receiver, smtp: SmtpServer) -> Settings:
    return make_settings(f"sqlite:///{tmp_path / 'warehouse.sqlite'}", tmp_path / "data",
                         webhook_url=receiver.url("webhook", "/in"), smtp_url=smtp.url,
                         alert_email_to="analyst@example.org")


def keys(state: State, channel: str) -> set[str]:
    return {k for k, c in state.outbox if c == channel}


def assert_each_once(out: Outcome, receiver: Receiver, smtp: SmtpServer) -> None:
    """Every webhook alert taken exactly once; every alert id in exactly one accepted digest."""
    webhook = keys(out.state, "webhook")
    assert webhook and receiver.accepted_per_id("webhook") == dict.fromkeys(webhook, 1)
    assert {h.alert_id for h in receiver.for_channel("webhook")} == webhook
    in_mail: list[str] = []
    for message in smtp.mailbox.messages:
        in_mail += [k.strip() for k in str(message["X-Pledgewatch-Alert-Ids"]).split(",")]
    assert sorted(in_mail) == sorted(keys(out.state, "email"))


def test_webhook_answers_500(replay: ReplayServer, receiver: Receiver, smtp_server: SmtpServer,
                             tmp_path: Path, reference: Reference) -> None:
    smtp_server.start()
    receiver.set_mode("http500")
    out = run_case(settings_for(tmp_path, receiver, smtp_server), replay,
                   heal=lambda: receiver.set_mode("ok"))
    assert out.faulted.delivery.failed == 1  # the channel is down: the rest wait, untried
    assert any("HTTP 500" in e for e in out.faulted.delivery.errors)
    assert_recovered(out, reference)
    assert_each_once(out, receiver, smtp_server)
    # The refused attempt and its retry carry the same id: the only id the receiver saw twice.
    ids = [h.alert_id for h in receiver.for_channel("webhook")]
    assert [i for i in set(ids) if ids.count(i) > 1] == [ids[0]]


def test_webhook_hangs_past_the_timeout(replay: ReplayServer, receiver: Receiver,
                                        smtp_server: SmtpServer, tmp_path: Path,
                                        reference: Reference) -> None:
    smtp_server.start()
    receiver.set_mode("hang")
    out = run_case(settings_for(tmp_path, receiver, smtp_server), replay,
                   heal=lambda: receiver.set_mode("ok"))
    assert out.faulted.delivery.failed == 1
    assert any("timed out" in e for e in out.faulted.delivery.errors), out.faulted.delivery
    assert_recovered(out, reference)
    assert_each_once(out, receiver, smtp_server)


def test_smtp_refuses_then_recovers(replay: ReplayServer, receiver: Receiver,
                                    smtp_server: SmtpServer, tmp_path: Path,
                                    reference: Reference) -> None:
    smtp_server.start()
    smtp_server.mailbox.mode = "refuse"
    out = run_case(settings_for(tmp_path, receiver, smtp_server), replay,
                   heal=lambda: setattr(smtp_server.mailbox, "mode", "ok"))
    assert out.faulted.delivery.failed == len(keys(out.after_fault, "email")) > 0
    assert any("550" in e for e in out.faulted.delivery.errors)
    assert_recovered(out, reference)
    assert_each_once(out, receiver, smtp_server)
    assert len(smtp_server.mailbox.messages) == 1  # one digest, on the night it was taken
