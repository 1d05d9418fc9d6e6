"""Browser fixtures: headless Debian Chromium driven by Selenium, and the shared test site.

Chromium and chromedriver come from the Debian packages (tools/install_browser.sh). When they
or Selenium are missing, the browser tests fail with the fix in the message under CI=true and
are skipped (with the same message) elsewhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.site import Site, acquire, release

CHROMIUM = os.environ.get("ITSKG_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ITSKG_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
FLAGS = ("--headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
         "--disable-background-networking --disable-component-update --disable-sync "
         "--no-first-run --window-size=1300,1000 --lang=en-GB").split()


def _unavailable(reason: str) -> None:
    msg = f"{reason}. Run 'bash tools/install_browser.sh' (and pip install selenium)."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = acquire(tmp_path_factory)
    yield s
    release(s)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (Selenium WebDriver) with a fresh profile and the console log on."""
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _unavailable("Selenium is not installed")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            _unavailable(f"{path} is missing")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    profile = tempfile.mkdtemp(prefix="itskg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    except WebDriverException as err:
        _unavailable(f"Chromium did not start: {err.msg}")
    driver.set_page_load_timeout(30)
    SCREENSHOTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)
