"""Serving from memory (issue 10, item 1): the template, forked workers, swaps, the budget.

Each test runs a real ``QueryExecutor`` (forkserver, template process, forked workers) over a
small store in a temporary directory; nothing is mocked.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest

from itskg.graph.backends.memory import MemoryStore, estimate_mb
from itskg.graph.errors import WorkerCrashedError
from itskg.graph.sparql.executor import QueryExecutor
from itskg.graph.store import KnowledgeStore, Layer, current_generation

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _layer(source: str, n: int) -> Layer:
    lines = "".join(f'<{EX}{source}/{i}> <{EX}name> "{source} {i}" .\n' for i in range(n))
    return Layer(source, source.title(), lines.encode())


def _count(ex: QueryExecutor) -> int:
    return int(ex.run(COUNT, "csv").body.split(b"\r\n")[1])


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _wait(cond, seconds: float = 60) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def store(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers([_layer("base", 100)], rules=[])
    return root


def test_memory_store_is_a_pinned_copy(store: Path) -> None:
    mem = MemoryStore.load(store)
    with KnowledgeStore.open(store, read_only=False) as st:
        st.replace_layers([_layer("more", 10)], rules=[])
    assert mem.refresh() is False  # a copy never follows CURRENT by itself
    assert mem.generation != current_generation(store)
    with KnowledgeStore.open(store) as disk:
        assert len(mem) < len(disk)
        assert {r.source for r in mem.layers()} == {"base", "inferred", "meta"}


def test_the_dump_is_kept_for_the_next_start_one_generation_at_a_time(store: Path) -> None:
    first = current_generation(store)
    MemoryStore.load(store)
    kept = store / "memcopy" / f"{first}.nq"
    assert kept.is_file() and kept.stat().st_size > 0
    kept.write_bytes(kept.read_bytes() + f'<{EX}cached> <{EX}p> "from the kept copy" .\n'.encode())
    again = MemoryStore.load(store)  # read from the kept copy: no new dump
    assert again.ask(f"ASK {{ <{EX}cached> ?p ?o }}")
    with KnowledgeStore.open(store, read_only=False) as st:
        st.replace_layers([_layer("more", 10)], rules=[])
    MemoryStore.load(store)
    assert sorted(p.name for p in (store / "memcopy").iterdir()) == [
        f"{current_generation(store)}.nq"]


def test_workers_are_forks_of_the_template_and_a_killed_one_is_replaced(store: Path) -> None:
    with QueryExecutor(store, workers=2, lookup_workers=1, source="memory",
                       memory_mb=1024) as ex:
        assert ex.serving["source"] == "memory"
        template = ex.serving["template_pid"]
        pids = ex.pids
        assert len(pids) == 3 and all(_parent(p) == template for p in pids)
        base = _count(ex)
        os.kill(pids[0], signal.SIGKILL)
        for _ in range(6):  # the request on the dead worker is retried once, elsewhere
            assert _count(ex) == base
        assert _wait(lambda: len(ex.pids) == 3 and pids[0] not in ex.pids)
        assert all(_parent(p) == template for p in ex.pids)  # a new fork, no new copy


def test_a_new_generation_is_served_at_once_then_from_a_new_copy(store: Path) -> None:
    with QueryExecutor(store, workers=1, source="memory") as ex:
        old_template = ex.serving["template_pid"]
        before = _count(ex)
        with KnowledgeStore.open(store, read_only=False) as st:
            st.replace_layers([_layer("more", 50)], rules=[])
        new = current_generation(store)
        # a query sent after the commit sees it (served from disk while the copy loads)
        assert _count(ex) > before
        assert _wait(lambda: ex.serving.get("generation") == new)
        assert ex.serving["source"] == "memory" and ex.serving["template_pid"] != old_template
        assert _count(ex) > before
        assert _wait(lambda: not Path(f"/proc/{old_template}").exists()
                     or _state(old_template) in "ZX")  # the old template retired


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


def test_a_killed_template_falls_back_to_disk_and_is_copied_again(store: Path) -> None:
    with QueryExecutor(store, workers=1, lookup_workers=1, source="memory") as ex:
        base = _count(ex)
        template = ex.serving["template_pid"]
        os.kill(template, signal.SIGKILL)  # its workers die with it
        crashed = 0
        for _ in range(6):
            try:
                assert _count(ex) == base
            except WorkerCrashedError:  # the retry may meet a second dead fork: once at most
                crashed += 1
        assert crashed <= 1
        assert _wait(lambda: ex.serving["source"] == "memory"
                     and ex.serving["template_pid"] != template)
        assert _count(ex) == base


def test_a_dead_template_is_noticed_without_a_request(store: Path) -> None:
    # nothing asks its (dead) workers anything: the executor's own watch must notice
    with QueryExecutor(store, workers=1, lookup_workers=0, source="memory") as ex:
        base = _count(ex)
        template = ex.serving["template_pid"]
        os.kill(template, signal.SIGKILL)
        assert _wait(lambda: ex.serving["source"] == "memory"
                     and ex.serving["template_pid"] != template)
        assert _count(ex) == base

def _big_store(tmp_path: Path) -> tuple[Path, int]:
    """A store whose in-memory copy is estimated at 2 MiB or more, and that estimate."""
    root = tmp_path / "big"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers([_layer("big", 6000)], rules=[])
    need = estimate_mb(root, current_generation(root) or "")
    assert need >= 2
    return root, need


def test_the_budget_falls_back_to_disk_and_says_what_to_set(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root, need = _big_store(tmp_path)
    with caplog.at_level(logging.WARNING, logger="itskg.graph.sparql.executor"), \
            QueryExecutor(root, workers=1, source="auto", memory_budget_mb=1) as ex:
        assert ex.serving["source"] == "disk"
        assert _count(ex) >= 6000
    text = caplog.text
    assert "from disk" in text and "ITSKG_SERVE_MEMORY_BUDGET_MB" in text
    assert f"about {need} MiB" in text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="itskg.graph.sparql.executor"), \
            QueryExecutor(root, workers=1, source="memory", memory_budget_mb=1) as ex:
        assert ex.serving["source"] == "memory"  # forced: served from memory, with a warning
        assert _count(ex) >= 6000
    assert "ITSKG_SERVE_FROM=memory" in caplog.text


def test_the_budget_counts_what_each_worker_copies_on_write(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root, copy = _big_store(tmp_path)
    # the copy fits, the copy and two workers' own shares do not
    with caplog.at_level(logging.WARNING, logger="itskg.graph.sparql.executor"), \
            QueryExecutor(root, workers=2, source="auto", memory_budget_mb=copy + 2) as ex:
        assert ex.serving["source"] == "disk"
    assert f"up to {copy} MiB of its own" in caplog.text
    assert "ITSKG_WORKER_RECYCLE_MB" in caplog.text
    # recycling bounds each worker's share: 1 MiB each now fits
    with QueryExecutor(root, workers=2, source="auto", memory_budget_mb=copy + 2,
                       recycle_mb=1) as ex:
        assert ex.serving["source"] == "memory"


def test_disk_mode_starts_no_template(store: Path) -> None:
    with QueryExecutor(store, workers=1, source="disk") as ex:
        assert ex.serving == {"source": "disk", "generation": None}
        assert all(_parent(p) != os.getpid() for p in ex.pids)  # forkserver children
        assert _count(ex) > 0


@pytest.mark.parametrize("source", ["memory", "disk"])
def test_a_worker_past_its_private_memory_limit_is_recycled_between_requests(
        store: Path, source: str, caplog: pytest.LogCaptureFixture) -> None:
    # 1 MiB: any worker passes it (a fresh one already has a few MiB of its own), so the
    # worker is replaced about every second while queries keep coming
    with caplog.at_level(logging.INFO, logger="itskg.graph.sparql.executor"), \
            QueryExecutor(store, workers=1, source=source, recycle_mb=1) as ex:
        first = ex.pids
        answers = []
        deadline = time.monotonic() + 60
        while (ex.recycled < 2 or ex.pids == first) and time.monotonic() < deadline:
            answers.append(_count(ex))  # every answer whole, from some worker
        assert ex.recycled >= 2 and ex.pids != first
        assert set(answers) == {_count(ex)}
        assert _wait(lambda: len(ex.pids) == 1)
    text = caplog.text
    assert "recycling query worker" in text and "ITSKG_WORKER_RECYCLE_MB=1" in text
    assert "died" not in text  # never stopped under a request (a death would be retried)
