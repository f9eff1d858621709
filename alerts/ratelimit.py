"""How fast a channel may be sent to: each robot's declared pace, and the pacer that keeps it.

Group robots refuse messages beyond a documented rate (DingTalk and WeCom 20 a minute, Feishu
100 a minute and 5 a second, Slack about 1 a second), and DingTalk then refuses everything for
ten minutes. A backlog sent as fast as possible is refused partway; sent at the declared pace it
goes through. The pace is data (``alerts/platforms.yaml``), overridable per robot in settings.

The pacer remembers the send times of this run and, so that two runs in quick succession cannot
together exceed a window, the ``sent_at`` of the channel's recent outbox rows.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from pledgewatch.settings import parse_rate

PLATFORMS_PATH = Path(__file__).with_name("platforms.yaml")

#: A receiver's "wait this long" is believed up to this many seconds, never beyond.
MAX_RETRY_AFTER = 3600.0
#: A "too fast" that says to wait 0 s still waits this long: no tight loop against a robot.
MIN_BACKOFF = 1.0


@dataclass(frozen=True)
class Window:
    """At most ``count`` messages in any ``seconds``."""

    count: int
    seconds: float


@dataclass(frozen=True)
class Platform:
    """One robot kind's declared limits (see ``platforms.yaml`` for each field)."""

    name: str
    rate: tuple[Window, ...]
    too_fast: frozenset[int]
    penalty_seconds: float
    max_message_bytes: int


def windows(text: str) -> tuple[Window, ...]:
    return tuple(Window(n, w) for n, w in parse_rate(text))


@cache
def _declared() -> dict[str, Platform]:
    raw = yaml.safe_load(PLATFORMS_PATH.read_text(encoding="utf-8"))
    return {name: Platform(name=name, rate=windows(str(entry["rate"])),
                           too_fast=frozenset(int(c) for c in entry.get("too_fast") or ()),
                           penalty_seconds=float(entry["penalty_seconds"]),
                           max_message_bytes=int(entry["max_message_bytes"]))
            for name, entry in raw.items()}


def platform(name: str, rate_override: str = "") -> Platform:
    """The declared limits of robot ``name``, with the operator's rate if one is set."""
    declared = _declared()[name]
    if not rate_override:
        return declared
    return Platform(declared.name, windows(rate_override), declared.too_fast,
                    declared.penalty_seconds, declared.max_message_bytes)


def epoch(value: dt.datetime) -> float:
    """A stored timestamp as POSIX seconds (SQLite gives it back naive, in UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


class Pacer:
    """A sliding-window log: when may the next message go without breaking any window?

    ``ready_at`` is the earliest time at which every window holds fewer than ``count`` sends.
    Send times are taken after the receiver answered, so they are later than the receiver's own
    clock saw them: waiting by them errs on the slow side. A small margin covers the rest.
    """

    def __init__(self, rate: tuple[Window, ...], history: Iterable[float] = ()) -> None:
        self.rate = rate
        self.longest = max((w.seconds for w in rate), default=0.0)
        self.sent: deque[float] = deque(sorted(history))
        self.blocked_until = 0.0

    def ready_at(self, now: float) -> float:
        ready = max(now, self.blocked_until)
        for window in self.rate:
            if len(self.sent) >= window.count:
                # The window admits another send once its count-th most recent one leaves it.
                margin = 0.01 + window.seconds * 0.01
                ready = max(ready, self.sent[-window.count] + window.seconds + margin)
        return ready

    def record(self, when: float) -> None:
        self.sent.append(when)
        while self.sent and self.sent[0] < when - self.longest - 1:
            self.sent.popleft()

    def back_off(self, until: float) -> None:
        self.blocked_until = max(self.blocked_until, until)


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` (seconds or an HTTP date) or ``x-ogw-ratelimit-reset``.

    The answer is untrusted: nonsense is ignored and a huge wait is cut to ``MAX_RETRY_AFTER``
    (either way the rest waits in the outbox, so believing a huge value costs nothing but time).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = epoch(when) - dt.datetime.now(dt.UTC).timestamp()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
