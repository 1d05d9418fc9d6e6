"""Linked Data pages: minted IRIs resolve to HTML or RDF, labels fall back, links lead on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from urllib.parse import quote

import httpx
import pytest
import rdflib

from itskg.api.pages.linkeddata import INVERSE_SAMPLE
from tests.web.site import Site, acquire, release

pytestmark = pytest.mark.server
NUTS_ITH5 = "http://data.europa.eu/nuts/code/ITH5"
ITSKG = "https://w3id.org/itskg/ontology#"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    site: Site = acquire(tmp_path_factory)
    with httpx.Client(base_url=site.url, timeout=30) as c:
        yield c
    release(site)


@pytest.fixture(scope="module")
def academy(client: httpx.Client) -> str:
    rows = client.get("/api/queries/academies_by_region",
                      params={"region": "ITH5", "format": "rows"}).json()
    return sorted(r["academy"] for r in rows)[0]


def local(iri: str) -> str:
    return iri.replace("https://w3id.org/itskg", "")


def test_academy_page_shows_labels_types_and_onward_links(client: httpx.Client,
                                                          academy: str) -> None:
    html = client.get(local(academy), params={"lang": "en"}).text
    assert f"<code>{academy}</code>" in html
    assert 'href="/ontology#ITSAcademy">ITS Academy foundation</a>' in html
    assert f'href="/resource?iri={quote(NUTS_ITH5, safe="")}">Emilia-Romagna</a>' in html
    assert re.search(r'href="/vocab/area-2023/D\d+"', html)
    assert "academies</span>" in html  # the layer each fact comes from
    it = client.get(local(academy), params={"lang": "it"}).text
    assert 'href="/ontology#ITSAcademy">Fondazione ITS Academy</a>' in it


def test_region_page_groups_and_counts_inverse_relations(client: httpx.Client) -> None:
    html = client.get("/resource", params={"iri": NUTS_ITH5, "lang": "en"}).text
    assert "<h1>Emilia-Romagna</h1>" in html
    seat = re.search(r'seat region \(NUTS 2\)</a> <span class="count">\((\d+)\)', html)
    assert seat and seat.group(1) == "7"


def test_inverse_lists_are_capped_with_a_link_to_the_rest(client: httpx.Client) -> None:
    cls = ITSKG + "ITSAcademy"
    html = client.get("/resource", params={"iri": cls, "lang": "en"}).text
    section = html[html.index('id="inv-h"'):]
    first = section[:section.index("</ul>")]
    assert first.count("<li>") == INVERSE_SAMPLE
    more = re.search(r'<p class="more"><a href="([^"]+)">', section)
    assert more
    page = client.get("/resource" + unescape(more.group(1))).text
    listing = page[page.index('<ol class="inv"'):page.index("</ol>")]
    assert listing.count("<li>") == 136


def test_every_link_on_a_resource_page_resolves(client: httpx.Client, academy: str) -> None:
    html = client.get(local(academy)).text
    links = sorted({unescape(h) for h in re.findall(r'href="(/(?:id|vocab|resource|ontology)'
                                                    r'[^"#]*)"', html)})
    assert len(links) >= 5
    bad = [(h, r.status_code) for h in links[:60] if (r := client.get(h)).status_code != 200]
    assert bad == []


@pytest.mark.parametrize(("accept", "fmt", "parser"), [
    ("text/turtle", None, "turtle"),
    ("application/ld+json", None, "json-ld"),
    ("application/n-triples", None, "nt"),
    ("text/html;q=0.5, text/turtle", None, "turtle"),
    (None, "ntriples", "nt"),
    (None, "jsonld", "json-ld"),
], ids=["turtle", "jsonld", "ntriples", "q-values", "format-nt", "format-jsonld"])
def test_content_negotiation_gives_rdf(client: httpx.Client, academy: str, accept: str | None,
                                       fmt: str | None, parser: str) -> None:
    r = client.get(local(academy), headers={"Accept": accept} if accept else {},
                   params={"format": fmt} if fmt else {})
    assert r.status_code == 200 and "html" not in r.headers["content-type"]
    g = rdflib.Graph().parse(data=r.text, format=parser)
    subject = rdflib.URIRef(academy)
    assert (subject, rdflib.RDF.type, rdflib.URIRef(ITSKG + "ITSAcademy")) in g
    assert set(g.subjects()) == {subject}


def test_unacceptable_media_type_is_406(client: httpx.Client, academy: str) -> None:
    r = client.get(local(academy), headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.json()["error"]


def test_vocab_and_external_iris_resolve(client: httpx.Client) -> None:
    d6 = client.get("/vocab/area-2023/D6", params={"lang": "it"})
    assert d6.status_code == 200 and "<h1>Meccatronica</h1>" in d6.text
    assert "<h1>Mechatronics</h1>" in client.get("/vocab/area-2023/D6",
                                                 params={"lang": "en"}).text
    ttl = client.get("/resource", params={"iri": NUTS_ITH5, "format": "turtle"})
    assert "Emilia-Romagna" in ttl.text


def test_unknown_and_malformed_iris(client: httpx.Client) -> None:
    missing = client.get("/id/its/NO-SUCH-ACADEMY")
    assert missing.status_code == 404 and "https://w3id.org/itskg/id/its/NO-SUCH-ACADEMY" in (
        missing.text)
    assert client.get("/resource", params={"iri": "not an iri"}).status_code == 400
    assert client.get("/resource", params={"iri": "http://x/<y>"}).status_code == 400


def test_ontology_page_lists_terms_with_anchors(client: httpx.Client) -> None:
    en = client.get("/ontology", params={"lang": "en"}).text
    for term in ("ITSAcademy", "FoundationMembership", "memberOfFoundation", "seatRegion"):
        assert f'id="{term}"' in en
    assert 'href="#Organisation"' in en  # a superclass links to its own entry
    it = client.get("/ontology", params={"lang": "it"}).text
    label_en = re.search(r'id="ITSAcademy">\s*<h3>([^<]+)', en)
    label_it = re.search(r'id="ITSAcademy">\s*<h3>([^<]+)', it)
    assert label_en and label_it and label_en.group(1) != label_it.group(1)
    ttl = client.get("/ontology", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert (rdflib.URIRef(ITSKG + "ITSAcademy"), rdflib.RDF.type, rdflib.OWL.Class) in g
