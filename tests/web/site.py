"""One small real itskg site for the page tests: a store and a live server, shared per session.

The store holds the reference layer (ontology, vocabularies, the 136 real academies, NUTS,
ATECO), a small ESCO subset and a synthetic ecosystem at scale 300, built once per test
session (about 6 s) under pytest's base temporary directory. The server is uvicorn in a
thread on 127.0.0.1 with the real ``create_app``; it stops when the last user releases it.
Used by tests/web (browser) and tests/api/pages/test_explorer.py, test_resources.py (HTTP).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from itskg.api.app import create_app
from itskg.graph.build import reference_layers
from itskg.graph.config import Settings
from itskg.graph.store import KnowledgeStore

SCALE = 300


@dataclass
class Site:
    url: str
    store: Path
    server: uvicorn.Server
    thread: threading.Thread
    users: int = 0


_site: dict[str, Site] = {}


def build_site_store(path: Path) -> Path:
    """Reference layer + ESCO subset + synthetic ecosystem (skips without the ESCO export)."""
    from itskg.graph.synthetic.ecosystem import build_synthetic
    from tests.graph.synthetic.test_synthetic import esco_subset_layer

    if (path / "CURRENT").exists():
        return path
    esco = esco_subset_layer(per_profile=6)
    from itskg.graph.importers.pipeline import import_table
    from tests.conftest import SHARED_DATA

    with KnowledgeStore.open(path, read_only=False) as st:
        st.replace_layers([*reference_layers(), esco], fresh=True)
        # the real S3 layer (the map's S3 indicators and the S3 questions)
        import_table(st, "s3", SHARED_DATA / "s3" / "s3_priority_domains_it.csv", source="s3",
                     shacl=False)
        build_synthetic(st, scale=SCALE, seed=7)
    return path


def acquire(factory: pytest.TempPathFactory) -> Site:
    """The shared site (built and started on first use)."""
    if "site" not in _site:
        store = build_site_store(factory.getbasetemp() / "web-site" / "store")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        from tests.conftest import SHARED_DATA

        settings = Settings(store=store, base_url=url, query_workers=2, query_timeout=20,
                            geo_dir=SHARED_DATA / "geo")
        server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning",
                                               lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test site did not start")
            time.sleep(0.01)
        _site["site"] = Site(url, store, server, thread)
    site = _site["site"]
    site.users += 1
    return site


def release(site: Site) -> None:
    """Stop the server when its last user is done."""
    site.users -= 1
    if site.users <= 0 and _site.get("site") is site:
        site.server.should_exit = True
        site.thread.join(15)
        del _site["site"]
