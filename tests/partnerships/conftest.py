"""The browser fixtures of tests/browser, so the coordinator's map pages can be driven in
Chromium from here too."""

from tests.browser.conftest import chromium, offline_maps, open_page  # noqa: F401
