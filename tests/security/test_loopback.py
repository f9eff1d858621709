"""Nothing listens beyond loopback: the demo, the replay and the test servers.

The running processes are watched from outside, as ``ss -ltnp`` would: listening TCP sockets
(state 0A in ``/proc/net/tcp`` and ``/proc/net/tcp6``) are matched to the socket inodes held
open by the process tree (``/proc/<pid>/fd``), so every socket the demo's processes open, the
replay's and the crawl child's alike, is seen, whichever library opened it.
"""

from __future__ import annotations

import ast
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pledgewatch.replay import ReplayServer
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(),
                                reason="needs Linux /proc to list listening sockets")

LISTEN = "0A"  # TCP state
UNCONNECTED = "07"  # UDP sockets bound but not connected show TCP_CLOSE


def _address(hex_address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """/proc/net's address: 32-bit words in host (little-endian) byte order."""
    raw = bytes.fromhex(hex_address)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    return ipaddress.ip_address(words)


def _sockets(kind: str, state: str) -> dict[int, tuple[str, int]]:
    """inode -> (address, port) for sockets of ``kind`` (tcp, udp) in ``state``."""
    found: dict[int, tuple[str, int]] = {}
    for table in (f"/proc/net/{kind}", f"/proc/net/{kind}6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != state:
                continue
            host, port = fields[1].split(":")
            found[int(fields[9])] = (str(_address(host)), int(port, 16))
    return found


def _tree(root: int) -> set[int]:
    """``root`` and every process descended from it."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def _inodes(pids: set[int]) -> dict[int, int]:
    """socket inode -> pid holding it."""
    held: dict[int, int] = {}
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                held[int(target[8:-1])] = pid
    return held


def listening(root: int) -> set[tuple[str, str, int]]:
    """(protocol, address, port) of every TCP listener and unconnected UDP socket of the tree."""
    held = _inodes(_tree(root))
    found = set()
    for kind, state in (("tcp", LISTEN), ("udp", UNCONNECTED)):
        for inode, (address, port) in _sockets(kind, state).items():
            if inode in held:
                found.add((kind, address, port))
    return found


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


@contextmanager
def started(*args: str, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-m", "pledgewatch", *args], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PLEDGEWATCH_")
             and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    clean["PLEDGEWATCH_DATA_DIR"] = str(tmp_path / "data")
    return clean


def test_the_demo_listens_on_loopback_only(env: dict[str, str]) -> None:
    """The whole pipeline (replay server, crawl child, processing, alerts, report), watched
    while it runs."""
    seen: set[tuple[str, str, int]] = set()
    with started("demo", env=env) as proc:
        deadline = time.monotonic() + 300
        while proc.poll() is None and time.monotonic() < deadline:
            seen |= listening(proc.pid)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err[-3000:]
    assert "report:" in out
    tcp = {(address, port) for kind, address, port in seen if kind == "tcp"}
    assert tcp, "saw no listening socket at all (the replay must have been missed)"
    beyond = sorted(s for s in seen if not is_loopback(s[1]))
    assert not beyond, f"the demo listens beyond loopback: {beyond}"


def test_the_replay_command_listens_on_loopback_only(env: dict[str, str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with started("replay", "--port", str(port), env=env) as proc:
        deadline = time.monotonic() + 30
        seen: set[tuple[str, str, int]] = set()
        while not seen and time.monotonic() < deadline and proc.poll() is None:
            seen = listening(proc.pid)
            time.sleep(0.1)
        assert seen == {("tcp", "127.0.0.1", port)}
        request = urllib.request.Request(f"http://127.0.0.1:{port}/robots.txt",
                                         headers={"Host": "www.lfxww.com"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200


@pytest.mark.parametrize(("host", "expected"), [("127.0.0.1", "127.0.0.1"),
                                                ("localhost", "127.0.0.1"), ("::1", "::1")])
def test_the_replay_server_binds_the_loopback_it_is_given(host: str, expected: str) -> None:
    with ReplayServer(host=host) as replay:
        assert ("tcp", expected, replay.port) in listening(os.getpid())
        request = urllib.request.Request(f"{replay.url}/robots.txt",
                                         headers={"Host": "www.lfxww.com"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.0.2.1", "example.org"])
def test_the_replay_server_refuses_any_other_address(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        ReplayServer(host=host)


# -- every server in the code base ------------------------------------------------------------

SOURCES = ("pledgewatch", "spiders", "alerts", "warehouse", "transforms", "pledges", "dags",
           "benchmarks", "tests")
WILDCARDS = {"0.0.0.0", "::", "[::]", "*"}


def _refused(tree: ast.AST) -> set[int]:
    """Nodes inside ``with pytest.raises(...)``: tests that a wildcard is refused."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
                isinstance(item.context_expr, ast.Call)
                and getattr(item.context_expr.func, "attr", "") == "raises"
                for item in node.items):
            inside.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return inside


def _bind_addresses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Host strings given to bind(), server constructors and host= keywords."""
    refused = _refused(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in refused:
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        candidates: list[ast.expr] = []
        if name in ("bind", "create_server", "serve", "start_server") or name.endswith(
                ("Server", "Controller")):
            for arg in node.args[:1]:
                candidates.append(arg.elts[0] if isinstance(arg, ast.Tuple) and arg.elts
                                  else arg)
        candidates += [kw.value for kw in node.keywords if kw.arg in ("host", "hostname")]
        for candidate in candidates:
            if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                yield node.lineno, candidate.value


def test_no_code_binds_a_wildcard_address() -> None:
    """The replay, the report's browser harness and every receiver in the tests name a
    loopback address; none binds all interfaces."""
    offenders = []
    checked = 0
    for folder in SOURCES:
        for path in sorted((REPO / folder).rglob("*.py")):
            if "data" in path.relative_to(REPO).parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for line, host in _bind_addresses(tree):
                checked += 1
                if host in WILDCARDS or host == "" or not (
                        host == "localhost" or is_loopback_literal(host)):
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {host!r}")
    assert checked >= 3, "the scan found no server at all: it is looking in the wrong place"
    assert not offenders, offenders


def is_loopback_literal(host: str) -> bool:
    try:
        return is_loopback(host)
    except ValueError:
        return False
