"""The notebooks in examples/ execute against a test store and a live server, so they never rot.

Each notebook's cell tagged ``parameters`` is replaced with the test store and endpoint
(papermill's convention), then nbclient runs it in a real IPython kernel; any cell error fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.site import Site, acquire, release

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))
pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    s = acquire(tmp_path_factory)
    yield s
    release(s)


def test_there_are_notebooks_for_each_use() -> None:
    names = " ".join(p.name for p in NOTEBOOKS)
    for word in ("sparql", "named_queries", "network", "chart"):
        assert word in names, f"examples/ lacks a {word} notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, site: Site, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: one cell tagged 'parameters'"
    tagged[0].source = (f'ENDPOINT = "{site.url}/sparql"\nSTORE = {str(site.store)!r}\n'
                        'REGION = "ITH5"')
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors
