"""The recorded copy of the news sites: raw bytes on disk, keyed by URL.

Layout under the root (``tests/data/sites`` by default)::

    manifest.yaml                 per-host defaults and per-URL exceptions
    <host>/<path>                 the bytes the site sends for that path ("/" -> index.html)
    <host>/_search/<word>/<n>.json  answers of a site-search API (keyword, page n)

The manifest keeps what a file cannot say: status, extra headers, redirects, and the charset a
host declares in its Content-Type header (or leaves out, relying on the page's ``<meta>``).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "tests" / "data" / "sites"
DEFAULT_LAST_MODIFIED = "Mon, 06 Mar 2023 02:00:00 GMT"

_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".txt": "text/plain",
    ".json": "application/json",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class HostConfig:
    scheme: str = "http"
    charset: str = "utf-8"
    charset_in_header: bool = True
    server: str = "nginx"
    last_modified: str = DEFAULT_LAST_MODIFIED
    etag: bool = True


@dataclass(frozen=True)
class SearchConfig:
    """A JSON search endpoint answered from ``<host>/_search/<keyword>/<page>.json``."""

    keyword_field: str = "searchWord"
    page_field: str = "pageNo"
    required: tuple[str, ...] = ()
    directory: str = "_search"


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Recording:
    root: Path
    hosts: dict[str, HostConfig] = field(default_factory=dict)
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    searches: dict[str, SearchConfig] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path | str | None = None) -> Recording:
        base = Path(root) if root else DEFAULT_ROOT
        manifest_path = base / "manifest.yaml"
        manifest: dict[str, Any] = {}
        if manifest_path.is_file():
            manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8")) or {}
        hosts = {h: HostConfig(**(cfg or {})) for h, cfg in (manifest.get("hosts") or {}).items()}
        searches = {
            url: SearchConfig(**{k: tuple(v) if k == "required" else v for k, v in cfg.items()})
            for url, cfg in (manifest.get("search") or {}).items()
        }
        return cls(base, hosts, dict(manifest.get("entries") or {}), searches)

    def host(self, host: str) -> HostConfig:
        return self.hosts.get(host, HostConfig())

    # -- lookup ------------------------------------------------------------------------------

    def file_for(self, url: str) -> Path | None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = unquote(parts.path or "/")
        if path.endswith("/"):
            path += "index.html"
        if parts.query:
            path += "%3F" + parts.query
        candidate = (self.root / host / path.lstrip("/")).resolve()
        if self.root.resolve() not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def urls(self) -> list[str]:
        """Every recorded URL (GET), for benchmarks and sanity checks."""
        found: list[str] = []
        for host_dir in sorted(p for p in self.root.iterdir() if p.is_dir()):
            scheme = self.host(host_dir.name).scheme
            for path in sorted(host_dir.rglob("*")):
                rel = path.relative_to(host_dir).as_posix()
                if path.is_file() and not rel.startswith("_"):
                    found.append(f"{scheme}://{host_dir.name}/{rel}")
        return found

    def reply(self, method: str, url: str, headers: dict[str, str], body: bytes) -> Reply:
        """What the site sends for this request (404 for anything not recorded)."""
        bare = url.split("#", 1)[0]
        entry = self.entries.get(bare) or {}
        host = (urlsplit(bare).hostname or "").lower()
        cfg = self.host(host)
        if method == "POST" and bare in self.searches:
            return self._search(bare, host, body)
        if "redirect" in entry:
            status = int(entry.get("status", 301))
            return Reply(status, [("Location", entry["redirect"]), ("Content-Length", "0")], b"")
        path = self.root / host / entry["file"] if "file" in entry else self.file_for(bare)
        if path is None or not path.is_file():
            return not_found()
        data = path.read_bytes()
        status = int(entry.get("status", 200))
        content_type = entry.get("content_type") or self._content_type(path, cfg)
        out = [("Server", cfg.server), ("Content-Type", content_type)]
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        last_modified = entry.get("last_modified", cfg.last_modified)
        if cfg.etag and status == 200:
            out.append(("ETag", etag))
        if status == 200:
            out.append(("Last-Modified", last_modified))
            if _not_modified(headers, etag if cfg.etag else None, last_modified):
                return Reply(304, [h for h in out if h[0] != "Content-Type"], b"")
        out.extend((k, str(v)) for k, v in (entry.get("headers") or {}).items())
        return Reply(status, out, b"" if method == "HEAD" else data)

    def _content_type(self, path: Path, cfg: HostConfig) -> str:
        mime = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
        mime = mime or "application/octet-stream"
        if mime.startswith("text/") and cfg.charset_in_header:
            return f"{mime}; charset={cfg.charset}"
        if mime == "application/json":
            return "application/json;charset=UTF-8"
        return mime

    def _search(self, url: str, host: str, body: bytes) -> Reply:
        cfg = self.searches[url]
        json_type = [("Content-Type", "application/json;charset=UTF-8")]
        try:
            query = json.loads(body.decode("utf-8") or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            return Reply(400, json_type, b'{"code":400,"msg":"bad json"}')
        missing = [name for name in cfg.required if name not in query]
        if missing:
            message = {"code": 500, "msg": f"missing {','.join(missing)}", "data": None}
            return Reply(200, json_type, json.dumps(message, ensure_ascii=False).encode())
        word = str(query.get(cfg.keyword_field, "")).strip()
        page = int(query.get(cfg.page_field, 1) or 1)
        directory = self.root / host / cfg.directory
        answer = directory / word / f"{page}.json"
        if not word or not answer.is_file() or directory.resolve() not in answer.resolve().parents:
            answer = directory / "empty.json"
        data = answer.read_bytes() if answer.is_file() else b'{"code":200,"data":{}}'
        return Reply(200, json_type, data)


def not_found() -> Reply:
    body = (
        "<html><head><title>404 Not Found</title></head>"
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在</p></body></html>"
    ).encode()
    return Reply(404, [("Content-Type", "text/html; charset=utf-8"), ("Server", "nginx")], body)


def _not_modified(headers: dict[str, str], etag: str | None, last_modified: str) -> bool:
    lowered = {k.lower(): v for k, v in headers.items()}
    if_none_match = lowered.get("if-none-match")
    if if_none_match is not None:
        return etag is not None and etag in [t.strip() for t in if_none_match.split(",")]
    since = lowered.get("if-modified-since")
    return since is not None and since.strip() == last_modified
