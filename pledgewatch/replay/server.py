"""Serve the recorded sites on 127.0.0.1, as the sites themselves and as an HTTP proxy.

The spiders keep their real URLs: with ``http_proxy``/``https_proxy`` pointing here, a request
for ``http://www.lfxww.com/puxian/`` arrives as an absolute-URI request and an ``https://``
one as a ``CONNECT`` tunnel (answered with a throwaway self-signed certificate; Scrapy does
not verify certificates). A plain request is looked up by its ``Host`` header.

Faults are injected per URL pattern so tests can watch the crawl survive 500s, slow answers,
reset connections, truncated or replaced bodies and stray redirects::

    with ReplayServer(root, faults={r"lf\\.sxgov\\.cn": Fault(status=500)}) as replay:
        os.environ["http_proxy"] = replay.proxy_url
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pledgewatch.replay.recording import Recording, Reply

LOOPBACK = "127.0.0.1"


@dataclass
class Fault:
    """What goes wrong for requests whose URL matches a pattern.

    ``times``: how many matching requests are affected (None: all of them); ``share``: the
    fraction of matching URLs affected, chosen by a hash of the URL, so the same URLs fail on
    every try and retry (None: all of them); ``status``: answer with this status instead;
    ``delay``: seconds to wait before answering; ``reset``: drop the connection without a
    word; ``truncate``: announce the full length but send only this many body bytes, then
    close; ``body``: send these bytes instead of the recorded ones (status 200 unless
    ``status`` says otherwise, ``content_type`` or text/html, an ETag of its own);
    ``location``: redirect there (status 302 unless ``status`` says otherwise).
    """

    status: int | None = None
    times: int | None = None
    delay: float = 0.0
    reset: bool = False
    truncate: int | None = None
    method: str | None = None
    share: float | None = None
    body: bytes | None = field(default=None, repr=False)
    content_type: str | None = None
    location: str | None = None
    hits: int = field(default=0, compare=False)

    def applies_to(self, url: str) -> bool:
        """Whether ``url`` is among the ``share`` of URLs this fault hits."""
        if self.share is None:
            return True
        bucket = int.from_bytes(hashlib.sha256(url.encode("utf-8")).digest()[:4], "big")
        return bucket / 2**32 < self.share

    def reply(self) -> Reply | None:
        """The answer this fault sends instead of the recording's (None: the recording's)."""
        if self.location is not None:
            return Reply(self.status or 302, [("Location", self.location),
                                              ("Content-Length", "0")], b"")
        if self.body is not None:
            etag = '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'
            return Reply(self.status or 200, [
                ("Content-Type", self.content_type or "text/html; charset=utf-8"),
                ("ETag", etag)], self.body)
        if self.status:
            return Reply(self.status, [("Content-Type", "text/html; charset=utf-8")],
                         f"<html><body>{self.status} injected</body></html>".encode())
        return None

    @classmethod
    def coerce(cls, value: Fault | Mapping[str, Any]) -> Fault:
        return value if isinstance(value, Fault) else cls(**dict(value))


@dataclass(frozen=True)
class Hit:
    """One request the server saw (for tests: what was fetched, with which headers)."""

    method: str
    url: str
    headers: dict[str, str]
    status: int
    at: float


class ReplayServer:
    """A threaded HTTP server over a ``Recording``; a context manager."""

    def __init__(
        self,
        root: Path | str | None = None,
        host: str = LOOPBACK,
        port: int = 0,
        faults: Mapping[str, Fault | Mapping[str, Any]] | None = None,
        quiet: bool = True,
    ) -> None:
        if host not in (LOOPBACK, "localhost", "::1"):
            raise ValueError("the replay only listens on loopback")
        self.recording = Recording.load(root)
        self.quiet = quiet
        self._faults: list[tuple[re.Pattern[str], Fault]] = []
        self._lock = threading.Lock()
        self.hits: list[Hit] = []
        for pattern, fault in (faults or {}).items():
            self.add_fault(pattern, fault)
        server_class = _Server6 if ":" in host else _Server
        self._httpd = server_class((host, port), _Handler)
        self._httpd.replay = self
        self._thread: threading.Thread | None = None
        self._tls: ssl.SSLContext | None = None

    # -- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    proxy_url = url

    def proxy_env(self) -> dict[str, str]:
        """Environment variables that route a client (Scrapy, curl) through the replay."""
        return {"http_proxy": self.url, "https_proxy": self.url, "no_proxy": ""}

    # -- faults and hits ---------------------------------------------------------------------

    def add_fault(self, pattern: str, fault: Fault | Mapping[str, Any]) -> Fault:
        made = Fault.coerce(fault)
        with self._lock:
            self._faults.append((re.compile(pattern), made))
        return made

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def clear_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    def _fault_for(self, method: str, url: str) -> Fault | None:
        with self._lock:
            for pattern, fault in self._faults:
                if fault.method and fault.method != method:
                    continue
                if not pattern.search(url) or not fault.applies_to(url):
                    continue
                if fault.times is not None and fault.hits >= fault.times:
                    continue
                fault.hits += 1
                return fault
        return None

    def _record(self, method: str, url: str, headers: dict[str, str], status: int) -> None:
        with self._lock:
            self.hits.append(Hit(method, url, headers, status, time.monotonic()))

    def hits_for(self, pattern: str) -> list[Hit]:
        rx = re.compile(pattern)
        with self._lock:
            return [h for h in self.hits if rx.search(h.url)]

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ReplayServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="replay", kwargs={"poll_interval": 0.1},
                daemon=True,
            )
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def tls_context(self) -> ssl.SSLContext:
        with self._lock:
            if self._tls is None:
                self._tls = _self_signed_context(sorted(self.recording.hosts))
            return self._tls


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64
    replay: ReplayServer


class _Server6(_Server):
    """The same on IPv6 loopback (``::1``), which an AF_INET socket cannot bind."""

    address_family = socket.AF_INET6

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (its timeout, a size cap) is expected under faults.
        if self.replay.quiet and isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _tunnel_host: str | None = None

    # BaseHTTPRequestHandler dispatches on do_<METHOD>.
    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_CONNECT(self) -> None:
        host = self.path.split(":", 1)[0].lower()
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        try:
            tls = self.server.replay.tls_context().wrap_socket(self.connection, server_side=True)
        except (ssl.SSLError, OSError):
            self.close_connection = True
            return
        self.connection = tls
        self.rfile = tls.makefile("rb", self.rbufsize)
        self.wfile = tls.makefile("wb", 0)
        self._tunnel_host = host
        self.close_connection = False

    _server_header = "nginx"

    def version_string(self) -> str:
        return self._server_header

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.replay.quiet:
            super().log_message(format, *args)

    def _target_url(self) -> str:
        if self.path.startswith(("http://", "https://")):
            return self.path
        if self._tunnel_host:
            return f"https://{self._tunnel_host}{self.path}"
        host = (self.headers.get("Host") or "").split(":", 1)[0].lower()
        scheme = self.server.replay.recording.host(host).scheme
        return f"{scheme}://{host}{self.path}"

    def _answer(self) -> None:
        replay = self.server.replay
        url = self._target_url()
        headers = {k: v for k, v in self.headers.items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = replay._fault_for(self.command, url)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.reset:
            replay._record(self.command, url, headers, 0)
            self._reset()
            return
        reply = fault.reply() if fault else None
        if reply is None:
            reply = replay.recording.reply(self.command, url, headers, body)
        replay._record(self.command, url, headers, reply.status)
        # send_response() writes Server (from version_string) and Date itself.
        self._server_header = next(
            (v for k, v in reply.headers if k.lower() == "server"), "nginx")
        self.send_response(reply.status)
        sent_length = False
        for name, value in reply.headers:
            if name.lower() == "server":
                continue
            if name.lower() == "content-length":
                sent_length = True
            self.send_header(name, value)
        if not sent_length:
            self.send_header("Content-Length", str(len(reply.body)))
        payload = reply.body
        if fault and fault.truncate is not None:
            payload = payload[: fault.truncate]
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD" and reply.status not in (204, 304):
            with contextlib.suppress(OSError):
                self.wfile.write(payload)
        if fault and fault.truncate is not None:
            with contextlib.suppress(OSError):
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST: a "connection reset by peer".
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()


def _self_signed_context(hosts: list[str]) -> ssl.SSLContext:
    """A TLS server context with a fresh self-signed certificate (for CONNECT tunnels)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pledgewatch replay")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in hosts]
                                                   or [x509.DNSName("localhost")]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    with tempfile.TemporaryDirectory(prefix="replay-tls-") as tmp:
        cert_path, key_path = Path(tmp, "cert.pem"), Path(tmp, "key.pem")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
    return context


def serve(port: int, root: Path | str | None = None, host: str = LOOPBACK) -> None:
    """Serve the recording until interrupted (``pledgewatch replay --port N``)."""
    server = ReplayServer(root, host=host, port=port, quiet=False)
    hosts = ", ".join(sorted(p.name for p in server.recording.root.iterdir()
                             if p.is_dir() and not p.name.startswith("_")))
    print(f"replay of {hosts}")
    print(f"listening on {server.url}; use it as a proxy: export http_proxy={server.proxy_url}"
          f" https_proxy={server.proxy_url}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
