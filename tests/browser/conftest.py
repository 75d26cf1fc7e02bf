"""Browser fixtures: Debian's Chromium, driven by Playwright's sync API, against the live server.

The browser is never downloaded: it is the executable in $CHROMIUM (default /usr/bin/chromium)
and every test here is skipped with a clear message when it is missing. Base-map tiles are
switched off for the live server, and each page refuses and records any request to another
host, so a run never leaves the machine. A test fails if such a request was attempted, if a
page threw a JavaScript error or if the Content Security Policy blocked something.
"""

import os
import threading
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client

from tests.browser import steps

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    if not os.access(steps.CHROMIUM, os.X_OK):
        pytest.skip("Chromium not installed: apt-get install chromium")
    with pytest.MonkeyPatch.context() as env, sync_api.sync_playwright() as playwright:
        # Playwright's sync API leaves its event loop registered as running in this thread, so
        # Django would take the (synchronous) test code for async code and refuse ORM calls.
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=steps.CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop counts as running, Django keeps this thread's database
        # connections per context instead of per thread (asgiref's Local), so a test using the
        # database after the browser tests opens a second connection beside the session's.
        # Close it while it is still visible: the test database's teardown closes only the
        # session's, and PostgreSQL does not drop a database another session is using.
        connections.close_all()


@pytest.fixture
def offline_maps(settings) -> None:
    """No tile server: the maps must still draw areas and points on a plain background."""
    settings.MAP_TILE_URL = ""


def session_cookie(user, url: str) -> dict:
    """A logged-in session for `user` (journeys that are not about logging in skip the form)."""
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": url}


def note_csp_violation(message, errors: list) -> None:
    """A style or script the Content Security Policy blocked is a bug in a page, not noise."""
    if "Content Security Policy" in message.text:
        errors.append(message.text)


class RequestsInFlight:
    """The live server's application, counting each request from its start until its response
    is closed. A test ends only once the server is idle: a request still running (a service
    worker's fetch after the page closed) holds locks on tables that the database flush after
    the test must take, and PostgreSQL then ends one of the two as a deadlock."""

    def __init__(self, app) -> None:
        self.app = app
        self.count = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        self._add(1)
        try:
            return _ClosedThen(self.app(environ, start_response), lambda: self._add(-1))
        except BaseException:
            self._add(-1)
            raise

    def _add(self, step: int) -> None:
        with self.changed:
            self.count += step
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float = 30.0) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout)


class _ClosedThen:
    """A WSGI response that calls ``then`` once the server has closed it."""

    def __init__(self, response, then: Callable) -> None:
        self.response, self.then = response, then

    def __iter__(self):
        return iter(self.response)

    def close(self) -> None:
        try:
            if hasattr(self.response, "close"):
                self.response.close()
        finally:
            self.then()


@pytest.fixture(scope="session")
def requests_in_flight(live_server) -> RequestsInFlight:
    server = live_server.thread.httpd
    counter = RequestsInFlight(server.get_app())
    server.set_app(counter)
    return counter


@pytest.fixture
def open_page(chromium, live_server, offline_maps, requests_in_flight) -> Iterator[Callable]:
    """A factory for pages on the live server: `open_page("phone")` or `open_page("desktop")`,
    logged in as `member=` a membership if given, with extra Playwright context options as
    keywords. Contexts are closed after the test."""
    contexts, foreign, errors = [], [], []

    def refuse_foreign(route) -> None:
        foreign.append(route.request.url)
        route.abort()

    def factory(device: str = "desktop", member=None, **options):
        context = chromium.new_context(
            base_url=live_server.url,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            **{**(PHONE if device == "phone" else DESKTOP), **options},
        )
        context.route(lambda url: not url.startswith(live_server.url), refuse_foreign)
        # Generous: on a loaded two-core machine a first page can take 10 s; a journey checks
        # behaviour, not speed (speed is measured in benchmarks/).
        context.set_default_timeout(30_000)
        contexts.append(context)
        if member is not None:
            context.add_cookies([session_cookie(member.user, live_server.url)])
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: note_csp_violation(message, errors))
        return page

    yield factory
    for context in contexts:
        context.close()
    requests_in_flight.wait_until_idle()
    assert not foreign, f"requests left the machine: {foreign}"
    assert not errors, f"JavaScript errors or blocked content: {errors}"
