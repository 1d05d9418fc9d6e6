"""Linked Data pages: every IRI itskg mints resolves here, as HTML or as RDF.

- ``/id/{path}`` is ``https://w3id.org/itskg/id/{path}``, ``/vocab/{path}`` is
  ``https://w3id.org/itskg/vocab/{path}``, ``/ontology`` lists the classes and properties of
  the ontology graph (``/ontology#Term`` is one of them), ``/resource?iri=...`` is any other
  IRI the store knows (NUTS regions, ESCO skills, ...).
- Content negotiation: ``Accept: text/html`` (the default) gives the page; ``text/turtle``,
  ``application/ld+json``, ``application/n-triples`` or ``application/rdf+xml`` (or
  ``?format=turtle|jsonld|ntriples|rdfxml``) give the resource's own triples, a CONSTRUCT run
  by the worker pool. Nothing acceptable: 406.
- A page shows the label in the page language (fallback: the other language, then any),
  types, properties with the layers they come from (synthetic and inferred marked), and the
  inverse relations grouped by property and counted, at most ``INVERSE_SAMPLE`` per property
  with a link to page through the rest (``?inv=<property>&offset=N``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from itskg.api.deps import get_kg
from itskg.api.formats import choose_format
from itskg.api.http_errors import NotAcceptableError
from itskg.api.pages.i18n import page_lang
from itskg.api.pages.rendering import construct, error_page, read, render
from itskg.graph.answers import GRAPH_OFFERS, negotiate
from itskg.graph.errors import ItskgError, QueryParameterError
from itskg.graph.namespaces import (
    BASE,
    DATA,
    GRAPH,
    INFERRED_GRAPH,
    ONTOLOGY,
    PREFIXES,
    VOCAB,
    is_iri,
)
from itskg.graph.reports.describe import (
    INVERSE_PAGE,
    INVERSE_SAMPLE,
    LABEL_PROPS,
    ONTOLOGY_CONSTRUCT,
    OUTGOING_LIMIT,
    compact,
    inverse_reading,
    labels_reading,
    ontology_reading,
    page_reading,
)

__all__ = ["INVERSE_SAMPLE", "OUTGOING_LIMIT", "describe_rdf", "register", "router"]

router = APIRouter(include_in_schema=False)
RDF_TYPE = PREFIXES["rdf"] + "type"
SYNTHETIC = VOCAB + "data-kind/synthetic"
_HTML_OFFERS = {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_OFFERS}


def _format(request: Request) -> str:
    fmt = request.query_params.get("format")
    if fmt:
        return "html" if fmt == "html" else choose_format(True, None, fmt)
    chosen = negotiate(request.headers.get("accept"), _HTML_OFFERS)
    if chosen is None:
        raise NotAcceptableError(
            f"None of the media types in 'Accept: {request.headers.get('accept')}' is "
            "available; use text/html, text/turtle, application/ld+json, "
            "application/n-triples or application/rdf+xml.")
    return chosen


async def describe_rdf(request: Request, iri: str, fmt: str) -> Response:
    """The triples with ``iri`` as subject, serialised by the engine in ``fmt``."""
    res = await (await get_kg(request)).adescribe(iri, fmt)
    return Response(res.body, media_type=res.media_type, headers={"Vary": "Accept"})


async def labels_of(request: Request, iris: set[str], lang: str) -> dict[str, str]:
    """Best label per IRI (label properties ranked as in ``LABEL_PROPS``, then language)."""
    return await read(request, labels_reading(iris, lang))  # type: ignore[no-any-return]


def _known(iri: str, labels: dict[str, str]) -> bool:
    """Whether ``iri`` has a page here: ours, or labelled in the store (else link outward)."""
    return iri in labels or iri.startswith(BASE)


def _layer(g: str) -> str:
    return g[len(GRAPH):] if g.startswith(GRAPH) else g


async def _resource(request: Request, iri: str) -> Response:
    if not is_iri(iri):
        raise QueryParameterError(f"Not an IRI: {iri!r}")  # _safe renders it (400)
    fmt = _format(request)  # NotAcceptableError: 406 in the one error shape
    if fmt != "html":
        return await describe_rdf(request, iri, fmt)
    lang = page_lang(request)
    inv = request.query_params.get("inv")
    if inv:
        return await _inverse_page(request, iri, inv, lang)
    data = await read(request, page_reading(iri, lang))
    if data is None:
        return render(request, "resource.html", {"iri": iri, "missing": True,
                                                 "title": compact(iri)}, status=404)
    labels = data["labels"]
    types = sorted(data["props"].pop(RDF_TYPE, {}).values(),
                   key=lambda e: labels.get(e["term"].get("iri", ""), e["term"].get("iri", "")))
    synthetic = any(e["term"].get("iri") == SYNTHETIC
                    for e in data["props"].get(PREFIXES["dct"] + "type", {}).values())
    rows = []
    for p, values in data["props"].items():
        vals = sorted(values.values(), key=lambda e: str(e["term"]))
        for e in vals:
            e["layers"] = sorted(_layer(g) for g in e["graphs"])
            e["inferred"] = e["graphs"] == {INFERRED_GRAPH}
        rows.append({"iri": p, "label": labels.get(p) or compact(p), "vals": vals,
                     "known": _known(p, labels)})
    label_first = {p: i for i, p in enumerate(LABEL_PROPS)}
    rows.sort(key=lambda r: (label_first.get(r["iri"], 99), r["label"].lower()))
    inverse = [{"iri": r["p"]["value"], "label": labels.get(r["p"]["value"])
                or compact(r["p"]["value"]), "count": int(r["n"]["value"]),
                "known": _known(r["p"]["value"], labels),
                "sample": data["samples"].get(r["p"]["value"], [])} for r in data["inverse"]]
    return render(request, "resource.html", {
        "iri": iri, "missing": False, "title": labels.get(iri) or compact(iri),
        "types": types, "rows": rows, "inverse": inverse, "labels": labels,
        "synthetic": synthetic, "truncated": data["truncated"], "compact": compact,
        "local": iri.startswith((DATA, VOCAB, ONTOLOGY)), "sample_size": INVERSE_SAMPLE,
    })


async def _inverse_page(request: Request, iri: str, pred: str, lang: str) -> Response:
    if not is_iri(pred):
        raise QueryParameterError(f"Not an IRI: {pred!r}")  # _safe renders it (400)
    try:
        offset = max(0, int(request.query_params.get("offset", "0")))
    except ValueError:
        offset = 0
    page = await read(request, inverse_reading(iri, pred, offset, lang))
    subjects, labels = page["subjects"], page["labels"]
    return render(request, "inverse.html", {
        "iri": iri, "pred": pred, "title": labels.get(iri) or compact(iri),
        "pred_label": labels.get(pred) or compact(pred), "subjects": subjects,
        "labels": labels, "offset": offset, "page": INVERSE_PAGE,
        "more": page["more"], "compact": compact,
    })


@router.get("/id/{path:path}", response_class=HTMLResponse)
async def data_resource(request: Request, path: str) -> Response:
    return await _safe(request, DATA + path)


@router.get("/vocab/{path:path}", response_class=HTMLResponse)
async def vocab_resource(request: Request, path: str) -> Response:
    return await _safe(request, VOCAB + path)


@router.get("/resource", response_class=HTMLResponse)
async def any_resource(request: Request, iri: str = "") -> Response:
    return await _safe(request, iri)


async def _safe(request: Request, iri: str) -> Response:
    try:
        return await _resource(request, iri)
    except ItskgError as err:
        return error_page(request, err)


# ------------------------------------------------------------------ ontology
async def ontology_terms(request: Request, lang: str) -> dict[str, list[dict[str, Any]]]:
    """Classes and properties of the ontology graph with labels, comments, hierarchy."""
    return await read(request, ontology_reading(lang))  # type: ignore[no-any-return]


@router.get("/ontology", response_class=HTMLResponse)
async def ontology(request: Request) -> Response:
    fmt = _format(request)  # NotAcceptableError: 406 in the one error shape
    try:
        if fmt != "html":
            return await construct(request, ONTOLOGY_CONSTRUCT, fmt)
        lang = page_lang(request)
        terms = await ontology_terms(request, lang)
    except ItskgError as err:
        return error_page(request, err)
    names = {t["iri"]: t["label"] for group in terms.values() for t in group}
    return render(request, "ontology.html", {"terms": terms, "names": names,
                                             "compact": compact})


def register(app: FastAPI) -> None:
    """Add the Linked Data routes to ``app``."""
    app.include_router(router)
