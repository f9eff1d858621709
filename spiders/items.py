"""What the spider hands to the pipeline: the warehouse's own ``FetchedPage``.

Raw bytes and headers exactly as received (encodings are decoded later, from these bytes), so
the item is the warehouse dataclass itself rather than a copy that could drift from it.
"""

from __future__ import annotations

import datetime as dt

from scrapy.http import Response

from warehouse.raw import FetchedPage

__all__ = ["FetchedPage", "page_from_failure", "page_from_response"]


def headers_of(response: Response) -> dict[str, str]:
    """Response headers as text; repeated headers joined with ", " (as HTTP allows)."""
    out: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1")
        out[key] = ", ".join(v.decode("latin-1") for v in values)
    return out


def page_from_response(response: Response, site: str, kind: str, error: str | None = None,
                       requested_url: str | None = None) -> FetchedPage:
    redirects = response.request.meta.get("redirect_urls") if response.request else None
    url = requested_url or (redirects[0] if redirects else response.url)
    return FetchedPage(
        url=url,
        final_url=response.url,
        site=site,
        status=response.status,
        headers=headers_of(response),
        body=response.body,
        fetched_at=dt.datetime.now(dt.UTC),
        kind=kind,
        error=error,
    )


def page_from_failure(url: str, site: str, kind: str, error: str) -> FetchedPage:
    return FetchedPage(url=url, final_url=url, site=site, status=0, headers={}, body=b"",
                       fetched_at=dt.datetime.now(dt.UTC), kind=kind, error=error)
