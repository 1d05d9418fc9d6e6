"""The built wheel works on its own: installed in a fresh virtual environment with no
repository beside it, `itskg serve` serves the explorer, editor, map, network view, profiles
and /docs with every browser asset, and the wheel carries the assets' and the ELM shapes'
licences.

Kept cheap: the wheel is built without build isolation from a copy of the working tree (the
npm packages are linked, not copied); the fresh venv is made without pip, the wheel is
installed into it with --no-deps by this venv's pip (`pip --python`), and a .pth file lends
it this venv's site-packages for the dependencies (itskg itself is not importable from
there: it is installed in editable mode, whose finder a .pth-added folder does not load).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.site import build_site_store

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.server, pytest.mark.slow]


def _source_copy(dest: Path) -> Path:
    """The working tree's files (tracked and new, not ignored), web/node_modules linked."""
    src = dest / "itskg"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for rel in files:
        if not (ROOT / rel).is_file():
            continue
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    (src / "web" / "node_modules").symlink_to(ROOT / "web" / "node_modules")
    shared = ROOT.parent / "shared"
    if shared.exists():
        (dest / "shared").symlink_to(shared)  # setup.py reads ../shared/data/elm
    return src


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / "web" / "node_modules" / "itskg" / "charts.min.js").is_file():
        pytest.fail("browser assets missing: run 'bash tools/install_browser.sh'")
    tmp = tmp_path_factory.mktemp("wheel")
    src = _source_copy(tmp)
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(src)], check=True,
                   capture_output=True, timeout=300)
    wheel = next(dist.glob("itskg-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    py = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   timeout=300)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "itskg-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_installed_package_is_the_wheel_with_assets_and_licences(installed: Path) -> None:
    py = installed / "bin" / "python"
    out = subprocess.run(
        [str(py), "-c", "import itskg.api, itskg.graph.elm.loq as l; print(itskg.api.__file__);"
         " print(l.elm_files())"], capture_output=True, text=True, check=True,
        cwd=installed).stdout.split()
    assert str(installed) in out[0], "itskg is imported from the wheel, not the checkout"
    assert str(installed) in out[1], "the ELM/LOQ shapes ship in the wheel"
    pkg = Path(out[0]).parent
    vendor = pkg / "vendor"
    for rel in ("itskg/charts.min.js", "itskg/layout.min.js", "cytoscape/dist/cytoscape.min.js",
                "@zazuko/yasgui/build/yasgui.min.js", "swagger-ui-dist/swagger-ui-bundle.js",
                "topojson-client/dist/topojson-client.min.js", "d3-geo/dist/d3-geo.min.js",
                "world-atlas/countries-110m.json", "THIRD-PARTY.md", "LICENSES/vega.txt",
                "LICENSES/cytoscape-fcose.txt", "LICENSES/world-atlas.txt",
                "LICENSES/topojson-client.txt", "LICENSES/d3-geo.txt"):
        assert (vendor / rel).is_file(), rel
    assert "EUPL" in (Path(out[1]) / "LICENSE-EUPL-1.2.txt").read_text()[:2000]
    version = subprocess.run([str(installed / "bin" / "itskg"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    assert re.match(r"itskg \d+\.\d+\.\d+", version)


@pytest.fixture(scope="module")
def served(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = build_site_store(tmp_path_factory.getbasetemp() / "web-site" / "store")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ITSKG_")}
    cwd = tmp_path_factory.mktemp("elsewhere")  # no repository beside it
    log = (cwd / "serve.log").open("wb")
    proc = subprocess.Popen([str(installed / "bin" / "itskg"), "serve", "--store", str(store),
                             "--port", str(port)], cwd=cwd, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
            if proc.poll() is not None:
                log.flush()
                pytest.fail("itskg serve exited: "
                            + (cwd / "serve.log").read_text(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


PAGES = ["/", "/questions/regional_profile?run=1", "/editor", "/map",
         "/network?projection=academy-academy", "/profiles/region/ITH5", "/docs"]


@pytest.mark.parametrize("path", PAGES)
def test_wheel_serves_every_page_with_its_assets(served: str, path: str) -> None:
    with httpx.Client(base_url=served, timeout=60) as client:
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assets = set(re.findall(r"""(?:src|href)=["'](/(?:vendor|static)/[^"'?#]+)""",
                                page.text))
        assets |= set(re.findall(r"""["'](/vendor/[^"'?#]+\.(?:js|css))""", page.text))
        assert assets, f"{path} loads no local asset?"
        for asset in sorted(assets):
            r = client.get(asset)
            assert r.status_code == 200 and len(r.content) > 100, (path, asset, r.status_code)


def test_wheel_explorer_draws_in_chromium(served: str, browser: object) -> None:
    """The installed wheel's pages run their scripts: the network and a profile draw."""
    from tests.web.test_browser import _errors

    driver = browser
    driver.get_log("browser")  # type: ignore[attr-defined]
    driver.get(served + "/profiles/region/ITH5?lang=en")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and driver.execute_script(  # type: ignore[attr-defined]
            "return document.body.dataset.charts") != "drawn":
        time.sleep(0.2)
    assert driver.execute_script(  # type: ignore[attr-defined]
        "return document.querySelectorAll('figure.chart[data-drawn=yes]').length") >= 3
    driver.get(served + "/editor")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not driver.execute_script(  # type: ignore
            "return document.querySelectorAll('.CodeMirror').length"):
        time.sleep(0.2)
    assert driver.execute_script(  # type: ignore[attr-defined]
        "return document.querySelectorAll('.CodeMirror').length") > 0
    assert _errors(driver) == []
