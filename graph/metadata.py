"""The metadata graph: every layer described with DCAT, PROV and VoID, rebuilt on each commit."""

from __future__ import annotations

from typing import Any

from itskg.graph.namespaces import BASE, ONTOLOGY, PREFIXES, VOCAB
from itskg.graph.rdfwriter import NTriplesWriter, lit

__all__ = ["DATASET_IRI", "metadata_ntriples"]

DATASET_IRI = BASE + "dataset"
RDF_TYPE = PREFIXES["rdf"] + "type"
DCT, DCAT, PROV, VOID = PREFIXES["dct"], PREFIXES["dcat"], PREFIXES["prov"], PREFIXES["void"]
RDFS = PREFIXES["rdfs"]


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://", "urn:"))


def metadata_ntriples(records: list[dict[str, Any]]) -> bytes:
    """N-Triples describing the whole KG (void:Dataset) and each layer (dcat:Dataset)."""
    w = NTriplesWriter()
    w.iri(DATASET_IRI, RDF_TYPE, VOID + "Dataset")
    w.iri(DATASET_IRI, RDF_TYPE, DCAT + "Catalog")
    w.lit(DATASET_IRI, DCT + "title", "itskg: knowledge graph of the Italian ITS Academy ecosystem",
          lang="en")
    w.lit(DATASET_IRI, DCT + "title", "itskg: grafo della conoscenza dell'ecosistema ITS Academy",
          lang="it")
    w.lit(DATASET_IRI, VOID + "uriSpace", BASE + "id/")
    total = 0
    for r in records:
        g = r["graph"]
        total += int(r["triples"])
        w.iri(DATASET_IRI, VOID + "subset", g)
        w.iri(DATASET_IRI, DCAT + "dataset", g)
        for t in ("dcat:Dataset", "prov:Entity", "void:Dataset"):
            pfx, local = t.split(":")
            w.iri(g, RDF_TYPE, PREFIXES[pfx] + local)
        w.lit(g, DCT + "identifier", r["source"])
        w.lit(g, DCT + "title", r["title"], lang="en")
        if r.get("description"):
            w.lit(g, DCT + "description", r["description"], lang="en")
        w.iri(g, DCT + "type", f"{VOCAB}data-kind/{r['kind']}")
        w.lit(g, VOID + "triples", int(r["triples"]))
        w.lit(g, PROV + "generatedAtTime", r["loaded_at"], datatype="dateTime")
        w.lit(g, DCT + "modified", r["loaded_at"], datatype="dateTime")
        if r.get("license"):
            lic = r["license"]
            (w.iri if _is_url(lic) else w.lit)(g, DCT + "license", lic)
        for src in r.get("derived_from") or []:
            if _is_url(src):
                w.iri(g, PROV + "wasDerivedFrom", src)
            else:
                w.lit(g, DCT + "source", src)
        act = f"{g}/activity/{r['loaded_at'].replace(':', '').replace('-', '')}"
        w.iri(g, PROV + "wasGeneratedBy", act)
        w.iri(act, RDF_TYPE, PROV + "Activity")
        w.lit(act, PROV + "startedAtTime", r["loaded_at"], datatype="dateTime")
        if r.get("tool_version"):
            w.lit(act, RDFS + "label", r["tool_version"])
            w.lit(act, ONTOLOGY + "toolVersion", r["tool_version"])
        if r.get("file"):
            w.lit(g, ONTOLOGY + "sourceFile", r["file"])
        if r.get("sha256"):
            w.lit(g, ONTOLOGY + "sha256", r["sha256"])
        if r.get("rows") is not None:
            w.lit(g, ONTOLOGY + "rowCount", int(r["rows"]))
    w.add(DATASET_IRI, VOID + "triples", lit(total))
    return w.to_bytes()
