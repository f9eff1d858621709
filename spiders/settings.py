"""Scrapy settings for every site crawl: one commented list of defaults.

``for_site`` adds what a site's declaration decides (delay, concurrency, AutoThrottle) and then
the caller's overrides (tests turn delays and AutoThrottle off). Politeness is not negotiable:
concurrency per site is capped at 2 whatever the overrides say.
"""

from __future__ import annotations

import os
from typing import Any

from spiders.sites import SiteDeclaration

VERSION = "0.1"
MAX_CONCURRENCY_PER_SITE = 2

# -- identity and politeness --------------------------------------------------------------------
BOT_NAME = "pledgewatch"
ROBOTSTXT_OBEY = True  # robots.txt is fetched first and obeyed; refusals are counted
CONCURRENT_REQUESTS = 8  # per crawler (one crawler per site)
CONCURRENT_REQUESTS_PER_DOMAIN = 1  # the site declaration may raise it to 2
DOWNLOAD_DELAY = 2.0  # seconds between requests to a site; from the declaration
RANDOMIZE_DOWNLOAD_DELAY = True  # 0.5x..1.5x the delay
AUTOTHROTTLE_ENABLED = True  # slows down further when the site answers slowly
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
COOKIES_ENABLED = False  # news pages need no session; fewer surprises
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}

# -- failures --------------------------------------------------------------------------------
DOWNLOAD_TIMEOUT = 30  # seconds; a slower answer is a "timeout" error
RETRY_ENABLED = True
RETRY_TIMES = 3  # after the first try; 5xx and network errors only
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
PLEDGEWATCH_RETRY_BACKOFF_BASE = 2.0  # seconds before the 1st retry, doubling after (backoff.py)
PLEDGEWATCH_RETRY_BACKOFF_MAX = 60.0
REDIRECT_MAX_TIMES = 5
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a news page is < 1 MiB; bigger is a "too_large" error
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is retried, then recorded, never stored
HTTPERROR_ALLOW_ALL = False  # non-2xx go to the errback, which records them

# -- no listening sockets in a crawl ------------------------------------------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # Scrapy 2.19's HTTP code-execution endpoint
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}

# -- our components -------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.conditional.ConditionalGetMiddleware": 420,
    "spiders.middlewares.backoff.BackoffMiddleware": 540,
    "spiders.middlewares.redirect_guard.RedirectGuardMiddleware": 650,
    "spiders.middlewares.robots_record.RobotsRecordMiddleware": 120,
}
ITEM_PIPELINES = {"spiders.pipelines.RawPagePipeline": 300}
PLEDGEWATCH_CONDITIONAL_GET = True
PLEDGEWATCH_EXTRACT = True  # run the extractor on each article to count its paths in stats

# -- logs -------------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0  # no periodic "Crawled N pages" lines; the report has the figures
STATS_DUMP = False
MEMUSAGE_ENABLED = False

DEFAULTS: dict[str, Any] = {
    name: value for name, value in dict(globals()).items()
    if name.isupper() and name not in ("VERSION", "MAX_CONCURRENCY_PER_SITE", "DEFAULTS")
}


def user_agent() -> str:
    """``pledgewatch/0.1 (+contact)``; ``PLEDGEWATCH_USER_AGENT`` replaces it whole."""
    explicit = os.environ.get("PLEDGEWATCH_USER_AGENT")
    if explicit:
        return explicit
    try:
        from pledgewatch.settings import get_settings

        contact = get_settings().contact
    except Exception:  # settings are optional for a crawl from a test or a script
        contact = os.environ.get("PLEDGEWATCH_CONTACT", "pledgewatch@localhost")
    return f"pledgewatch/{VERSION} (+{contact})"


def for_site(site: SiteDeclaration, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The complete settings of one site's crawler."""
    settings = dict(DEFAULTS)
    settings["USER_AGENT"] = user_agent()
    settings["DOWNLOAD_DELAY"] = site.politeness.delay
    settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = site.politeness.concurrency
    settings["AUTOTHROTTLE_ENABLED"] = site.politeness.autothrottle
    settings["AUTOTHROTTLE_START_DELAY"] = max(site.politeness.delay, 1.0)
    settings.update(overrides or {})
    settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = min(
        int(settings["CONCURRENT_REQUESTS_PER_DOMAIN"]), MAX_CONCURRENCY_PER_SITE)
    settings["TELNETCONSOLE_ENABLED"] = False
    settings["REMOTE_CONTROL_ENABLED"] = False
    settings["EXTENSIONS"] = {**settings.get("EXTENSIONS", {}), **DEFAULTS["EXTENSIONS"]}
    return settings
