"""A real itskg server on 127.0.0.1 (uvicorn in a thread) over a small store built here."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from engines import Engine
from fastapi import FastAPI

from itskg.api.app import create_app
from itskg.graph.config import Settings
from itskg.graph.namespaces import graph_iri
from itskg.graph.rdfwriter import NTriplesWriter
from itskg.graph.store import KnowledgeStore, Layer

EX = "http://example.org/"
ADMIN_TOKEN = "s3cret-token"
COMPANIES = 1200  # 3 triples each: enough for a cartesian product that never ends
MAX_ROWS = 1000


def _academies() -> bytes:
    w = NTriplesWriter()
    for i in range(20):
        s = f"{EX}academy/{i}"
        w.iri(s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"{EX}Academy")
        w.lit(s, f"{EX}name", f"Academy {i}", lang="it")
        w.lit(s, f"{EX}rank", i)
    # tricky literals for serialisers: comma, quote, tab, newline, non-ASCII, SERVICE word
    w.lit(f"{EX}academy/0", f"{EX}note", 'a, "quoted"\tvalue\nwith SERVICE and àèì')
    return w.to_bytes()


def _companies() -> bytes:
    w = NTriplesWriter()
    for i in range(COMPANIES):
        s = f"{EX}company/{i}"
        w.iri(s, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"{EX}Company")
        w.lit(s, f"{EX}name", f"Company {i}")
        w.iri(s, f"{EX}memberOf", f"{EX}academy/{i % 20}")
    return w.to_bytes()


def test_layers() -> list[Layer]:
    """The three layers every server of these tests serves."""
    return [
        Layer("academies", "Test academies", _academies(), license="CC-BY-4.0"),
        Layer("companies", "Test companies", _companies(), kind="synthetic"),
        Layer("scratch", "Disposable layer", f"<{EX}x> <{EX}y> <{EX}z> .".encode()),
    ]


test_layers.__test__ = False  # type: ignore[attr-defined]


def build_store(root: Path) -> Path:
    with KnowledgeStore.open(root, read_only=False) as st:
        st.replace_layers(test_layers(), rules=[])
    return root


ACADEMIES_G = graph_iri("academies")
COMPANIES_G = graph_iri("companies")
SCRATCH_G = graph_iri("scratch")


@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def _start(settings: Settings) -> tuple[LiveServer, uvicorn.Server, threading.Thread]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    settings = settings.model_copy(update={"base_url": url})
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    return LiveServer(url, app, settings), server, thread


# what every /sparql server of these tests is given (the protocol tests rely on them)
LIVE_SETTINGS = {"query_timeout": 1.5, "query_workers": 2, "max_rows": MAX_ROWS,
                 "admin_token": ADMIN_TOKEN, "cors_origins": ["https://example.net"]}


@pytest.fixture(scope="session")
def live_local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server over a 3-layer store: timeout 1.5 s, 2 workers, row cap 1000, admin token."""
    store = build_store(tmp_path_factory.mktemp("api") / "store")
    srv, server, thread = _start(Settings(store=store, **LIVE_SETTINGS))  # type: ignore[arg-type]
    yield srv
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def live(live_local: LiveServer) -> LiveServer:
    """The server over the local store (see ``live_local``)."""
    return live_local


@pytest.fixture(scope="session")
def live_on(live_local: LiveServer, start_engine: Callable[..., Engine]
            ) -> Iterator[Callable[[str], LiveServer]]:
    """``live_on(backend)``: the same server (same layers, same settings) in front of
    'local', 'oxigraph' or 'virtuoso'; a remote engine is started once per session, loaded
    through itskg's own import path, and stopped at the end (a backend that cannot start
    fails the test, never skips it)."""
    servers: dict[str, LiveServer] = {"local": live_local}
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def get(backend: str) -> LiveServer:
        if backend not in servers:
            from itskg.graph.backends import open_store

            # the engine's own deadline stops a query the server gave up on (Oxigraph server
            # takes none per request; Virtuoso gets the deadline with each query)
            eng = start_engine(backend, **({"timeout_s": 5} if backend == "oxigraph" else {}))
            with open_store(Settings(**eng.settings()), read_only=False) as st:  # type: ignore[arg-type]
                st.replace_layers(test_layers(), rules=[])
            servers[backend] = _launch(
                Settings(**eng.settings(**LIVE_SETTINGS)), running)  # type: ignore[arg-type]
        return servers[backend]

    yield get
    _stop_all(running)


@pytest.fixture
def live_factory_on(tmp_path: Path, start_engine: Callable[..., Engine]) -> Iterator:
    """``make(backend, **settings)``: a new server over its own copy of the layers on
    'local' (a new store directory) or a new 'oxigraph' / 'virtuoso' engine, for tests that
    change data or settings."""
    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def make(backend: str, **kw: object) -> LiveServer:
        if backend == "local":
            settings = Settings(store=build_store(tmp_path / f"store{len(started)}"), **kw)  # type: ignore[arg-type]
        else:
            from itskg.graph.backends import open_store

            eng = start_engine(backend)
            with open_store(Settings(**eng.settings()), read_only=False) as st:  # type: ignore[arg-type]
                st.replace_layers(test_layers(), rules=[])
            settings = Settings(**eng.settings(**kw))  # type: ignore[arg-type]
        return _launch(settings, started)

    yield make
    _stop_all(started)


@pytest.fixture
def live_factory(tmp_path: Path) -> Iterator:
    """Start extra servers (own store) for tests that change data or settings."""
    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def make(**kw: object) -> LiveServer:
        store = build_store(tmp_path / f"store{len(started)}")
        return _launch(Settings(store=store, **kw), started)  # type: ignore[arg-type]

    yield make
    _stop_all(started)


def _launch(settings: Settings, started: list[tuple[uvicorn.Server, threading.Thread]]
            ) -> LiveServer:
    """Start a server for ``settings`` and remember it for ``_stop_all``."""
    srv, server, thread = _start(settings)
    started.append((server, thread))
    return srv


def _stop_all(started: list[tuple[uvicorn.Server, threading.Thread]]) -> None:
    for server, thread in started:
        server.should_exit = True
        thread.join(10)

