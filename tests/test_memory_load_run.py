"""A short load run on a server that serves from memory (issue 10): answers stay correct while
a forked worker is killed, an import commits a new generation, and the server is restarted.

8 clients send counting and ASK queries to a real ``itskg serve`` (ITSKG_SERVE_FROM=memory)
on 127.0.0.1. Every answer must be the right one for a generation of the store, and every
query *sent after the import committed* must see the new generation (the server bridges on
disk until the new in-memory copy is swapped in). Only 200 and the documented 503 are
allowed; connection errors only while the server is down.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from test_load_and_faults import Server, descendants

from itskg.graph.store import KnowledgeStore, Layer

pytestmark = pytest.mark.server
EX = "http://example.org/"
N, M = 600, 90  # A-typed subjects before and added by the import
COUNT_A = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{EX}A> }}"
ASKS = {f"ASK {{ <{EX}s3> a <{EX}A> }}": True, f"ASK {{ <{EX}s4> a <{EX}B> }}": True,
        f"ASK {{ <{EX}s4> a <{EX}A> }}": False}


def _layer(source: str, start: int, n: int, every: int) -> Layer:
    lines = []
    for i in range(start, start + n):
        kind = "A" if i % every == 0 else "B"
        lines += [f"<{EX}s{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}{kind}> .",
                  f'<{EX}s{i}> <{EX}name> "S {i}" .']
    return Layer(source, source.title(), ("\n".join(lines) + "\n").encode())


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def test_answers_stay_right_through_a_killed_worker_an_import_and_a_restart(
        tmp_path: Path) -> None:
    store = tmp_path / "store"
    with KnowledgeStore.open(store, read_only=False) as st:
        st.replace_layers([_layer("data", 0, 3 * N, 3)], rules=[])
    srv = Server(store, query_timeout=10, query_workers=2, client_budget=0,
                 serve_from="memory").start()
    statuses: Counter[object] = Counter()
    wrong: list[str] = []
    committed = [float("inf")]  # monotonic time the import's commit returned
    down = threading.Event()
    stop = threading.Event()
    lock = threading.Lock()

    def client(i: int) -> None:
        rnd = random.Random(i)
        with httpx.Client(timeout=30) as c:
            while not stop.is_set():
                q = COUNT_A if rnd.random() < 0.5 else rnd.choice(list(ASKS))
                sent = time.monotonic()
                try:
                    r = c.get(srv.url + "/sparql", params={"query": q})
                except httpx.TransportError:
                    with lock:
                        statuses["down" if down.is_set() else "transport-error"] += 1
                    time.sleep(0.1)
                    continue
                with lock:
                    statuses[r.status_code] += 1
                if r.status_code != 200:
                    continue
                data = r.json()
                if q == COUNT_A:
                    got = int(data["results"]["bindings"][0]["n"]["value"])
                    ok = {N + M} if sent > committed[0] else {N, N + M}
                else:
                    got, ok = data["boolean"], {ASKS[q]}
                if got not in ok:
                    with lock:
                        wrong.append(f"{q}: {got} not in {ok} (sent {sent - committed[0]:+.2f} s "
                                     "after the commit)")

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(8)]
    try:
        for t in threads:
            t.start()
        time.sleep(1.0)
        workers = [p for p in descendants(srv.proc.pid) if _comm(p) == "itskg-mem-main"]
        assert workers, "no forked worker found"
        os.kill(workers[0], signal.SIGKILL)
        time.sleep(0.5)
        with KnowledgeStore.open(store, read_only=False) as st:  # a new generation
            st.replace_layers([_layer("extra", 3 * N, M, 1)], rules=[])
        committed[0] = time.monotonic()
        time.sleep(1.5)
        workers = [p for p in descendants(srv.proc.pid) if _comm(p).startswith("itskg-")]
        with contextlib.suppress(ProcessLookupError):
            os.kill(workers[-1], signal.SIGKILL)
        time.sleep(0.5)
        down.set()
        srv.kill()
        srv.start()
        down.clear()
        time.sleep(1.5)
        stop.set()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        health = httpx.get(srv.url + "/health", timeout=10).json()
    finally:
        stop.set()
        srv.stop()
    assert wrong == []
    assert statuses["transport-error"] == 0, statuses
    assert set(statuses) <= {200, 503, "down"}, statuses
    assert statuses[200] >= 100 and statuses[200] >= 0.9 * (statuses[200] + statuses[503])
    assert health["source"] == "memory"
