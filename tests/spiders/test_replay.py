"""The replay server: Host-header and proxy modes, HTTPS tunnels, 404s, 304s, search, faults."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time

import pytest

from pledgewatch.replay import DEFAULT_ROOT, Fault, ReplayServer


def get(server: ReplayServer, url: str, headers: dict[str, str] | None = None,
        method: str = "GET", body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """A request through the replay used as a proxy (absolute-URI request line)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request(method, url, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data


def test_serves_by_host_header_and_as_proxy() -> None:
    with ReplayServer() as server:
        assert server.host == "127.0.0.1"
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        conn.request("GET", "/xwzx/pxyw/", headers={"Host": "www.puxian.gov.cn"})
        response = conn.getresponse()
        assert response.status == 200 and b"createPageHTML" in response.read()
        status, headers, body = get(server, "http://www.lfxww.com/puxian/2708190.html")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=gb2312"
        raw = (DEFAULT_ROOT / "www.lfxww.com/puxian/2708190.html").read_bytes()
        assert body == raw and b'charset=gb2312' in body
        assert "刘喆" in body.decode("gb18030")
        status, _, _ = get(server, "http://www.lfxww.com/puxian/9999999.html")
        assert status == 404
        assert [h.status for h in server.hits_for("9999999")] == [404]


def test_conditional_get_and_redirects() -> None:
    with ReplayServer() as server:
        status, headers, _ = get(server, "http://www.lfxww.com/puxian/")
        assert status == 200
        status, _, body = get(server, "http://www.lfxww.com/puxian/",
                              {"If-None-Match": headers["ETag"]})
        assert (status, body) == (304, b"")
        status, headers, _ = get(server, "http://www.lfxww.com/puxian/2704001.html")
        assert status == 301 and headers["Location"].startswith("http://www.lfxww-mirror.cn/")


def test_https_through_connect_tunnel() -> None:
    with ReplayServer() as server:
        raw = socket.create_connection((server.host, server.port), timeout=10)
        raw.sendall(b"CONNECT lf.sxrb.com:443 HTTP/1.1\r\nHost: lf.sxrb.com:443\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 200")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        tls = context.wrap_socket(raw, server_hostname="lf.sxrb.com")
        tls.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: lf.sxrb.com\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := tls.recv(4096):
            data += chunk
        tls.close()
        assert data.startswith(b"HTTP/1.1 200") and b"Disallow: /admin/" in data
        assert b"Content-Type: text/plain\r\n" in data  # this host sends no charset


def test_search_api() -> None:
    with ReplayServer() as server:
        url = "http://www.linfen.gov.cn/irs/front/search"
        query = {"searchWord": "蒲县 博远风电", "orderBy": "related", "searchBy": "all",
                 "pageNo": 1}
        status, _, body = get(server, url, {"Content-Type": "application/json"}, "POST",
                              json.dumps(query).encode())
        data = json.loads(body)
        assert status == 200 and data["data"]["middle"]["listAndBox"][0]["data"]["url"]
        query["searchWord"] = "没有结果"
        _, _, body = get(server, url, {}, "POST", json.dumps(query).encode())
        assert json.loads(body)["data"]["middle"]["listAndBox"] == []
        del query["orderBy"]
        _, _, body = get(server, url, {}, "POST", json.dumps(query).encode())
        assert "orderBy" in json.loads(body)["msg"]


def test_faults_status_times_delay_reset_truncate() -> None:
    faults = {
        r"/puxian/2688412": Fault(status=500, times=2),
        r"/puxian/2693075": {"delay": 0.3},
        r"/puxian/2699850": Fault(reset=True),
        r"/puxian/2705318": Fault(truncate=100),
    }
    with ReplayServer(faults=faults) as server:
        statuses = [get(server, "http://www.lfxww.com/puxian/2688412.html")[0] for _ in range(3)]
        assert statuses == [500, 500, 200]
        started = time.monotonic()
        assert get(server, "http://www.lfxww.com/puxian/2693075.html")[0] == 200
        assert time.monotonic() - started >= 0.3
        with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
            get(server, "http://www.lfxww.com/puxian/2699850.html")
        with pytest.raises(http.client.IncompleteRead):
            get(server, "http://www.lfxww.com/puxian/2705318.html")


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        ReplayServer(host="0.0.0.0")
