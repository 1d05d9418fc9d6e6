"""`itskg build`: the ontology, the shipped vocabularies and facts, ATECO, and optional ESCO and
synthetic layers, committed as one new store generation.

Each Turtle file in ontology/vocab/ and ontology/data/ is its own layer, named after its file
stem, and describes itself in a ``<> a dcat:Dataset`` block (title, licence, source) that
becomes the layer record. The OWL modules form the ``ontology`` layer, the SHACL shapes the
``shapes`` layer.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from itskg.graph.backends import open_store
from itskg.graph.config import Settings
from itskg.graph.errors import OntologyError
from itskg.graph.namespaces import PREFIXES, graph_iri
from itskg.graph.resources import data_files, ontology_files, shape_files, vocab_files
from itskg.graph.store import KnowledgeStore, Layer, LayerRecord
from itskg.graph.terms import parse_triples, turtle_to_ntriples

__all__ = ["BuildReport", "build", "file_layer", "reference_layers", "tbox_layers"]

Progress = Callable[[str], None]
DCT, PROV = PREFIXES["dct"], PREFIXES["prov"]
ONTOLOGY_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class BuildReport:
    """What a build committed: layer records and seconds per step."""

    records: list[LayerRecord] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    generation: str | None = None
    notes: list[str] = field(default_factory=list)  # import reports (e.g. match reports)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def _merge_turtle(files: Sequence[Traversable], what: str) -> bytes:
    parts = []
    for f in files:
        try:
            parts.append(turtle_to_ntriples(f.read_bytes()))
        except SyntaxError as err:
            raise OntologyError(f"{what} file {f.name} does not parse: {err}") from err
    return b"".join(parts)


def tbox_layers() -> list[Layer]:
    """The OWL modules (``ontology``) and the SHACL shapes (``shapes``)."""
    return [
        Layer("ontology", "itskg ontology (OWL 2 RL TBox, all modules)",
              _merge_turtle(ontology_files(), "Ontology"), kind="ontology",
              license=ONTOLOGY_LICENSE, derived_from=tuple(f.name for f in ontology_files())),
        Layer("shapes", "itskg SHACL shapes", _merge_turtle(shape_files(), "Shapes"),
              kind="ontology", license=ONTOLOGY_LICENSE,
              derived_from=tuple(f.name for f in shape_files())),
    ]


def file_layer(f: Traversable | Path) -> Layer:
    """A shipped Turtle file as a layer; its ``<>`` self-description gives title and sources."""
    source = f.name.rsplit(".", 1)[0]
    data = f.read_bytes()
    g = graph_iri(source)
    title, lic, derived = source, None, []
    kind: Literal["real", "curated"] = "real"
    titles: dict[str | None, str] = {}
    for s, p, o in parse_triples(data, "ttl", base_iri=g):
        if s.value != g:
            continue
        if p.value == DCT + "title":
            titles[o.lang] = o.value
        elif p.value == DCT + "license":
            lic = o.value
        elif p.value in (PROV + "wasDerivedFrom", DCT + "source"):
            derived.append(o.value)
        elif p.value == DCT + "type" and o.value.endswith("/data-kind/curated"):
            kind = "curated"
    title = titles.get("en") or titles.get(None) or next(iter(titles.values()), source)
    return Layer(source, title, data, format="ttl", kind=kind, license=lic,
                 derived_from=tuple(derived), file=f"ontology/{f.name}")


def reference_layers() -> list[Layer]:
    """Everything `itskg build` loads without user input: TBox, vocabularies, facts, ATECO."""
    from itskg.graph.reference.ateco import ateco_layer

    layers = tbox_layers()
    layers += [file_layer(f) for f in vocab_files()]
    layers += [file_layer(f) for f in data_files()]
    layers.append(ateco_layer())
    return layers


def build(
    store_path: Path | Settings,
    *,
    esco_dirs: Sequence[Path] = (),
    synthetic: str | int | None = None,
    seed: int = 42,
    progress: Progress | None = None,
    tables: Sequence[tuple[str, Path]] = (),
) -> BuildReport:
    """Build the default graph from scratch into ``store_path`` (idempotent).

    ``store_path`` is a directory, or Settings whose store may also be a remote engine.

    The reference layer (and ESCO, if given) is committed as one generation; ``tables``
    (``(kind, file)`` pairs, e.g. ``("s3", s3.csv)``: real tables read by the importers, which
    resolve against the reference layer) as a second one, each its own layer named after its
    kind; the synthetic layer, which is generated from all of them, as a third one. Raises
    DataError (naming file, row and column) if a table does not import.
    """
    say = progress or (lambda _m: None)
    report = BuildReport()
    t0 = time.perf_counter()
    layers = reference_layers()
    report.timings["prepare reference layers"] = time.perf_counter() - t0
    opened = open_store(store_path, read_only=False) if isinstance(store_path, Settings) \
        else KnowledgeStore.open(store_path, read_only=False)
    with contextlib.ExitStack() as cleanup, opened as st:
        if esco_dirs:
            from itskg.graph.importers.esco import read_esco

            t0 = time.perf_counter()
            say("reading ESCO")
            esco = cleanup.enter_context(read_esco(list(esco_dirs)))
            layers.append(esco.layer)
            report.timings["read ESCO"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        st.replace_layers(layers, fresh=True, progress=say)
        report.timings["load + materialise"] = time.perf_counter() - t0
        if tables:
            from itskg.graph.importers.pipeline import table_layer

            t0 = time.perf_counter()
            kinds = [k for k, _ in tables]
            real = []
            for kind, path in tables:
                source = kind if kinds.count(kind) == 1 else None
                say(f"importing {Path(path).name} as {kind}")
                res = table_layer(st, kind, Path(path), source=source, progress=say)
                if res.layer is not None:
                    real.append(res.layer)
                report.notes += [f"{kind} ({Path(path).name}): {line}" for line in res.report]
                report.notes += [f"{kind} ({Path(path).name}): warning {w}"
                                 for w in res.warnings]
            st.replace_layers(real, progress=say)
            report.timings["real tables"] = time.perf_counter() - t0
        if synthetic is not None:
            from itskg.graph.synthetic.ecosystem import build_synthetic

            t0 = time.perf_counter()
            say(f"synthetic layer (scale={synthetic}, seed={seed})")
            build_synthetic(st, scale=synthetic, seed=seed, progress=say)
            report.timings["synthetic layer"] = time.perf_counter() - t0
        report.records = st.layers()
        report.generation = st.generation
    return report
