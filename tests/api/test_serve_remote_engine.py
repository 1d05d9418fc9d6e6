"""`itskg serve` in front of a remote engine (Oxigraph server, Virtuoso): two servers on one
engine answer the same queries while an import commits (old answer or new, never a mix), keep
the endpoint's protections (SERVICE refused before forwarding, read-only, row cap flagged) and
the CLI works against the URL. (The whole /sparql protocol suite also runs in front of both:
tests/api/routes/test_sparql_protocol.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from engines import Engine, free_port

from itskg.graph.backends import open_store
from itskg.graph.config import Settings
from itskg.graph.store import Layer

EX = "http://example.org/"
JSON = {"Accept": "application/sparql-results+json"}
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}"


def _count(client: httpx.Client, url: str) -> int:
    r = client.get(url, params={"query": COUNT}, headers=JSON)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(request: pytest.FixtureRequest, start_engine: Callable[[str], Engine]) -> Engine:
    eng = start_engine(request.param)
    with open_store(Settings(**eng.settings()), read_only=False) as st:
        st.replace_layers([Layer("base", "Base", "".join(
            f"<{EX}a{i}> <{EX}p> <{EX}b> .\n" for i in range(50)).encode())], rules=[])
    return eng


def _env(eng: Engine) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ITSKG_")}
    env.update({"ITSKG_STORE": eng.query_url, "ITSKG_STORE_UPDATE": eng.update_url,
                "ITSKG_STORE_ENGINE": eng.name, "ITSKG_QUERY_WORKERS": "1",
                "ITSKG_MAX_ROWS": "10"})
    if eng.gsp_url:
        env["ITSKG_STORE_GSP"] = eng.gsp_url
    return env


@pytest.fixture(scope="module")
def servers(engine: Engine) -> Iterator[list[str]]:
    procs, urls = [], []
    for _ in range(2):
        port = free_port()
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "itskg.api", "serve", "--port", str(port)], env=_env(engine),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        urls.append(f"http://127.0.0.1:{port}/sparql")
    try:
        with httpx.Client(timeout=10) as c:
            for url, proc in zip(urls, procs, strict=True):
                for _ in range(300):
                    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
                    try:
                        c.get(url, params={"query": "ASK {}"}, headers=JSON).raise_for_status()
                        break
                    except httpx.HTTPError:
                        time.sleep(0.1)
        yield urls
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
            if p.stderr is not None:
                p.stderr.close()


def test_two_servers_answer_while_an_import_commits(engine: Engine, servers: list[str],
                                                    tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(6_000)))
    code = ("import sys; from pathlib import Path\n"
            "from itskg.graph.backends import open_store\n"
            "from itskg.graph.config import Settings\n"
            "from itskg.graph.store import Layer\n"
            "with open_store(Settings(), read_only=False) as st:\n"
            "    st.replace_layers([Layer('big', 'Big', Path(sys.argv[1]))], rules=[])\n")
    with httpx.Client(timeout=30) as client:
        old = {_count(client, u) for u in servers}
        assert old == {50}
        writer = subprocess.Popen([sys.executable, "-c", code, str(big)], env=_env(engine))
        seen: set[int] = set()
        while writer.poll() is None:
            for u in servers:
                seen.add(_count(client, u))
        assert writer.returncode == 0
        assert seen <= {50, 6_050}, seen  # old or new, never a part of the upload
        deadline = time.monotonic() + 10
        while {_count(client, u) for u in servers} != {6_050}:
            assert time.monotonic() < deadline, "the servers did not follow the commit"
            time.sleep(0.2)


def test_protections_hold_in_front_of_the_engine(servers: list[str]) -> None:
    url = servers[0]
    with httpx.Client(timeout=30) as client:
        r = client.get(url, params={"query": "SELECT * WHERE { SERVICE <http://example.org/s>"
                                             " { ?s ?p ?o } }"}, headers=JSON)
        assert r.status_code == 403 and "SERVICE" in r.text  # refused, never forwarded
        r = client.post(url, data={"update": f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}"})
        assert r.status_code in (401, 403), r.text
        r = client.get(url, params={"query": f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }}"},
                       headers=JSON)
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 10  # ITSKG_MAX_ROWS
        assert any("truncat" in k.lower() or "truncat" in v.lower()
                   for k, v in r.headers.items()), dict(r.headers)


def test_cli_commands_on_the_engine(engine: Engine) -> None:
    def itskg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "itskg.api", *args], env=_env(engine),
                              capture_output=True, text=True, timeout=120)

    r = itskg("sources")
    assert r.returncode == 0 and "base" in r.stdout, r.stderr
    r = itskg("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX}p> ?o }}", "--format", "csv")
    assert r.returncode == 0 and r.stdout.split()[-1].isdigit(), r.stderr
    r = itskg("query", "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    assert r.returncode == 7 and "SERVICE" in r.stderr
