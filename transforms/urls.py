"""Canonical URLs: one spelling per page, so the same story is not stored twice."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "spm", "from", "share", "isappinstalled", "wx", "scene",
                      "clicktime", "enterid", "fbclid", "gclid", "_t", "timestamp")
_INDEX_PAGES = ("index.html", "index.htm", "index.shtml", "default.html", "default.htm")
_MOBILE_PREFIXES = ("m.", "wap.", "mobile.", "3g.")


def canonical_url(url: str) -> str:
    """http and https alike, no tracking parameters, no fragment, no ``index.html``,
    mobile hosts folded onto the desktop host.

    Never raises, and canonical URLs are their own canonical form. A URL that does not parse
    (a port out of range, a broken IPv6 literal: links are untrusted page data) is kept as
    written.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in _MOBILE_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = "www." + host[len(prefix):]
            break
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path or "/"
    while "//" in path:
        path = path.replace("//", "/")
    for page in _INDEX_PAGES:
        if path.endswith("/" + page):
            path = path[: -len(page)]
            break
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PREFIXES)]
    return urlunsplit(("http", host, path, urlencode(sorted(query)), ""))
