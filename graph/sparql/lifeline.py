"""Query workers die with their server, whatever kills it (SIGKILL and OOM included).

The executor's workers are forked by multiprocessing's *forkserver*, so a worker's parent is
the forkserver, and the forkserver's parent is the server. Before this module, a SIGKILLed
``itskg serve`` left the forkserver and its busy workers running, re-parented to PID 1,
burning CPU and holding the generation's reader lock (issue 12). Two links fix that:

1. ``die_with_parent()`` (called first thing in every worker) asks Linux to SIGKILL the
   worker when its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` through ctypes), and exits
   at once if the parent is already gone (the race between fork and prctl).
2. This module is preloaded into the forkserver (``set_forkserver_preload``). Importing it
   there starts one daemon thread that waits on a pidfd of the server (``os.pidfd_open``,
   Linux >= 5.3; otherwise it polls ``getppid()`` every 0.2 s) and ``os._exit``s the forkserver
   when the server is gone; link 1 then kills every worker. The thread only runs in the
   forkserver: it is started when the import happens inside ``multiprocessing.forkserver.main``.

The kernel drops the workers' flocks when they die, so no reader lock is left behind.
PR_SET_PDEATHSIG fires on the death of the parent *thread*; the forkserver forks from its
main thread, which lives as long as the forkserver.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading
import time

__all__ = ["die_with_parent", "set_process_name", "watch_server"]

PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15


def die_with_parent(expected_parent: int | None = None) -> bool:
    """Have the kernel SIGKILL this process when its parent dies; True if set up.

    ``expected_parent``: the parent's pid as seen before the call; if the parent has changed
    (it died already), exit now.
    """
    ok = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            ok = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(1)
    return ok


def set_process_name(name: str) -> None:
    """Name this process for ps/top (``/proc/PID/comm``, 15 bytes): operators and the
    benchmark's memory report tell the template from the workers by it."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def watch_server(server_pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process as soon as ``server_pid`` is gone."""

    def wait() -> None:
        try:
            fd = os.pidfd_open(server_pid)
        except (AttributeError, OSError):
            while os.getppid() == server_pid:
                time.sleep(0.2)
        else:
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            while not poller.poll(None):
                pass
        os._exit(0)

    t = threading.Thread(target=wait, name="itskg-lifeline", daemon=True)
    t.start()
    return t


def _in_forkserver() -> bool:
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "main" and frame.f_code.co_filename.endswith(
                os.path.join("multiprocessing", "forkserver.py")):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


if _in_forkserver():  # preloaded by the executor: tie the forkserver to the server
    # (no PDEATHSIG here: the forkserver's parent thread may be a short-lived pool thread)
    watch_server(os.getppid())
