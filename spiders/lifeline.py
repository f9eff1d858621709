"""The crawl child dies with the process that started it.

``crawl()`` runs Scrapy in a child process and waits for it. If that parent is killed outright
(SIGKILL from the OOM killer, a scheduler killing a task, an operator), nothing in it runs to
stop the child, which would go on crawling and writing to the warehouse for hours, alongside
the re-run that the scheduler starts. Two independent mechanisms stop it:

- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the child the moment the
  parent thread that started it ends (``crawl()`` waits for the child in that very thread, so
  it ends only with the parent). It is set in the child, first thing, so it needs no
  ``preexec_fn`` (unsafe with threads in the parent). A parent that died before the call is
  caught by comparing ``getppid()`` with the parent's pid, which the parent passed along;
- everywhere, a daemon thread that polls ``getppid()`` and ends the process when the parent
  is gone (the child has then been re-parented): the fallback where ``prctl`` is missing.

Killing the child mid-crawl is safe: every page is stored in its own transaction, and the next
crawl recovers what the killed one left (``recovered from the last crawl``).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: Exit status of a child that found its parent gone (EX_SOFTWARE would suggest a bug).
ORPHANED = 75  # EX_TEMPFAIL: the crawl is to be run again, by the parent's re-run


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the Linux kernel to send ``sig`` to this process when its parent ends.

    Returns False where that is not available (not Linux, no libc, a refusing kernel).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(sig), ctypes.c_ulong(0),
                            ctypes.c_ulong(0), ctypes.c_ulong(0))
    except (OSError, AttributeError):
        return False
    return result == 0


def orphaned(parent_pid: int) -> bool:
    """True once this process is no longer ``parent_pid``'s child (it has been re-parented)."""
    return os.getppid() != parent_pid


def _exit_orphaned() -> None:
    # os._exit: no atexit handlers, no Twisted shutdown waiting for open requests.
    os._exit(ORPHANED)


def watch_parent(parent_pid: int, interval: float = 1.0) -> threading.Thread:
    """Start a daemon thread that ends this process within ``interval`` seconds of the
    parent's death."""

    def watch() -> None:
        while True:
            time.sleep(interval)
            if orphaned(parent_pid):
                log.error("the crawl's parent process %d is gone: stopping", parent_pid)
                _exit_orphaned()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread


def die_with_parent(parent_pid: int | None, interval: float = 1.0) -> None:
    """Both mechanisms; exits at once if the parent is already gone."""
    if parent_pid is None:
        return  # run by hand, not by ``crawl()``: nobody to die with
    set_parent_death_signal()
    if orphaned(parent_pid):
        _exit_orphaned()
    watch_parent(parent_pid, interval)
