"""Build hook: the wheel carries the explorer's browser assets and their licences.

Everything else is declared in pyproject.toml. At ``build_py`` time (``pip wheel .``,
``python -m build``), the files listed in ``web/assets.json`` are copied from
``web/node_modules`` (filled by ``bash tools/install_browser.sh``) into
``itskg/api/vendor/`` of the build, with ``LICENSES/<package>.txt`` for every npm package they
come from (including each package bundled by esbuild, read from the bundles' metafiles) and a
``THIRD-PARTY.md`` index. An installed wheel then serves ``/vendor/`` from there, with no
repository beside it. Editable installs (``pip install -e``) skip the copy: they serve
``web/node_modules`` of the checkout directly.

The ELM 3.1 ontology and the Europass LOQ shapes (EUPL 1.2) are copied unchanged, with their
licence, from ``../shared/data/elm`` into ``itskg/graph/elm/loq/`` (the ELM completeness check
reads them there in an installed wheel; a warning when they are not beside the checkout).

Raises SystemExit (the build fails) naming the missing file when an asset is not installed.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
MODULES = WEB / "node_modules"
ELM_SOURCE = ROOT.parent / "shared" / "data" / "elm"
ELM_FILES = ("ELM.ttl", "ELM-external.ttl", "LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl",
             "LICENSE-EUPL-1.2.txt")
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license", "LICENSE-MIT",
                 "COPYING")


def _package_of(path: str) -> str | None:
    m = re.search(r"node_modules/((?:@[^/]+/)?[^/]+)/", path)
    return m.group(1) if m else None


def _licence(pkg: str) -> tuple[str, str]:
    """(SPDX id from package.json, licence text or a note) of one installed npm package."""
    base = MODULES / pkg
    meta = json.loads((base / "package.json").read_text(encoding="utf-8"))
    spdx = meta.get("license") or "see package"
    if isinstance(spdx, dict):
        spdx = spdx.get("type", "see package")
    for name in LICENCE_NAMES:
        if (base / name).is_file():
            return str(spdx), (base / name).read_text(encoding="utf-8", errors="replace")
    author = meta.get("author")
    author = author.get("name") if isinstance(author, dict) else author
    return str(spdx), (f"{pkg} {meta.get('version', '')} is published on npm under the {spdx} "
                       f"licence (package.json), by {author or 'its authors'}; the package ships "
                       "no licence file.\n")


class BuildPyWithAssets(build_py):
    """build_py that also copies the browser assets and their licences into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        self._copy_elm()
        spec = json.loads((WEB / "assets.json").read_text(encoding="utf-8"))
        dest = Path(self.build_lib) / "itskg" / "api" / "vendor"
        if dest.exists():
            shutil.rmtree(dest)
        packages: dict[str, list[str]] = {}
        for rel in spec["files"]:
            src = MODULES / rel
            if not src.is_file():
                raise SystemExit(f"setup.py: browser asset web/node_modules/{rel} is missing; run "
                                 "'bash tools/install_browser.sh' (npm ci + esbuild) first")
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest / rel)
            pkg = _package_of("node_modules/" + rel)
            if pkg and pkg != "itskg":
                packages.setdefault(pkg, []).append(rel)
        for meta_rel in spec["bundles"]:
            meta = json.loads((MODULES / meta_rel).read_text(encoding="utf-8"))
            bundle = meta_rel.replace(".meta.json", ".min.js")
            for path in meta["inputs"]:
                pkg = _package_of(path)
                if pkg:
                    packages.setdefault(pkg, []).append(bundle)
        lic_dir = dest / "LICENSES"
        lic_dir.mkdir(parents=True, exist_ok=True)
        rows = ["# Third-party browser assets in this wheel", "",
                "Served at /vendor/ by `itskg serve`. One licence file per npm package in "
                "LICENSES/.", "", "| npm package | version | licence | used in |",
                "|---|---|---|---|"]
        for pkg in sorted(packages):
            spdx, text = _licence(pkg)
            version = json.loads((MODULES / pkg / "package.json").read_text())["version"]
            (lic_dir / (pkg.replace("/", "__") + ".txt")).write_text(text, encoding="utf-8")
            used = ", ".join(sorted(set(packages[pkg])))
            rows.append(f"| {pkg} | {version} | {spdx} | {used} |")
        (dest / "THIRD-PARTY.md").write_text("\n".join(rows) + "\n", encoding="utf-8")

    def _copy_elm(self) -> None:
        dest = Path(self.build_lib) / "itskg" / "graph" / "elm" / "loq"
        missing = [f for f in ELM_FILES if not (ELM_SOURCE / f).is_file()]
        if missing:
            self.warn(f"ELM/LOQ files {missing} not found in {ELM_SOURCE}: the wheel's "
                      "'itskg elm' commands will ask for them")
            return
        dest.mkdir(parents=True, exist_ok=True)
        for name in ELM_FILES:
            shutil.copyfile(ELM_SOURCE / name, dest / name)
        (dest / "README.md").write_text(
            "ELM 3.1 ontology and the SHACL shapes of the Europass Learning Opportunity and "
            "Qualification application profile, unchanged, from european-commission-empl/"
            "European-Learning-Model; licence: EUPL 1.2 (LICENSE-EUPL-1.2.txt).\n",
            encoding="utf-8")


setup(cmdclass={"build_py": BuildPyWithAssets})
