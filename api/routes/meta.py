"""Endpoint metadata: the SPARQL service description, VoID and a health check.

- ``GET /sparql`` without a query: SPARQL 1.1 Service Description (``sd:``), built here and
  converted by rdflib (a few dozen triples) to the negotiated format.
- ``GET /.well-known/void``: the store's metadata graph (DCAT, PROV, VoID, one
  ``void:subset`` per layer) plus ``void:sparqlEndpoint``, served by the query workers.

The SPARQL these run is the library's (``itskg.graph.reports.service``).
- ``GET /health``: ``{"ok": true, "generation": ..., "workers": N, "source": "memory"}`` after a
  trivial query (``source``: where the workers read, see ITSKG_SERVE_FROM).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from itskg.api.deps import KnowledgeGraphDep, SettingsDep
from itskg.api.formats import choose_format
from itskg.graph.config import Settings
from itskg.graph.knowledge import KnowledgeGraph
from itskg.graph.metadata import DATASET_IRI
from itskg.graph.namespaces import PREFIXES
from itskg.graph.reports.service import LIVENESS_QUERY, graphs_reading, void_construct
from itskg.graph.sparql.results import GRAPH_FORMATS

__all__ = ["endpoint_url", "router", "service_description", "service_description_turtle"]

router = APIRouter(tags=["meta"])

SD = "http://www.w3.org/ns/sparql-service-description#"
_RESULT_FORMAT_IRIS = [
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "JSON-LD", "RDF_XML",
]
_RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def endpoint_url(settings: Settings) -> str:
    """The public URL of the SPARQL endpoint (from ITSKG_BASE_URL)."""
    return settings.base_url.rstrip("/") + "/sparql"


def service_description_turtle(endpoint: str, graphs: list[tuple[str, int | None]],
                               update: bool) -> str:
    """The service description of ``endpoint`` as Turtle."""
    langs = "sd:SPARQL11Query" + (", sd:SPARQL11Update" if update else "")
    fmts = ", ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in _RESULT_FORMAT_IRIS)
    named = "".join(
        f" ;\n  sd:namedGraph [ a sd:NamedGraph ; sd:name <{g}> ; sd:graph [ a sd:Graph"
        + (f" ; void:triples {n}" if n is not None else "") + " ] ]"
        for g, n in graphs
    )
    return f"""@prefix sd: <{SD}> .
@prefix void: <{PREFIXES['void']}> .
@prefix dct: <{PREFIXES['dct']}> .

<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  dct:title "itskg SPARQL endpoint"@en, "Endpoint SPARQL di itskg"@it ;
  sd:supportedLanguage {langs} ;
  sd:resultFormat {fmts} ;
  sd:feature sd:UnionDefaultGraph ;
  sd:defaultDataset <{endpoint}#dataset> .

<{endpoint}#dataset> a sd:Dataset ;
  dct:source <{DATASET_IRI}> ;
  sd:defaultGraph [ a sd:Graph ;
    dct:description "The union of all named graphs (layers)."@en ]{named} .
"""


async def service_description(request: Request, kg: KnowledgeGraph, settings: Settings,
                              format_param: str | None) -> Response:
    """The service description in the negotiated RDF format."""
    fmt = choose_format(True, request.headers.get("accept"), format_param)
    graphs = await kg.aread(graphs_reading())
    ttl = service_description_turtle(endpoint_url(settings), graphs, bool(settings.admin_token))
    if fmt == "turtle":
        body = ttl.encode()
    else:
        import rdflib

        body = rdflib.Graph().parse(data=ttl, format="turtle").serialize(
            format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    return Response(body, media_type=GRAPH_FORMATS[fmt], headers={"Vary": "Accept"})


_RDF: dict[str, Any] = {m: {"schema": {}} for m in (
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")}


@router.get("/.well-known/void", summary="VoID description of the knowledge graph",
            response_class=Response,
            responses={200: {"description": "The dataset description", "content": _RDF},
                       406: {"description": "No acceptable RDF format"}},
            openapi_extra={"parameters": [{
                "name": "format", "in": "query", "required": False,
                "schema": {"type": "string", "enum": ["turtle", "ntriples", "jsonld", "rdfxml",
                                                      "ttl", "nt", "json-ld", "rdf"]}}]})
async def void(request: Request, kg: KnowledgeGraphDep, settings: SettingsDep) -> Response:
    fmt = choose_format(True, request.headers.get("accept"), request.query_params.get("format"))
    res = await kg.asparql(void_construct(endpoint_url(settings)), fmt)
    return Response(res.body, media_type=res.media_type, headers={"Vary": "Accept"})


@router.get("/health", summary="Liveness and store generation")
async def health(kg: KnowledgeGraphDep) -> dict[str, object]:
    res = await kg.asparql(LIVENESS_QUERY, "json", lane="lookup")
    return {"ok": True, "generation": res.generation, "workers": len(kg.pids),
            "source": kg.serving.get("source", "disk")}
