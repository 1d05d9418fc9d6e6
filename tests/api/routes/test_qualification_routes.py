"""/api/qualifications over real HTTP on the shared test site (reference layer, ESCO subset,
synthetic ecosystem): completeness report, ELM JSON-LD export, clear 4xx errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.web.site import Site, acquire, release

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = acquire(tmp_path_factory)
    yield s
    release(s)


def _region_with_courses(site: Site) -> str:
    rows = httpx.get(site.url + "/api/queries/regional_profile",
                     params={"format": "rows"}).json()
    best = max(rows, key=lambda r: r["courses"])
    return str(best["region"]).rsplit("/", 1)[-1]


def test_report_names_missing_fields_and_export_is_jsonld(site: Site) -> None:
    region = _region_with_courses(site)
    r = httpx.get(site.url + "/api/qualifications", params={"region": region, "lang": "en"},
                  timeout=120)
    assert r.status_code == 200, r.text
    rows = r.json()
    assert rows and all(not row["complete"] and "NQF level" in row["missing"] for row in rows)
    assert all(row["synthetic"] for row in rows)
    key = rows[0]["key"]
    doc = httpx.get(site.url + f"/api/qualifications/{key}.jsonld", timeout=60)
    assert doc.status_code == 200
    assert doc.headers["content-type"].startswith("application/ld+json")
    assert "elm:Qualification" in doc.text and "@context" in doc.json()
    qdr = "http://data.europa.eu/snb/qdr/c_test"
    done = httpx.get(site.url + "/api/qualifications",
                     params=[("region", region), ("nqf", f"5={qdr}5"), ("nqf", f"6={qdr}6")],
                     timeout=120).json()
    assert any(row["complete"] for row in done)


def test_errors_are_clear(site: Site) -> None:
    r = httpx.get(site.url + "/api/qualifications")
    assert r.status_code == 422 and "region=ITH5" in r.json()["error"]
    r = httpx.get(site.url + "/api/qualifications", params={"region": "ITH5", "nqf": "7=x"})
    assert r.status_code == 422 and "nqf" in r.json()["error"]  # the schema's pattern names it
    r = httpx.get(site.url + "/api/qualifications/NOPE-1.jsonld")
    assert r.status_code == 404
