"""A process killed (SIGKILL) in the middle of an import leaves the store exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from itskg.graph.build import reference_layers
from itskg.graph.importers.mapbase import vat_check_ok
from itskg.graph.importers.pipeline import import_table
from itskg.graph.store import KnowledgeStore

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"
ROWS = 50_000


def _vat(n: int) -> str:
    base = f"{n:010d}"
    return next(base + d for d in "0123456789" if vat_check_ok(base + d))


def _big_csv(path: Path) -> None:
    provinces = ("BO", "MO", "PR", "FC", "RN", "MI", "TO", "NA")
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id;name;ateco;municipality;province\n")
        for i in range(ROWS):
            fh.write(f"{_vat(1_000_000 + i)};Azienda Sintetica di Test {i} S.r.l.;62.10;"
                     f"Comune {i % 97};{provinces[i % len(provinces)]}\n")


def _state(root: Path) -> tuple:
    with KnowledgeStore.open(root) as st:
        return st.generation, [(r.source, r.triples) for r in st.layers()], len(st)


@pytest.mark.slow
def test_kill_during_replace_layers_leaves_the_store_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers(reference_layers(), fresh=True)
    before = _state(root)
    big = tmp_path / "big.csv"
    _big_csv(big)
    code = ("import sys; from pathlib import Path; "
            "from itskg.graph.store import KnowledgeStore; "
            "from itskg.graph.importers.pipeline import import_table; "
            "st = KnowledgeStore.open(Path(sys.argv[1]), read_only=False); "
            "import_table(st, 'companies', Path(sys.argv[2]), shacl=False)")
    dbdir = root / "db"
    old_dirs = {p.name for p in dbdir.iterdir() if p.is_dir()}
    proc = subprocess.Popen([sys.executable, "-c", code, str(root), str(big)])
    try:
        deadline = time.monotonic() + 120
        new_dir = None
        while time.monotonic() < deadline and proc.poll() is None:
            fresh = [p for p in dbdir.iterdir() if p.is_dir() and p.name not in old_dirs]
            if fresh:
                new_dir = fresh[0]
                break
            time.sleep(0.02)
        assert new_dir is not None, "the import finished or failed before a new generation began"
        time.sleep(0.3)  # let it write into the new generation for a moment
        assert proc.poll() is None, "the import committed before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert _state(root) == before
    # the next import succeeds and the stray generation left by the killed process is gone
    with KnowledgeStore.open(root, read_only=False) as st:
        res = import_table(st, "companies", DATA / "companies_good.csv", shacl=False)
        assert res.record.triples > 0 and st.generation != before[0]
    assert not new_dir.exists()
    after = _state(root)
    assert [s for s, _ in after[1] if s not in {s for s, _ in before[1]}] == [
        "companies-companies-good"]
