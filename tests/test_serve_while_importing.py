"""`itskg serve` and an import on the same store: the server keeps answering, then switches."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from itskg.graph.namespaces import graph_iri
from itskg.graph.store import KnowledgeStore, Layer

EX = "http://example.org/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_import_while_serving_is_safe(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with KnowledgeStore.open(store, read_only=False) as st:
        st.replace_layers([Layer("base", "Base", f"<{EX}a> <{EX}p> <{EX}b> .\n".encode())],
                          rules=[])
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<{EX}s{i}> <{EX}p> "{i}" .\n' for i in range(150_000)))
    port = _free_port()
    env = dict(os.environ, ITSKG_STORE=str(store))
    server = subprocess.Popen([sys.executable, "-m", "itskg.api", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/sparql"
    count_q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(300):
                try:
                    client.get(url, params={"query": "ASK {}"}).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            code = (
                "import sys; from pathlib import Path\n"
                "from itskg.graph.store import KnowledgeStore, Layer\n"
                "with KnowledgeStore.open(sys.argv[1], read_only=False) as st:\n"
                "    st.replace_layers([Layer('big', 'Big', Path(sys.argv[2]))], rules=[])\n"
            )
            old = int(client.get(url, params={"query": count_q},
                                 headers={"Accept": "application/sparql-results+json"}
                                 ).json()["results"]["bindings"][0]["n"]["value"])
            writer = subprocess.Popen([sys.executable, "-c", code, str(store), str(big)])
            seen: set[int] = set()
            while writer.poll() is None:  # query all through the import
                r = client.get(url, params={"query": count_q},
                               headers={"Accept": "application/sparql-results+json"})
                assert r.status_code == 200, r.text
                seen.add(int(r.json()["results"]["bindings"][0]["n"]["value"]))
            assert writer.returncode == 0
            assert old in seen, seen  # the old generation answered while the import ran
            ask_big = f"ASK {{ GRAPH <{graph_iri('big')}> {{ ?s ?p ?o }} }}"
            r = client.get(url, params={"query": ask_big},
                           headers={"Accept": "application/sparql-results+json"})
            assert r.json()["boolean"] is True  # and the server switched after the commit
            r = client.get(url, params={"query": count_q},
                           headers={"Accept": "application/sparql-results+json"})
            assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 150_000
        assert server.poll() is None  # never crashed
    finally:
        server.terminate()
        server.communicate(timeout=10)  # waits and closes the stderr pipe
