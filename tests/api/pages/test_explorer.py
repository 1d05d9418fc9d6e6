"""HTTP-level tests of the explorer pages and their JSON helpers (a real server, real store)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from itskg.api.pages.explorer import ENTRY_POINTS
from itskg.api.pages.i18n import STRINGS, pick_label, t
from itskg.api.pages.webdata import COUNTRY_INDICATORS, INDICATORS, PROVINCE_INDICATORS
from itskg.graph.sparql.catalogue import load_catalog
from tests.web.site import Site, acquire, release

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    site: Site = acquire(tmp_path_factory)
    with httpx.Client(base_url=site.url, timeout=30) as c:
        yield c
    release(site)


def test_every_string_has_both_languages() -> None:
    assert [k for k, v in STRINGS.items() if set(v) != {"it", "en"} or not all(v.values())] == []
    assert t("nav.questions", "it") == "Domande" and t("nav.questions", "en") == "Questions"
    assert t("no.such.key", "en") == "no.such.key"


@pytest.mark.parametrize(("labels", "lang", "expected"), [
    ([("Impresa", "it"), ("Company", "en")], "en", "Company"),
    ([("Company", "en")], "it", "Company"),
    ([("Bolzano", None), ("Bozen", "de")], "it", "Bolzano"),
    ([("Bozen", "de")], "en", "Bozen"),
    ([], "it", None),
], ids=["chosen", "other-language", "untagged", "any", "none"])
def test_label_fallback(labels: list, lang: str, expected: str | None) -> None:
    assert pick_label(labels, lang) == expected


@pytest.mark.parametrize("path", ["/", "/questions", "/editor", "/network", "/map",
                                  "/ontology", "/questions/regional_profile"])
def test_pages_render_fast_with_lang_attribute(client: httpx.Client, path: str) -> None:
    client.get(path)  # warm the per-generation caches
    start = time.perf_counter()
    r = client.get(path, params={"lang": "it"})
    elapsed = time.perf_counter() - start
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="it">' in r.text and 'href="#content"' in r.text
    assert elapsed < 1.0, f"{path} took {elapsed:.2f} s"


def test_language_comes_from_param_then_cookie_then_browser(client: httpx.Client) -> None:
    r = client.get("/questions", params={"lang": "en"})
    assert r.cookies.get("itskg_lang") == "en" and "<h1>Questions to the graph</h1>" in r.text
    again = client.get("/questions")  # the client kept the cookie
    assert '<html lang="en">' in again.text
    client.cookies.clear()
    by_browser = client.get("/questions", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in by_browser.text
    assert '<html lang="it">' in client.get("/questions").text  # default: Italian
    switch = re.search(r'id="lang-switch" href="([^"]+)"', client.get("/map").text)
    assert switch and "lang=en" in switch.group(1)


def test_home_counts_real_and_synthetic(client: httpx.Client) -> None:
    html = client.get("/", params={"lang": "en"}).text
    academies = re.search(r'ITS Academy foundation</a></th><td class="n">([\d\u202f]+)</td>'
                          r'<td class="n">([\d\u202f]+)</td>', html)
    assert academies and academies.group(1).replace("\u202f", "") == "136"
    companies = re.search(r'>Company</a></th><td class="n">(\d+)</td><td class="n">([\d\u202f]+)<',
                          html)
    assert companies and companies.group(1) == "0" and int(
        companies.group(2).replace("\u202f", "")) > 0
    assert "kind-synthetic" in html and "synthetic-note" in html
    for key, link in ENTRY_POINTS:
        assert t(key, "en") in html and link.replace("&", "&amp;") in html


@pytest.mark.parametrize("link", [link for _, link in ENTRY_POINTS])
def test_entry_points_open(client: httpx.Client, link: str) -> None:
    assert client.get(link).status_code == 200


def test_questions_page_lists_the_whole_catalogue(client: httpx.Client) -> None:
    html = client.get("/questions").text
    assert set(re.findall(r'href="/questions/(\w+)"', html)) == set(load_catalog())


@pytest.mark.parametrize("name", sorted(load_catalog()))
def test_every_question_has_a_form(client: httpx.Client, name: str) -> None:
    q = load_catalog()[name]
    html = client.get(f"/questions/{name}", params={"lang": "en"}).text
    for p in q.params:
        if p.name == "lang":
            assert 'name="lang"' not in html  # the page language decides
            continue
        assert f'<label for="p-{p.name}">' in html and f'id="p-{p.name}"' in html
    assert f"/api/queries/{name}?" in html and "format=csv" in html


def test_question_form_offers_pick_lists_from_the_graph(client: httpx.Client) -> None:
    html = client.get("/questions/skill_gaps_by_region", params={"lang": "en"}).text
    region = html[html.index('id="p-region"'):html.index("</select>", html.index('id="p-region"'))]
    assert '<option value="ITH5"' in region and "Emilia-Romagna" in region
    assert region.count("<option") == 21  # the 21 Italian NUTS 2 regions, no blank: required
    assert '<option value="digital" selected>' in html
    academies = client.get("/questions/courses_by_academy").text
    assert academies.count('value="https://w3id.org/itskg/id/its/') == 136


def test_question_downloads_keep_the_parameters(client: httpx.Client) -> None:
    html = client.get("/questions/academies_by_region",
                      params={"region": "ITH5", "run": "1", "lang": "en"}).text
    csv_link = re.search(r'href="(/api/queries/academies_by_region\?[^"]*format=csv)"', html)
    assert csv_link
    body = client.get(csv_link.group(1).replace("&amp;", "&")).text
    assert body.count("\n") == 8  # header + the seven Emilia-Romagna foundations
    assert 'data-run="yes"' in html


def test_unknown_question_is_an_html_404(client: httpx.Client) -> None:
    r = client.get("/questions/no_such_question")
    assert r.status_code == 404 and "/questions" in r.text and "<html" in r.text


def test_picklists(client: httpx.Client) -> None:
    regions = client.get("/api/picklists/nuts", params={"lang": "it"}).json()
    assert [r["code"] for r in regions][:2] == ["ITC1", "ITC2"] and len(regions) == 21
    sections = client.get("/api/picklists/ateco2025").json()
    assert sections[0]["code"] == "A" and any(s["code"] == "62" for s in sections)
    kinds = {i["code"]: i["label"] for i in client.get("/api/picklists/partner-type",
                                                        params={"lang": "en"}).json()}
    assert kinds["company"] == "Company"
    missing = client.get("/api/picklists/nope")
    assert missing.status_code == 404 and "known:" in missing.json()["error"]


@pytest.mark.parametrize("name", list(INDICATORS))
def test_map_indicators_cover_the_nuts2_regions(client: httpx.Client, name: str) -> None:
    data = client.get(f"/api/map/{name}", params={"lang": "en"}).json()
    keys = [r["key"] for r in data["regions"]]
    # 21 NUTS 2 units: Trentino-Alto Adige's two provinces ITH1 and ITH2 apart
    assert len(keys) == 21 and {"ITH1", "ITH2"} <= set(keys) and "ITH1+ITH2" not in keys
    assert data["title"] == t(f"ind.{name}", "en") and data["level"] == "region"
    values = [r["value"] for r in data["regions"] if r["value"] is not None]
    assert values and all(v >= 0 for v in values)
    if data["kind"] in ("share", "ratio"):
        assert all(v <= 100 for v in values)


def test_s3_indicators_say_no_data_where_there_is_no_s3(client: httpx.Client) -> None:
    data = {r["key"]: r["value"] for r in client.get("/api/map/s3_priorities").json()["regions"]}
    assert data["ITH5"] == 20 and data["ITC1"] == 10  # the five regions of the S3 file
    assert data["ITF4"] is None and data["ITH1"] is None  # no S3 data: no value, not zero
    uncovered = {r["key"]: r["value"]
                 for r in client.get("/api/map/s3_uncovered").json()["regions"]}
    assert uncovered["ITF4"] is None and 0 <= uncovered["ITH5"] < 20


@pytest.mark.parametrize("name", list(PROVINCE_INDICATORS))
def test_province_level(client: httpx.Client, name: str) -> None:
    data = client.get(f"/api/map/{name}", params={"level": "province"}).json()
    keys = {r["key"] for r in data["regions"]}
    assert len(keys) == 107 and {"ITH10", "ITH20", "ITG2H"} <= keys  # BZ, TN, Sud Sardegna
    assert all(r["value"] is not None and r["value"] >= 0 for r in data["regions"])
    assert sum(r["value"] for r in data["regions"]) > 0


def test_province_academies_add_up_and_gaps_exclude_seats(client: httpx.Client) -> None:
    by = {r["key"]: r["value"] for r in client.get(
        "/api/map/academies", params={"level": "province"}).json()["regions"]}
    assert by["ITH55"] >= 1  # Bologna seats academies
    gaps = {r["key"]: r["value"] for r in client.get(
        "/api/map/territorial_gaps", params={"level": "province"}).json()["regions"]}
    assert all(gaps[k] == 0 for k, v in by.items() if v)  # a seat means no gap
    region = {r["key"]: r["value"] for r in client.get(
        "/api/map/territorial_gaps").json()["regions"]}
    assert sum(region.values()) == sum(gaps.values())


@pytest.mark.parametrize("name", list(COUNTRY_INDICATORS))
def test_country_level_for_the_world_map(client: httpx.Client, name: str) -> None:
    data = client.get(f"/api/map/{name}", params={"level": "country"}).json()
    assert data["level"] == "country"
    for r in data["regions"]:
        assert len(r["key"]) == 3 and r["iso_numeric"] and r["value"] >= 0
    if name == "mobility_destinations":
        keys = {r["key"] for r in data["regions"]}
        assert "DEU" in keys and "ITA" not in keys
        deu = next(r for r in data["regions"] if r["key"] == "DEU")
        assert deu["iso_numeric"] == "276"


def test_unknown_level_or_indicator_is_a_404(client: httpx.Client) -> None:
    assert client.get("/api/map/skills", params={"level": "province"}).status_code == 404
    bad = client.get("/api/map/academies", params={"level": "galaxy"})
    assert bad.status_code == 404 and "levels" in bad.json()["error"]


def test_istat_geometry_with_nuts_codes(client: httpx.Client) -> None:
    topo = client.get("/api/geo/italy").json()
    geoms = topo["objects"]["provinces"]["geometries"]
    assert len(geoms) == 107 and topo["itskg"]["unmatched"] == []
    assert all(g["properties"]["nuts3"].startswith(g["properties"]["nuts2"]) for g in geoms)
    nuts2 = {g["properties"]["nuts2"] for g in geoms}
    assert len(nuts2) == 21 and {"ITH1", "ITH2"} <= nuts2
    assert "creativecommons.org/licenses/by/4.0" in topo["itskg"]["license"]


def test_map_counts_add_up_to_the_graph(client: httpx.Client) -> None:
    data = client.get("/api/map/academies").json()
    q = ("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a <https://w3id.org/itskg/ontology#"
         "ITSAcademy> ; <https://w3id.org/itskg/ontology#seatRegion> ?r . ?r "
         "<http://data.europa.eu/nuts/level> 2 FILTER(STRSTARTS(STR(?r), "
         '"http://data.europa.eu/nuts/code/IT")) }')
    res = client.get("/sparql", params={"query": q},
                     headers={"Accept": "application/sparql-results+json"}).json()
    expected = int(res["results"]["bindings"][0]["n"]["value"])
    assert sum(r["value"] for r in data["regions"]) == expected > 100
    er = next(r for r in data["regions"] if r["key"] == "ITH5")
    assert er["value"] == 7
    assert client.get("/api/map/nope").status_code == 404


def test_vendor_assets_are_served_from_node_modules(client: httpx.Client) -> None:
    from itskg.api.pages.rendering import vendor_dir
    from itskg.graph.config import Settings

    if vendor_dir(Settings()) is None:
        pytest.fail("web/node_modules is missing: run 'bash tools/install_browser.sh'")
    for path in ("/vendor/@zazuko/yasgui/build/yasgui.min.js", "/vendor/cytoscape/dist/"
                 "cytoscape.min.js", "/vendor/topojson-client/dist/topojson-client.min.js",
                 "/vendor/d3-geo/dist/d3-geo.min.js", "/vendor/d3-array/dist/d3-array.min.js",
                 "/vendor/world-atlas/countries-110m.json", "/static/site.css"):
        assert client.get(path).status_code == 200, path
    editor = client.get("/editor").text
    assert "yasgui.min.js" in editor and '"itskg": "https://w3id.org/itskg/ontology#"' in editor


def test_web_assets_setting_moves_vendor(tmp_path) -> None:
    from itskg.api.pages.rendering import vendor_dir
    from itskg.graph.config import Settings

    assert vendor_dir(Settings(web_assets=tmp_path)) == tmp_path
    assert vendor_dir(Settings(web_assets=tmp_path / "missing")) is None


@pytest.mark.parametrize(("url", "name"), [
    ("https://creativecommons.org/licenses/by/4.0/", "CC BY 4.0"),
    ("http://data.europa.eu/eli/dec/2011/833/oj",
     "EU Decision 2011/833/EU (reuse of Commission documents)"),
    (None, None),
], ids=["cc", "eu", "none"])
def test_licence_names(url: str | None, name: str | None) -> None:
    from itskg.api.pages.webdata import licence_name

    assert licence_name(url) == name


def test_geo_dir_default_does_not_depend_on_the_working_directory(
        tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    from itskg.graph.config import Settings

    checkout = Path(__file__).resolve().parents[3]
    monkeypatch.chdir(tmp_path)
    assert Settings().geo_dir == checkout.parent / "shared" / "data" / "geo"
    assert (Settings().geo_dir / "limits_IT_provinces.topo.json").is_file()


def test_missing_shapes_are_logged_and_explained(caplog: pytest.LogCaptureFixture,
                                                 tmp_path) -> None:
    """A wheel install (no checkout, no ITSKG_GEO_DIR): one warning at start-up, the map page
    says what to set, /api/geo/italy is a 404 naming the setting."""
    import logging

    from fastapi.testclient import TestClient

    from itskg.api.app import create_app
    from itskg.graph.config import Settings
    from itskg.graph.knowledge import KnowledgeGraph
    from itskg.graph.store import Layer

    settings = Settings(store=tmp_path / "store", geo_dir=None, query_workers=1)
    with KnowledgeGraph(settings, workers=0) as kg:
        kg.replace_layers([Layer("demo", "Demo", b'<http://a> <http://b> "c" .')], rules=[])
    with caplog.at_level(logging.WARNING, logger="itskg.geo"), \
            TestClient(create_app(settings)) as c:
        page = c.get("/map", params={"lang": "en"}).text
        geo = c.get("/api/geo/italy")
    assert [r.getMessage() for r in caplog.records if r.name == "itskg.geo"] == [
        "Map shapes missing (no ITSKG_GEO_DIR and no source checkout): the map page shows no "
        "Italian regions. Set ITSKG_GEO_DIR to the folder holding limits_IT_provinces.topo.json "
        "(the project's shared/data/geo)."]
    assert "set ITSKG_GEO_DIR" in page
    assert geo.status_code == 404 and "ITSKG_GEO_DIR" in geo.json()["error"]
