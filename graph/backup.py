"""Operations on a store directory: backup, restore, and cleanup of abandoned generations.

A store generation is immutable once committed (``itskg.graph.store``), so a consistent
backup needs no pause: ``backup`` holds a reader lock on the CURRENT generation (so no
writer can collect it meanwhile), copies its files, and writes a ``BACKUP.json`` with the
size and SHA-256 of every file. The copy is made under ``DEST.partial`` and renamed to
``DEST`` only when complete, so an interrupted backup is never mistaken for a good one.

``restore`` checks everything before it touches the store: the backup format, that every
listed file is there with its size and checksum, that no file is missing or extra, and that
the database opens and holds the number of triples the manifest records. Only then, under
the store's write lock (an import in progress makes it fail with StoreLockedError), does it
copy the generation in under a new name and switch CURRENT atomically; a running
``itskg serve`` follows the switch by itself at its next query, as after an import.

``cleanup`` removes what a killed ``itskg import``/``build`` leaves behind: generations that
never committed (no manifest), old generations no reader holds any more, and temporary files
and folders. It runs under the write lock, so it can never remove the work of a live writer;
``itskg serve`` runs it at start-up, ``itskg cleanup`` on demand.

Disk-full and permission errors become ``StoreFullError`` / ``StorePermissionError``
(exit codes 12 and 13) with one line saying what to do; a bad backup is ``BackupError`` (14).

>>> import tempfile, pathlib
>>> from itskg.graph.store import Layer
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> with KnowledgeStore.open(tmp / "store", read_only=False) as st:
...     _ = st.replace_layers([Layer("demo", "Demo", b'<http://a> <http://b> "c" .')], rules=[])
>>> report = backup(tmp / "store", tmp / "kg-backup")
>>> report.files > 0 and report.triples > 0
True
>>> "restored" in restore(report.path, tmp / "store")
True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itskg.graph.errors import BackupError, StoreError, os_error
from itskg.graph.rdfwriter import sha256_file
from itskg.graph.store import (
    KnowledgeStore,
    _atomic_write,
    count_quads,
    current_generation,
    generation_file,
)

__all__ = [
    "BACKUP_FORMAT",
    "BackupReport",
    "CleanupReport",
    "backup",
    "cleanup",
    "restore",
    "verify_backup",
]

BACKUP_FORMAT = "itskg-backup/1"
INDEX = "BACKUP.json"
Progress = Callable[[str], None]

@contextlib.contextmanager
def _os_errors(doing: str) -> Iterator[None]:
    try:
        yield
    except OSError as err:
        mapped = os_error(err, doing)
        if mapped is None:
            raise
        raise mapped from err


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@dataclass
class BackupReport:
    """What ``backup`` wrote: where, which generation, how many files and bytes, how long."""

    path: Path
    generation: str
    files: int
    bytes: int
    triples: int
    seconds: float


@contextlib.contextmanager
def _reader_lock(root: Path, gen: str) -> Iterator[None]:
    """Hold the shared reader lock of ``gen`` so no writer collects it meanwhile."""
    fh = (root / "db" / f"{gen}.readers").open("a")
    try:
        fcntl.flock(fh, fcntl.LOCK_SH)
        if current_generation(root) != gen and not (root / "db" / gen).is_dir():
            raise StoreError(f"The generation {gen} disappeared while starting the backup; "
                             "run the backup again.")
        yield
    finally:
        fh.close()


def backup(store: Path | str, dest: Path | str, progress: Progress | None = None
           ) -> BackupReport:
    """Copy the CURRENT generation of ``store`` to the new folder ``dest``, with checksums.

    Safe while ``itskg serve`` runs and while an import runs (the import writes a new
    generation; the backup keeps the one that was current when it started).
    Raises StoreError (empty store), ConfigError-like StoreError if ``dest`` exists,
    StoreFullError, StorePermissionError.
    """
    say = progress or (lambda _m: None)
    root, dest = Path(store).expanduser(), Path(dest).expanduser()
    t0 = time.perf_counter()
    gen = current_generation(root)
    if gen is None:
        raise StoreError(f"No graph in {root} to back up: the store is empty or missing.")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise StoreError(f"The backup destination {dest} already exists; choose a new folder.")
    partial = dest.with_name(dest.name + ".partial")
    with _os_errors(f"writing the backup to {dest}"), _reader_lock(root, gen):
        src = root / "db" / gen
        manifest = json.loads((root / "db" / f"{gen}.json").read_text())
        if partial.exists():
            shutil.rmtree(partial)
        (partial / "generation").mkdir(parents=True)
        index: dict[str, Any] = {}
        files = _files(src)
        for i, f in enumerate(files, 1):
            rel = f.relative_to(src)
            out = partial / "generation" / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, out)
            index[str(rel)] = {"size": out.stat().st_size, "sha256": sha256_file(out)}
            if i % 20 == 0 or i == len(files):
                say(f"copied {i}/{len(files)} files")
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=1))
        triples = sum(int(d.get("triples") or 0) for d in manifest["layers"].values())
        meta = {"format": BACKUP_FORMAT, "generation": gen, "store": str(root),
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "triples": triples, "files": index,
                "manifest_sha256": sha256_file(partial / "manifest.json")}
        _atomic_write(partial / INDEX, json.dumps(meta, indent=1))
        if dest.is_dir():
            dest.rmdir()  # an empty folder given as destination
        os.replace(partial, dest)
    size = _size(dest)
    return BackupReport(dest, gen, len(index), size, triples, time.perf_counter() - t0)


def verify_backup(src: Path | str) -> dict[str, Any]:
    """Check a backup folder completely; return its BACKUP.json. Raises BackupError."""
    src = Path(src).expanduser()
    if src.name.endswith(".partial"):
        raise BackupError(f"{src} is an interrupted backup (its name ends in .partial); "
                          "make a new backup.")
    idx = src / INDEX
    if not idx.is_file():
        raise BackupError(f"{src} is not an itskg backup, or an incomplete one: {INDEX} is "
                          "missing.")
    try:
        meta = json.loads(idx.read_text())
    except ValueError as err:
        raise BackupError(f"{idx} is damaged: {err}.") from err
    if meta.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{src}: unknown backup format {meta.get('format')!r} "
                          f"(this itskg reads {BACKUP_FORMAT}).")
    gen_dir = src / "generation"
    listed = meta.get("files") or {}
    present = {str(p.relative_to(gen_dir)) for p in _files(gen_dir)} if gen_dir.is_dir() else set()
    missing = sorted(set(listed) - present)
    extra = sorted(present - set(listed))
    if missing or extra:
        raise BackupError(f"{src} is partial or altered: missing {missing[:5]}, unexpected "
                          f"{extra[:5]}. Restore from another backup.")
    for rel, want in listed.items():
        f = gen_dir / rel
        if f.stat().st_size != want["size"] or sha256_file(f) != want["sha256"]:
            raise BackupError(f"{src}: the file {rel} does not match its checksum (corrupt "
                              "copy). Restore from another backup.")
    man = src / "manifest.json"
    if not man.is_file() or sha256_file(man) != meta.get("manifest_sha256"):
        raise BackupError(f"{src}: manifest.json is missing or does not match its checksum.")
    return meta


def restore(src: Path | str, store: Path | str, progress: Progress | None = None) -> str:
    """Make the backup at ``src`` the CURRENT generation of ``store``; return its new name.

    Everything is verified first (``verify_backup``, then the database is opened and its
    triples counted); the store is not touched when anything is wrong. Raises BackupError,
    StoreLockedError (an import is running), StoreFullError, StorePermissionError.
    """
    say = progress or (lambda _m: None)
    src, root = Path(src).expanduser(), Path(store).expanduser()
    say("verifying checksums")
    meta = verify_backup(src)
    with _os_errors(f"restoring into {root}"):
        (root / "db").mkdir(parents=True, exist_ok=True)
        st = KnowledgeStore(root, read_only=False)
        with st._write_lock():
            new_gen = (dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-restored-"
                       + uuid.uuid4().hex[:6])
            target = root / "db" / new_gen
            try:
                say(f"copying generation {meta['generation']} as {new_gen}")
                shutil.copytree(src / "generation", target)
                say("checking the restored database")
                try:
                    n = count_quads(target)
                except OSError as err:
                    raise BackupError(f"{src}: the database does not open: {err}") from err
                if meta.get("triples") and n < int(meta["triples"]):
                    raise BackupError(f"{src}: the database holds {n:,} quads, fewer than the "
                                      f"{int(meta['triples']):,} its manifest records.")
                manifest = json.loads((src / "manifest.json").read_text())
                manifest["generation"] = new_gen
                manifest["restored_from"] = {"path": str(src), "generation": meta["generation"],
                                             "created": meta.get("created")}
                _atomic_write(root / "db" / f"{new_gen}.json", json.dumps(manifest, indent=1))
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                with contextlib.suppress(FileNotFoundError):
                    (root / "db" / f"{new_gen}.json").unlink()
                raise
            _atomic_write(generation_file(root), new_gen)
    say(f"restored generation {meta['generation']} as {new_gen}")
    return new_gen


@dataclass
class CleanupReport:
    """What ``cleanup`` removed (paths) and the bytes freed."""

    removed: list[str] = field(default_factory=list)
    bytes: int = 0


def cleanup(store: Path | str) -> CleanupReport:
    """Remove abandoned generations, unreferenced old ones and temporary files of ``store``.

    Runs under the write lock: raises StoreLockedError while an import runs (its generation
    is not abandoned). Generations held by a reader (a server still answering from it) stay.
    """
    root = Path(store).expanduser()
    report = CleanupReport()
    dbdir = root / "db"
    if not dbdir.is_dir():
        return report
    with _os_errors(f"cleaning {root}"):
        st = KnowledgeStore(root, read_only=False)
        with st._write_lock():
            cur = current_generation(root)
            for p in sorted(dbdir.iterdir()):
                if p.is_dir() and p.name != cur:
                    fh = (dbdir / f"{p.name}.readers").open("a")
                    try:
                        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        fh.close()
                        continue  # a reader still uses it
                    try:
                        report.bytes += _size(p)
                        shutil.rmtree(p, ignore_errors=True)
                        report.removed.append(str(p))
                        for suffix in (".json", ".readers"):
                            with contextlib.suppress(FileNotFoundError):
                                (dbdir / f"{p.name}{suffix}").unlink()
                    finally:
                        fh.close()
                elif p.is_file() and (".tmp" in p.suffix or (
                        p.suffix in (".json", ".readers") and p.stem != cur
                        and not (dbdir / p.stem).exists())):
                    report.bytes += p.stat().st_size
                    p.unlink()
                    report.removed.append(str(p))
            for p in root.iterdir():  # temporary folders of a killed copy step, CURRENT.tmpN
                if (p.is_dir() and p.name.startswith("tmp")) or ".tmp" in p.name:
                    report.bytes += _size(p)
                    if p.is_dir():
                        shutil.rmtree(p, ignore_errors=True)
                    else:
                        p.unlink()
                    report.removed.append(str(p))
    return report
