"""What policy staff take away, in a real browser: region and academy profiles with their
charts drawn (Vega-Lite under the page's CSP without 'unsafe-eval'), chart downloads.
Screenshots: tests/screenshots/profile-region-ITH5.png, profile-academy.png."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.site import Site
from tests.web.test_browser import _errors, _wait, js, visit

pytestmark = pytest.mark.server


def _charts_drawn(driver: Any) -> Any:
    return driver.execute_script("return document.body.dataset.charts") in ("drawn", "error")


def _check_profile(browser: Any, min_charts: int) -> None:
    assert js(browser, "return document.body.dataset.charts") == "drawn"
    states = js(browser, "return Array.from(document.querySelectorAll('figure.chart'))"
                         ".map(f => f.dataset.drawn)")
    assert len(states) >= min_charts and set(states) == {"yes"}, states
    marks = js(browser, "return document.querySelectorAll('figure.chart .vis svg .mark-rect "
                        "path, figure.chart .vis svg .mark-line path, figure.chart .vis svg "
                        ".mark-rect rect').length")
    assert marks > 10, "the charts draw bars and lines"
    png = js(browser, "return document.querySelector('figure.chart a.dl-png').href")
    svg = js(browser, "return document.querySelector('figure.chart a.dl-svg').href")
    assert png.startswith("data:image/png") and svg.startswith(("data:image/svg", "blob:"))
    layers = js(browser, "return document.querySelector('figure.chart figcaption').textContent")
    assert "(real)" in layers or "(synthetic)" in layers
    assert _errors(browser) == []  # no CSP or script error


def test_emilia_romagna_profile_draws_its_charts(browser: Any, site: Site) -> None:
    visit(browser, site, "/profiles/region/ITH5?lang=en", "profile-region-ITH5",
          _charts_drawn, "the charts")
    assert js(browser, "return document.querySelector('h1').textContent") == "Emilia-Romagna"
    _check_profile(browser, 3)
    heads = js(browser, "return Array.from(document.querySelectorAll('table.figures thead th'))"
                        ".map(e => e.textContent)")
    assert "Italy" in heads
    csv_link = js(browser, "return document.querySelector('figure.chart a.dl-csv').href")
    r = httpx.get(csv_link)
    assert r.status_code == 200 and r.text.lstrip("\ufeff").startswith("area,code,scope,value")
    browser.save_screenshot("tests/screenshots/profile-region-ITH5.png")


def test_academy_profile_draws_its_charts_in_italian(browser: Any, site: Site) -> None:
    rows = httpx.get(site.url + "/api/queries/academies_by_region",
                     params={"region": "ITH5", "format": "rows"}).json()
    key = sorted(r["academy"] for r in rows)[0].rsplit("/", 1)[-1]
    visit(browser, site, f"/profiles/academy/{key}?lang=it", "profile-academy",
          _charts_drawn, "the charts")
    _check_profile(browser, 2)
    assert "Italia" in js(browser, "return document.querySelector('table.figures')"
                                   ".textContent")


def test_profile_errors_are_clear(site: Site) -> None:
    r = httpx.get(site.url + "/profiles/region/XX9")
    assert r.status_code == 404 and "NUTS 2" in r.text
    r = httpx.get(site.url + "/api/profiles/region/ITH5/charts/nope.csv")
    assert r.status_code == 404 and "nope" in r.json()["error"]
    _ = _wait  # re-exported helper keeps one waiting rule for all browser tests


def test_question_results_have_labelled_columns_lists_and_a_chart(browser: Any,
                                                                   site: Site) -> None:
    visit(browser, site, "/questions/academies_by_region?region=ITH5&run=1&lang=en",
          "question-labelled", lambda d: d.execute_script(
              "return document.querySelectorAll('#result-table tbody tr').length"), "rows")
    heads = js(browser, "return Array.from(document.querySelectorAll('#result-table th'))"
                        ".map(e => e.textContent)")
    assert heads[:2] == ["ITS Academy", "Province"] and "Technological areas" in heads
    assert not any(h in heads for h in ("academyLabel", "regionLabel", "areas"))
    lists = js(browser, "return document.querySelectorAll('#result-table ul.cell-list').length")
    assert lists >= 1, "GROUP_CONCAT areas shown as lists"
    visit(browser, site, "/questions/regional_profile?run=1&lang=it", "question-chart",
          lambda d: d.execute_script(
              "return document.getElementById('result-chart').dataset.drawn"), "the chart")
    assert js(browser, "return document.getElementById('result-chart').dataset.drawn") == "yes"
    heads = js(browser, "return Array.from(document.querySelectorAll('#result-table th'))"
                        ".map(e => e.textContent)")
    assert heads[0] == "Regione" and "Percorsi" in heads
    assert heads[0] == "Regione", "the unset region parameter is a visible column"
    assert _errors(browser) == []


@pytest.mark.parametrize("width", [1400, 390])
def test_question_form_fits_the_window(browser: Any, site: Site, width: int) -> None:
    browser.set_window_size(width, 900)
    try:
        visit(browser, site, "/questions/skill_gaps_by_region", f"question-form-{width}")
        over = js(browser, "return document.documentElement.scrollWidth - window.innerWidth")
        form_right = js(browser, "return document.getElementById('qform')"
                                 ".getBoundingClientRect().right")
        assert over <= 0 and form_right <= width, (over, form_right)
    finally:
        browser.set_window_size(1300, 1000)


def test_every_question_page_carries_its_column_labels(site: Site) -> None:
    import html
    import json
    import re

    from itskg.graph.sparql.catalogue import load_catalog

    with httpx.Client(base_url=site.url) as client:
        for q in load_catalog().values():
            page = client.get(f"/questions/{q.name}", params={"lang": "en"}).text
            m = re.search(r"data-columns='([^']*)'", page)
            assert m, q.name
            cols = json.loads(html.unescape(m.group(1)))
            assert {c.name for c in q.columns} <= set(cols), q.name
            assert all(v["label"] for v in cols.values()), q.name


def test_academy_network_draws_visible_weighted_edges_with_legend(browser: Any,
                                                                  site: Site) -> None:
    visit(browser, site, "/network?projection=academy-academy&lang=en", "network-academy",
          lambda d: d.execute_script("return window.itskgNetwork && "
                                     "window.itskgNetwork.nodes > 0"), "nodes")
    state = js(browser, "const s = window.itskgNetwork; return {layout: s.layout, "
                        "edges: s.cy.edges().length, all: s.allEdges}")
    assert state["layout"] == "fcose"
    assert 0 < state["edges"] <= state["all"]
    style = js(browser, "const e = window.itskgNetwork.cy.edges()[0]; "
                        "return [parseFloat(e.style('width')), parseFloat(e.style('opacity'))]")
    assert style[0] > 0.5 and style[1] >= 0.25, style  # visible
    assert js(browser, "return document.querySelectorAll('#net-legend li').length") >= 2
    shown = js(browser, "return document.getElementById('min-weight-out').textContent")
    assert "ties shown of" in shown
    if state["all"] > state["edges"] or js(browser, "return +document.getElementById("
                                                    "'min-weight').max > 1"):
        js(browser, "const i = document.getElementById('min-weight'); i.value = i.max; "
                    "i.dispatchEvent(new Event('change'))")
        fewer = js(browser, "return window.itskgNetwork.cy.edges().length")
        assert fewer < state["edges"] or state["edges"] == 1
    js(browser, "window.itskgNetwork.cy.nodes().max(n => n.degree()).ele.emit('tap')")
    assert js(browser, "return document.querySelectorAll('#node-ties li').length") >= 1
    browser.save_screenshot("tests/screenshots/network-academy-academy.png")
    assert _errors(browser) == []
