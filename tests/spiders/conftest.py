"""Fixtures for the spider tests: the replay on loopback and fast crawl settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pledgewatch.replay import ReplayServer

#: Politeness off for tests: no delays, no AutoThrottle, short timeouts, quick retries.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "DOWNLOAD_TIMEOUT": 5,
    "RETRY_TIMES": 2,
    "PLEDGEWATCH_RETRY_BACKOFF_BASE": 0.05,
    "LOG_LEVEL": "INFO",
}

#: Search words for the linfen.gov.cn search API (the registry's would be ~60 queries).
ALIASES = [["运销公司家属楼"], ["蒲县抽水蓄能电站"], ["博远风电"], ["锦绣幼儿园"]]


@pytest.fixture
def replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    """The recorded sites behind an HTTP proxy on 127.0.0.1; crawls reach it via http_proxy."""
    with ReplayServer() as server:
        for key, value in server.proxy_env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("HTTP_PROXY", raising=False)
        monkeypatch.delenv("HTTPS_PROXY", raising=False)
        yield server
