"""Robots against a receiver on 127.0.0.1 that enforces a rate, as the platforms do: beyond N
messages in a window it answers with the platform's own "too fast" (DingTalk errcode 130101,
WeCom 45009, Feishu 9499, Slack and the webhook HTTP 429 with Retry-After).

The platforms' windows are a minute; here they are a second, with the declared rate scaled the
same way (``PLEDGEWATCH_<ROBOT>_RATE``), so the tests take seconds. Whatever happens, every
alert reaches the receiver exactly once over one or more runs, with its key, and no run waits
longer than ``PLEDGEWATCH_ALERT_MAX_WAIT``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from alerts.deliver import DeliveryReport, deliver_pending
from pledgewatch.settings import Settings
from tests.alerts.conftest import (
    ALERT_ID,
    HOSTILE,
    Receiver,
    make_settings,
    mention_payload,
    outbox_rows,
    queue,
)
from tests.alerts.test_robots import ROBOT_SETTINGS, message_text

ROBOTS = sorted(ROBOT_SETTINGS)
#: How big a message may be, as documented (WeCom: markdown content at most 4096 bytes;
#: Feishu: a request body at most 20 KB; Slack: text best kept to 4,000 characters). DingTalk
#: documents no figure we found; pledgewatch holds it to 4,000 bytes as for WeCom.
MESSAGE_LIMIT = {"dingtalk": lambda hit: len(hit.body) <= 4000,
                 "wecom": lambda hit: len(message_text(hit).encode()) <= 4096,
                 "feishu": lambda hit: len(hit.body) <= 20 * 1024,
                 "slack": lambda hit: len(message_text(hit)) <= 4000}
CHANNEL_SETTINGS = {**ROBOT_SETTINGS,
                    "webhook": lambda r: {"webhook_url": r.url("webhook", "/in")}}


def settings_for(channel: str, receiver: Receiver, sqlite_url: str, tmp_path: Path,
                 **extra: str) -> Settings:
    return make_settings(sqlite_url, tmp_path, **CHANNEL_SETTINGS[channel](receiver), **extra)


def payloads(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [mention_payload(n, **extra) for n in range(1, count + 1)]


def assert_each_once(receiver: Receiver, channel: str, keys: list[str]) -> None:
    """Every key taken exactly once, read from the messages themselves, in queue order."""
    taken = receiver.accepted_ids(channel)
    assert taken == keys, (len(taken), len(keys))


def assert_all_sent(settings: Settings, channel: str) -> None:
    rows = outbox_rows(settings, channel)
    assert rows and {r.state for r in rows} == {"sent"}
    assert all(r.last_error is None and r.sent_at for r in rows)


def timed(settings: Settings) -> tuple[DeliveryReport, float]:
    started = time.monotonic()
    report = deliver_pending(settings)
    return report, time.monotonic() - started


@pytest.mark.parametrize("robot", ROBOTS)
def test_a_backlog_is_paced_to_the_declared_rate(robot: str, receiver: Receiver,
                                                 sqlite_url: str, tmp_path: Path) -> None:
    """Ten alerts, one message each, to a robot taking four a second: all go through in one
    run, none is refused, and the run waited for the windows."""
    receiver.limit = (4, 1.0)
    settings = settings_for(robot, receiver, sqlite_url, tmp_path, robot_digest_size="1",
                            alert_max_wait="30", **{f"{robot}_rate": "4/1"})
    keys = queue(settings, payloads(10))
    report, elapsed = timed(settings)
    assert report.failed == 0 and report.deferred == 0, report.errors
    assert report.sent == 20  # the file outbox and the robot
    assert receiver.too_fast == 0  # never once too fast
    assert_each_once(receiver, robot, keys)
    assert [h.alert_id for h in receiver.for_channel(robot)] == keys  # the key, as before
    assert 1.5 <= report.waited <= elapsed < 10  # two windows' worth, less the sending
    assert_all_sent(settings, robot)


@pytest.mark.parametrize("robot", ["dingtalk", "wecom", "feishu"])
def test_too_fast_leaves_the_rest_queued_for_the_next_run(robot: str, receiver: Receiver,
                                                          sqlite_url: str,
                                                          tmp_path: Path) -> None:
    """The robot allows three a second (and blocks a while after a breach) but pledgewatch was
    told no rate. The "too fast" answer names no wait, and the platform's penalty (DingTalk:
    ten minutes) is past the waiting cap: the run stops sending to that robot at once, reports
    the rest as deferred (not failed), and the next runs send them, each exactly once."""
    receiver.limit, receiver.penalty = (3, 1.0), 0.5
    settings = settings_for(robot, receiver, sqlite_url, tmp_path, robot_digest_size="1",
                            alert_max_wait="2", **{f"{robot}_rate": "off"})
    keys = queue(settings, payloads(9))

    first, elapsed = timed(settings)
    assert first.failed == 0 and first.deferred == 6 and first.sent == 9 + 3
    assert first.waited == 0 and elapsed < 2  # no point waiting ten minutes
    [error] = first.errors
    assert error.startswith(f"{robot}: rate limited") and "too fast" in error
    assert "6 alert(s) left queued" in error
    for secret in ("tok1", "key=k1", "/hook/h1"):
        assert secret not in error
    rows = outbox_rows(settings, robot)
    assert [r.state for r in rows] == ["sent"] * 3 + ["pending"] * 6  # none "failed"
    refused = rows[3]
    assert refused.attempts == 1 and "too fast" in (refused.last_error or "")
    assert all(r.attempts == 0 and r.last_error is None for r in rows[4:])  # untried
    assert receiver.too_fast == 1

    for _ in range(5):
        if {r.state for r in outbox_rows(settings, robot)} == {"sent"}:
            break
        time.sleep(1.6)  # the robot's window and its block pass, as a night would
        again = deliver_pending(settings)
        assert again.failed == 0, again.errors
    assert_all_sent(settings, robot)
    assert deliver_pending(settings).sent == 0
    assert_each_once(receiver, robot, keys)
    # The refused message was sent again later under the same key: a receiver could drop it.
    ids = [h.alert_id for h in receiver.for_channel(robot)]
    assert ids.count(keys[3]) == 2 and set(ids) == set(keys)


@pytest.mark.parametrize("channel", ["slack", "webhook"])
def test_http_429_is_waited_out_within_the_cap(channel: str, receiver: Receiver,
                                               sqlite_url: str, tmp_path: Path) -> None:
    """Slack (and any webhook) says HTTP 429 with Retry-After: a wait that fits in the cap is
    waited out in the same run, and everything arrives once."""
    receiver.limit, receiver.retry_after = (3, 1.0), "1"
    extra = {"slack_rate": "off"} if channel == "slack" else {}
    settings = settings_for(channel, receiver, sqlite_url, tmp_path, robot_digest_size="1",
                            alert_max_wait="6", **extra)
    keys = queue(settings, payloads(9))
    report, elapsed = timed(settings)
    assert report.failed == 0 and report.deferred == 0, report.errors
    assert receiver.too_fast >= 1  # it did say "too fast" ...
    assert 1.0 <= report.waited <= 6 and elapsed < 10  # ... and Retry-After was honoured
    assert_each_once(receiver, channel, keys)
    assert_all_sent(settings, channel)


def test_a_retry_after_past_the_cap_defers_the_channel(receiver: Receiver, sqlite_url: str,
                                                       tmp_path: Path) -> None:
    receiver.limit, receiver.retry_after = (2, 1.0), "120"
    settings = settings_for("slack", receiver, sqlite_url, tmp_path, robot_digest_size="1",
                            alert_max_wait="3", slack_rate="off")
    keys = queue(settings, payloads(5))
    first, elapsed = timed(settings)
    assert first.deferred == 3 and first.failed == 0 and elapsed < 3
    assert "HTTP 429" in first.errors[0] and "3 alert(s) left queued" in first.errors[0]
    receiver.limit = None
    assert deliver_pending(settings).sent == 3
    assert_each_once(receiver, "slack", keys)


@pytest.mark.parametrize("robot", ROBOTS)
def test_a_run_waits_no_longer_than_its_cap(robot: str, receiver: Receiver, sqlite_url: str,
                                            tmp_path: Path) -> None:
    """Two a second, twelve alerts, a cap of 1.5 s: a run sends what fits and leaves the rest
    untouched in the outbox. The next runs, started at once, know from the outbox what was just
    sent (they wait before their first message), so they are never too fast either."""
    receiver.limit = (2, 1.0)
    settings = settings_for(robot, receiver, sqlite_url, tmp_path, robot_digest_size="1",
                            alert_max_wait="1.5", **{f"{robot}_rate": "2/1"})
    keys = queue(settings, payloads(12))

    first, elapsed = timed(settings)
    assert first.waited <= 1.5 and elapsed < 1.5 + 1.0
    assert first.failed == 0 and first.deferred == 8 and first.sent == 12 + 4
    assert "waiting cap" in first.errors[0] and "8 alert(s) left queued" in first.errors[0]
    rows = outbox_rows(settings, robot)
    assert [r.state for r in rows] == ["sent"] * 4 + ["pending"] * 8
    assert all(r.attempts == 0 and r.last_error is None for r in rows[4:])

    runs = 1
    while {r.state for r in outbox_rows(settings, robot)} != {"sent"}:
        report, elapsed = timed(settings)
        runs += 1
        assert report.waited <= 1.5 and elapsed < 1.5 + 1.0
        assert report.failed == 0 and report.sent >= 2 and runs <= 8
        if runs == 2:
            assert report.waited >= 0.5  # the previous run's sends still filled the window
    assert receiver.too_fast == 0
    assert_each_once(receiver, robot, keys)


@pytest.mark.parametrize("robot", ROBOTS)
def test_a_large_backlog_goes_as_digests(robot: str, receiver: Receiver, sqlite_url: str,
                                         tmp_path: Path) -> None:
    """Three hundred alerts (a first full crawl) to a robot taking twenty a (scaled) minute:
    digests of at most ten alerts within the platform's message size, so one run delivers
    everything; each alert in exactly one digest, with its own id line."""
    receiver.limit = (20, 1.0)
    settings = settings_for(robot, receiver, sqlite_url, tmp_path, alert_max_wait="10",
                            **{f"{robot}_rate": "20/1"})
    long_evidence = "博原风电场项目已全容量并网发电，" * 12
    backlog = payloads(300, evidence=long_evidence)
    backlog[7]["headline"] = HOSTILE
    keys = queue(settings, backlog)
    report, _ = timed(settings)
    assert report.failed == 0 and report.deferred == 0, report.errors
    assert receiver.too_fast == 0
    assert_each_once(receiver, robot, keys)

    hits = receiver.for_channel(robot)
    assert 30 <= len(hits) < 100  # not three hundred messages
    singles = 0
    for hit in hits:
        ids = ALERT_ID.findall(hit.body.decode("utf-8"))
        assert 1 <= len(ids) <= 10
        if len(ids) == 1:  # what is left over after the last full digest goes alone
            singles += 1
            assert hit.alert_id == ids[0]
            continue
        assert hit.headers["x-pledgewatch-alert-ids"].split(", ") == ids
        assert MESSAGE_LIMIT[robot](hit), len(hit.body)
        text = message_text(hit)
        whole = json.dumps(hit.json, ensure_ascii=False)  # Feishu's title is outside the text
        assert f"pledgewatch：{len(ids)} 条提醒" in whole
        assert "承诺" in text and "2022-09-16" in text and "博原风电场" in text
        assert "@" not in text and "<script>" not in text  # each entry escaped as on its own
        if robot in ("dingtalk", "wecom"):
            assert text.count("](") == len(ids) and "[点我]" not in text  # only our links
    assert singles <= 1


def test_a_handful_still_goes_one_message_each(receiver: Receiver, sqlite_url: str,
                                               tmp_path: Path) -> None:
    settings = settings_for("wecom", receiver, sqlite_url, tmp_path, robot_digest_size="3")
    keys = queue(settings, payloads(3))
    assert deliver_pending(settings).sent == 6
    assert [h.alert_id for h in receiver.for_channel("wecom")] == keys  # three messages
    more = queue(settings, payloads(8)[3:])  # five pending now: more than three
    assert deliver_pending(settings).sent == 10
    digests = receiver.for_channel("wecom")[3:]
    assert len(digests) == 2 and all(h.alert_id is None for h in digests)
    assert_each_once(receiver, "wecom", keys + more)
