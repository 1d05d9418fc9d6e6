"""The explorer in a real headless browser: every page loads without console errors, a
catalogue question runs from its form, the network and the map draw, resource links lead on,
the language switch changes the labels. Screenshots go to tests/screenshots/ for review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.web.conftest import SCREENSHOTS
from tests.web.site import Site

pytestmark = pytest.mark.server
WAIT = 20


def _wait(driver: Any, cond: Callable[[Any], Any], what: str) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.1).until(cond)
    except TimeoutException:
        driver.save_screenshot(str(SCREENSHOTS / "failure.png"))
        raise AssertionError(f"timed out waiting for {what}; see tests/screenshots/failure.png"
                             ) from None


def _errors(driver: Any, allow: tuple[str, ...] = ()) -> list[str]:
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and not any(a in e["message"] for a in allow)]


def visit(driver: Any, site: Site, path: str, shot: str,
          ready: Callable[[Any], Any] | None = None, what: str = "the page") -> None:
    driver.get_log("browser")  # drop messages of earlier pages
    driver.get(site.url + path)
    _wait(driver, lambda d: d.execute_script("return document.readyState") == "complete",
          "the document")
    if ready is not None:
        _wait(driver, ready, what)
    driver.save_screenshot(str(SCREENSHOTS / f"{shot}.png"))


def js(driver: Any, script: str) -> Any:
    return driver.execute_script(script)


def test_home_lists_entry_points_without_console_errors(browser: Any, site: Site) -> None:
    visit(browser, site, "/?lang=en", "home")
    assert js(browser, "return document.documentElement.lang") == "en"
    assert js(browser, "return document.querySelectorAll('.cards a').length") >= 6
    assert js(browser, "return document.querySelectorAll('#class-counts tbody tr').length") >= 5
    assert _errors(browser) == []


def test_question_form_runs_and_shows_rows(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    visit(browser, site, "/questions/academies_by_region", "question-form")
    Select(browser.find_element(By.ID, "p-region")).select_by_value("ITH5")
    browser.find_element(By.CSS_SELECTOR, "#qform button[type=submit]").click()
    rows = _wait(browser, lambda d: d.execute_script(
        "return document.querySelectorAll('#result-table tbody tr').length"), "result rows")
    browser.save_screenshot(str(SCREENSHOTS / "question-results.png"))
    assert rows == 7  # the seven Emilia-Romagna foundations of the reference layer
    assert "region=ITH5" in browser.current_url
    first = js(browser, "return document.querySelector('#result-table tbody a').href")
    assert "/id/its/" in first
    assert _errors(browser) == []


def test_editor_runs_a_catalogue_tab_against_the_endpoint(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    visit(browser, site, "/editor", "editor",
          lambda d: d.execute_script("return document.querySelectorAll('.CodeMirror').length"),
          "the YASGUI editor")
    tabs = js(browser, "return Object.keys(window.itskgYasgui._tabs).length")
    assert tabs >= 5  # the default tab and the first catalogue queries
    options = js(browser, "return document.querySelectorAll('#catalogue option').length")
    assert options > 30
    value = js(browser, "return window.itskgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX itskg: <https://w3id.org/itskg/ontology#>" in value
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    _wait(browser, lambda d: d.execute_script(
        "return document.querySelectorAll('.yasr table tbody tr').length > 0"), "YASR rows")
    browser.save_screenshot(str(SCREENSHOTS / "editor-results.png"))
    assert _errors(browser) == []


def test_network_page_draws_nodes_or_says_why_not(browser: Any, site: Site) -> None:
    available = httpx.get(site.url + "/api/network/projections").status_code == 200
    if available:
        visit(browser, site, "/network?projection=academy-company", "network",
              lambda d: d.execute_script("return window.itskgNetwork.nodes > 0"), "nodes")
        assert js(browser, "return document.querySelectorAll('#cy canvas').length") > 0
        js(browser, "window.itskgNetwork.cy.nodes()[0].emit('tap')")
        assert js(browser, "return document.querySelectorAll('#node-metrics dt').length") > 0
        link = js(browser, "return document.querySelector('#node-hint a').getAttribute('href')")
        assert link.startswith(("/id/", "/resource?iri="))
        assert "format=gexf" in js(browser, "return document.getElementById('exp-gexf').href")
        assert _errors(browser) == []
    else:
        visit(browser, site, "/network", "network",
              lambda d: d.execute_script(
                  "return document.getElementById('net-status').textContent.length > 0"),
              "the status message")
        text = js(browser, "return document.getElementById('net-status').textContent")
        assert "/api/network" in text
        assert _errors(browser, allow=("/api/network/projections",)) == []


def test_map_draws_istat_regions_provinces_and_the_world(browser: Any, site: Site) -> None:
    visit(browser, site, "/map?indicator=academies", "map",
          lambda d: d.execute_script(
              "return document.querySelectorAll('#map-table tbody tr').length == 21"),
          "the indicator table")
    assert js(browser, "return window.itskgMap.paths") == 21  # ITH1 and ITH2 apart
    keys = js(browser, "return Array.from(document.querySelectorAll('#map path'))"
                       ".map(p => p.dataset.key)")
    assert {"ITH1", "ITH2", "ITH5"} <= set(keys)
    fills = js(browser, "return Array.from(document.querySelectorAll('#map path'))"
                        ".map(p => p.style.fill)")
    assert len(set(fills)) > 2  # coloured by value, not one flat colour
    caption = js(browser, "return document.querySelector('#map figcaption').textContent")
    assert "CC BY 4.0" in caption and "ISTAT" in caption and "openpolis" in caption
    visit(browser, site, "/map?level=province&indicator=academies", "map-provinces",
          lambda d: d.execute_script("return window.itskgMap.paths == 107"), "107 provinces")
    visit(browser, site, "/map?level=country&indicator=mobility_destinations", "map-world",
          lambda d: d.execute_script(
              "return window.itskgMap.paths > 150 && "
              "Object.keys(window.itskgMap.values).length > 5"), "the world map")
    assert _errors(browser) == []


def test_resource_page_links_lead_on(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    rows = httpx.get(site.url + "/api/queries/academies_by_region",
                     params={"region": "ITH5", "format": "rows"}).json()
    academy = sorted(r["academy"] for r in rows)[0]
    path = academy.replace("https://w3id.org/itskg", "")
    visit(browser, site, path, "resource")
    assert js(browser, "return document.querySelector('h1').textContent").strip()
    region = "/resource?iri=http%3A%2F%2Fdata.europa.eu%2Fnuts%2Fcode%2FITH5"
    browser.find_element(By.CSS_SELECTOR, f"a[href='{region}']").click()
    _wait(browser, lambda d: "Emilia-Romagna" in d.find_element(By.TAG_NAME, "h1").text,
          "the region page")
    browser.save_screenshot(str(SCREENSHOTS / "resource-region.png"))
    browser.find_element(By.CSS_SELECTOR, f"a[href='{path}']").click()
    _wait(browser, lambda d: d.current_url.endswith(path), "the way back to the academy")
    assert _errors(browser) == []


def test_language_switch_changes_labels_everywhere(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By

    visit(browser, site, "/ontology?lang=it", "ontology-it")
    assert js(browser, "return document.documentElement.lang") == "it"
    nav_it = browser.find_element(By.CSS_SELECTOR, "nav a[href='/questions']").text
    heading_it = browser.find_element(By.CSS_SELECTOR, "#ITSAcademy h3").text
    browser.find_element(By.ID, "lang-switch").click()
    _wait(browser, lambda d: d.execute_script("return document.documentElement.lang") == "en",
          "the English page")
    browser.save_screenshot(str(SCREENSHOTS / "ontology-en.png"))
    assert (nav_it, browser.find_element(By.CSS_SELECTOR, "nav a[href='/questions']").text) \
        == ("Domande", "Questions")
    assert browser.find_element(By.CSS_SELECTOR, "#ITSAcademy h3").text != heading_it
    visit(browser, site, "/map", "map-en")  # the cookie keeps the choice
    assert js(browser, "return document.documentElement.lang") == "en"
    visit(browser, site, "/?lang=it", "home-it")
    assert _errors(browser) == []


def test_keyboard_reaches_the_skip_link_first(browser: Any, site: Site) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    visit(browser, site, "/questions", "questions")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip"
    active.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#content")
    missing_alt = js(browser, "return document.querySelectorAll('img:not([alt])').length")
    unlabelled = js(browser, """return Array.from(document.querySelectorAll('select, input'))
        .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label'))
        .length""")
    assert (missing_alt, unlabelled) == (0, 0)
