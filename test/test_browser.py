"""The browser flow end to end in headless Chromium: token server -> ephemeral key -> WebRTC offer
-> answer applied. Runs with `make test-browser` (marker `browser`), not in `make test`."""
from __future__ import annotations

import json
import re
import shutil
import threading

import pytest

from local_server import LocalRealtimeServer
from conftest import CONTRACT, ROOT, TEST_KEY, Clock, make_api

import sys
sys.path.insert(0, str(ROOT / "examples"))
import token_server  # noqa: E402  (an example script, not a package)

pytestmark = pytest.mark.browser
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"
START = 1_800_000_000


@pytest.fixture(scope="module")
def driver():
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.fail("the browser test needs Debian's Chromium and its driver: %s" % INSTALL, pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1000,700"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})   # the page's network traffic, via CDP
    browser = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    yield browser
    browser.quit()


@pytest.fixture()
def stack(request):
    """The local server (the Realtime API, with its clock) and the token server minting on it with the API key.
    Parametrize with {"mint_on": url} or {"api_base": url} to point either side somewhere else."""
    clock, where = Clock(START), getattr(request, "param", {})
    with LocalRealtimeServer(contract=CONTRACT, api_key=TEST_KEY, clock=clock) as api_server:
        api = make_api(where.get("mint_on", api_server.base_url), retries=0)
        backend = token_server.make_server(api, port=0, api_base=where.get("api_base"))
        threading.Thread(target=backend.serve_forever, daemon=True).start()
        try:
            yield api_server, clock, "http://127.0.0.1:%d" % backend.server_address[1]
        finally:
            backend.shutdown()
            backend.server_close()


def run_page(driver, url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    driver.get_log("performance")   # drop what earlier tests left
    driver.get(url + "/")
    driver.find_element(By.ID, "start").click()
    WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.ID, "status").get_attribute("data-state") in ("answer-applied", "error"))
    status = driver.find_element(By.ID, "status")
    return status.get_attribute("data-state"), status.text, driver.find_element(By.ID, "call-id").text


def network(driver):
    """{url: (response headers, body)} for every answer the page received, and the requests it sent."""
    responses, requests = {}, []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"])
        elif message["method"] == "Network.responseReceived":
            response = message["params"]["response"]
            try:
                body = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": message["params"]["requestId"]})
            except Exception:   # a preflight has no body to fetch
                body = {"body": ""}
            headers = {k.lower(): v for k, v in response["headers"].items()}
            responses[response["url"]] = (headers, body["body"])
    return responses, requests


def test_the_page_gets_an_ek_key_posts_its_offer_and_applies_the_answer(driver, stack, tmp_path):
    api_server, _, url = stack
    state, words, call_id = run_page(driver, url)
    assert state == "answer-applied", words
    assert re.fullmatch(r"rtc_[0-9a-f]{32}", call_id) and call_id in api_server.calls
    screenshot = tmp_path / "answer-applied.png"
    driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 1000

    responses, requests = network(driver)
    session_headers, session_body = responses[url + "/session"]
    assert session_headers["cache-control"] == "no-store"
    ephemeral_key = json.loads(session_body)["value"]
    assert ephemeral_key.startswith("ek_")
    assert all(TEST_KEY not in body and TEST_KEY not in json.dumps(headers) for headers, body in responses.values())
    offer_post = next(r for r in requests if r["url"] == api_server.base_url + "/realtime/calls" and r["method"] == "POST")
    assert offer_post["headers"]["Authorization"] == "Bearer " + ephemeral_key
    assert TEST_KEY not in driver.page_source


def test_a_key_that_expired_before_the_offer_makes_the_page_show_the_401(driver, stack):
    api_server, clock, url = stack
    mint_key = api_server.state.mint_key   # the state mints; this one lets time pass once it has

    def mint_then_let_time_pass(ttl_seconds, session):
        minted = mint_key(ttl_seconds, session)
        clock.now += ttl_seconds   # the key has expired by the time the page posts its offer
        return minted

    api_server.state.mint_key = mint_then_let_time_pass
    state, words, call_id = run_page(driver, url)
    assert state == "error" and words.startswith("401 Unauthorized") and "expired" in words
    assert call_id == "-" and not api_server.calls


@pytest.mark.parametrize("stack", [{"mint_on": "http://127.0.0.1:9/v1"}], indirect=True)
def test_a_token_server_that_cannot_mint_is_shown_in_words(driver, stack):
    state, words, _ = run_page(driver, stack[2])
    assert state == "error" and "token server could not mint a key (HTTP 502)" in words


@pytest.mark.parametrize("stack", [{"api_base": "http://127.0.0.1:9/v1"}], indirect=True)
def test_an_unreachable_api_is_shown_as_a_network_error(driver, stack):
    state, words, _ = run_page(driver, stack[2])
    assert state == "error" and words.startswith("Network error: the Realtime API at http://127.0.0.1:9/v1")
