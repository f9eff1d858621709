"""Headless Chromium (Debian's ``chromium``) for the report's browser tests; offline by design.

Each call gets a fresh profile, and every host name resolves to nothing, so the browser can
reach no network even if a page (or Chromium itself) tried.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WINDOW = (1280, 2000)


def find_chromium() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = find_chromium()
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="browser tests need Debian's chromium at /usr/bin/chromium; run .ci/chromium.sh")

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def run_chromium(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="pledgewatch-chromium-") as profile:
        try:
            done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                                  capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            # An alert() that ran would hold the page open like this.
            raise AssertionError(f"chromium did not finish in {timeout}s on {args[-1]}: "
                                 "did a script open a dialog?") from None
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode}: "
                             f"{done.stderr.decode('utf-8', 'replace')[-2000:]}")
    return done


def dump_dom(page: Path) -> str:
    """The DOM after the page loaded (and after any script on it had run)."""
    return run_chromium("--dump-dom", page.resolve().as_uri()).stdout.decode("utf-8")


def screenshot(page: Path, out: Path, size: tuple[int, int] = WINDOW) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    run_chromium(f"--screenshot={out.resolve()}", f"--window-size={size[0]},{size[1]}",
                 "--hide-scrollbars", page.resolve().as_uri())
    return out


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
