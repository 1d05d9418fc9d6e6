"""Operations on a store (issue 12, failure 9): backup and restore while serving, refusal of
corrupt and partial backups, cleanup of a killed import's generation, disk-full and
permission errors as one line with their exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from itskg.api.cli.main import app
from itskg.graph.backup import INDEX, backup, cleanup, restore, verify_backup
from itskg.graph.errors import BackupError, StoreLockedError
from itskg.graph.store import KnowledgeStore, Layer, current_generation

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
runner = CliRunner()


def _nt(n: int, tag: str = "a") -> bytes:
    return "".join(f'<{EX}{tag}/{i}> <{EX}p> "v{i}" .\n' for i in range(n)).encode()


def _store(root: Path, n: int = 500) -> Path:
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers([Layer("base", "Base", _nt(n))], rules=[])
    return root


def _count(url: str) -> int:
    r = httpx.get(url + "/sparql", params={"query": COUNT})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_backup_and_restore_round_trip_while_serving(live_factory, tmp_path: Path) -> None:
    srv = live_factory(query_workers=1)
    root = srv.settings.store
    before = _count(srv.url)
    res = runner.invoke(app, ["backup", str(tmp_path / "bk"), "--store", str(root)])
    assert res.exit_code == 0, res.output
    meta = json.loads((tmp_path / "bk" / INDEX).read_text())
    assert meta["generation"] == current_generation(root) and meta["files"]
    assert all(len(f["sha256"]) == 64 for f in meta["files"].values())
    with KnowledgeStore.open(root, read_only=False) as st:  # the data change after the backup
        st.replace_layers([Layer("later", "Later", _nt(300, "later"))], rules=[])
    deadline = time.monotonic() + 10
    while _count(srv.url) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _count(srv.url) > before
    res = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--store", str(root)])
    assert res.exit_code == 0, res.output
    deadline = time.monotonic() + 10
    while _count(srv.url) != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _count(srv.url) == before  # the running server follows the restore by itself
    with KnowledgeStore.open(root) as st:
        assert st.layer("later") is None and st.layer("academies") is not None
        assert "restored" in st.generation


def test_restore_refuses_corrupt_and_partial_backups(tmp_path: Path) -> None:
    root = _store(tmp_path / "store")
    gen = current_generation(root)
    good = backup(root, tmp_path / "good")
    verify_backup(good.path)

    def damaged(name: str, harm) -> Path:
        dest = tmp_path / name
        subprocess.run(["cp", "-a", str(good.path), str(dest)], check=True)
        harm(dest)
        return dest

    def flip(d: Path) -> None:
        f = max((p for p in (d / "generation").rglob("*") if p.is_file()),
                key=lambda p: p.stat().st_size)
        data = bytearray(f.read_bytes())
        data[len(data) // 2] ^= 0xFF
        f.write_bytes(bytes(data))

    def drop(d: Path) -> None:
        next(p for p in (d / "generation").rglob("*.sst")).unlink()

    cases = {
        damaged("corrupt", flip): "checksum",
        damaged("partial", drop): "partial",
        damaged("noindex", lambda d: (d / INDEX).unlink()): "BACKUP.json",
        damaged("x.partial", lambda d: None): "interrupted",
    }
    for path, word in cases.items():
        with pytest.raises(BackupError, match=word):
            restore(path, root)
        res = runner.invoke(app, ["restore", str(path), "--store", str(root)])
        assert res.exit_code == 14, res.output
        assert current_generation(root) == gen  # the store was not touched
    assert len([p for p in (root / "db").iterdir() if p.is_dir()]) == 1


def test_backup_refuses_an_existing_destination_and_an_empty_store(tmp_path: Path) -> None:
    root = _store(tmp_path / "store", 10)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    res = runner.invoke(app, ["backup", str(tmp_path / "used"), "--store", str(root)])
    assert res.exit_code == 4 and "already exists" in res.output
    res = runner.invoke(app, ["backup", str(tmp_path / "b"), "--store", str(tmp_path / "none")])
    assert res.exit_code == 4 and "empty" in res.output


def test_cleanup_removes_a_killed_imports_generation(tmp_path: Path) -> None:
    root = _store(tmp_path / "store", 10)
    gen = current_generation(root)
    with KnowledgeStore.open(root) as st:
        n = len(st)
    big = tmp_path / "big.nt"
    big.write_bytes(_nt(400_000, "big"))
    code = ("import sys; from pathlib import Path\n"
            "from itskg.graph.store import KnowledgeStore, Layer\n"
            "s = KnowledgeStore.open(sys.argv[1], read_only=False)\n"
            "s.replace_layers([Layer('big', 'Big', Path(sys.argv[2]))], rules=[])\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(root), str(big)])
    deadline = time.time() + 60
    while time.time() < deadline:
        if len([p for p in (root / "db").iterdir() if p.is_dir()]) > 1:
            break
        time.sleep(0.01)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    left = [p for p in (root / "db").iterdir() if p.is_dir() and p.name != gen]
    assert left, "the killed import should have left its half-built generation"
    res = runner.invoke(app, ["cleanup", "--store", str(root)])
    assert res.exit_code == 0, res.output
    assert [p.name for p in (root / "db").iterdir() if p.is_dir()] == [gen]
    assert current_generation(root) == gen
    with KnowledgeStore.open(root) as st:
        assert len(st) == n


def test_cleanup_leaves_a_running_import_alone(tmp_path: Path) -> None:
    root = _store(tmp_path / "store", 10)
    with KnowledgeStore.open(root, read_only=False) as st, st._write_lock():
        with pytest.raises(StoreLockedError):
            cleanup(root)


@contextlib.contextmanager
def _small_disk(tmp_path: Path):
    """A 3 MB tmpfs when we may mount one; else a 3 MB file-size limit (EFBIG)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
        capture_output=True).returncode == 0

    def limit() -> None:
        if not mounted:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (3 << 20, 3 << 20))

    try:
        yield mnt, limit
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_is_one_line_with_exit_code_12_and_the_store_intact(tmp_path: Path) -> None:
    with _small_disk(tmp_path) as (mnt, limit):
        root = mnt / "store"
        small = tmp_path / "small.nt"
        small.write_bytes(_nt(200))
        code = ("import sys; from pathlib import Path\n"
                "from itskg.graph.store import KnowledgeStore, Layer\n"
                "s = KnowledgeStore.open(sys.argv[1], read_only=False)\n"
                "s.replace_layers([Layer('base', 'Base', Path(sys.argv[2]))], rules=[])\n")
        subprocess.run([sys.executable, "-c", code, str(root), str(small)], check=True)
        gen = current_generation(root)
        big = tmp_path / "big.ttl"
        big.write_text("@prefix ex: <http://example.org/> .\n" + "".join(
            f'ex:s{i} ex:p "{"x" * 60}{i}" .\n' for i in range(120_000)))
        with KnowledgeStore.open(root) as st:
            n = len(st)
        proc = subprocess.run(
            [sys.executable, "-c",
             "import sys; from pathlib import Path\n"
             "from itskg.api.cli.common import _handle\n"
             "from itskg.graph.store import KnowledgeStore, Layer\n"
             "@_handle\n"
             "def go():\n"
             "    with KnowledgeStore.open(sys.argv[1], read_only=False) as s:\n"
             "        s.replace_layers([Layer('big', 'Big', Path(sys.argv[2]), format='ttl')],"
             " rules=[])\n"
             "import typer\n"
             "try:\n    go()\nexcept typer.Exit as e:\n    sys.exit(e.exit_code)\n",
             str(root), str(big)],
            capture_output=True, text=True, preexec_fn=limit, timeout=120)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 12, proc.stderr[-2000:]
        assert len(lines) <= 2 and "No space left" in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr
        assert current_generation(root) == gen
        assert [p.name for p in (root / "db").iterdir() if p.is_dir()] == [gen]
        with KnowledgeStore.open(root) as st:
            assert len(st) == n


def test_permission_denied_is_one_line_with_exit_code_13(tmp_path: Path) -> None:
    root = _store(tmp_path / "store", 10)
    res = runner.invoke(app, ["backup", "/sys/itskg-backup-test", "--store", str(root)])
    assert res.exit_code == 13, res.output
    assert "Permission denied" in res.output and "Traceback" not in res.output
