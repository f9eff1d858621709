"""What went wrong with a fetch, as one of the warehouse's error kinds.

Kinds: http_404, http_4xx, http_5xx, throttled (429), timeout (408 too), too_large, not_html,
redirect_loop, offsite_redirect, connection, empty. Robots.txt refusals and off-site links are
not errors (the crawl chose not to fetch); they are counted separately. A site's report also
counts "storage" (a page fetched but not stored) and "parse" (a page fetched but not read); those
are failures of the crawl, not of the page, and are not stored with it.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure

ERROR_KINDS = ("http_404", "http_4xx", "http_5xx", "throttled", "timeout", "too_large",
               "not_html", "redirect_loop", "offsite_redirect", "connection", "empty")

NOT_ERRORS = ("robots", "offsite", "filtered")


class PageError(IgnoreRequest):
    """Raised by our middlewares to turn a response into a recorded error of ``kind``."""

    def __init__(self, kind: str, response: Response | None = None, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.response = response


def status_kind(status: int) -> str | None:
    if status in (404, 410):
        return "http_404"
    # Come back later, not gone: these must not be filed with the 4xx a retry will not cure.
    if status == 429:
        return "throttled"
    if status == 408:
        return "timeout"
    if 400 <= status < 500:
        return "http_4xx"
    if status >= 500:
        return "http_5xx"
    return None


def classify(failure: Failure | BaseException) -> tuple[str, Response | None]:
    """(kind, response if there was one) for a failed request."""
    exc: Any = failure.value if isinstance(failure, Failure) else failure
    if isinstance(exc, PageError):
        return exc.kind, exc.response
    if isinstance(exc, HttpError):
        response = exc.response
        return status_kind(response.status) or f"http_{response.status}", response
    if isinstance(exc, DownloadTimeoutError | twisted_errors.TimeoutError):
        return "timeout", None
    if isinstance(exc, DownloadCancelledError | defer.CancelledError):
        # The only cancellation we cause is DOWNLOAD_MAXSIZE.
        return "too_large", None
    if isinstance(exc, IgnoreRequest):
        message = str(exc).lower()
        if "robots.txt" in message:
            return "robots", None
        if "max redirections" in message:
            return "redirect_loop", None
        if "offsite" in message or "filtered offsite" in message:
            return "offsite", None
        return "filtered", None
    if isinstance(exc, ResponseDataLossError | DownloadConnectionRefusedError
                  | CannotResolveHostError | DownloadFailedError
                  | twisted_errors.ConnectError | twisted_errors.ConnectionLost
                  | twisted_errors.ConnectionDone | ConnectionError | OSError):
        return "connection", None
    return "connection", None
