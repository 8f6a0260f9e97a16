"""Headless Chromium for the browser tests: Debian's package, launched through Playwright.

Importing this module skips the importing test module when Chromium or Playwright is missing.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium", allow_module_level=True)
pytest.importorskip("playwright.sync_api")
pytest.importorskip("axe_playwright_python")

from playwright.sync_api import sync_playwright  # noqa: E402

# as root, without a sandbox; and no attempt to reach the internet (this machine has none)
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@contextmanager
def chromium():
    """A headless Chromium browser, closed on exit."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS,
                                    timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


def confine(context, *allowed):
    """Let the pages of a context reach only `allowed` origins; anything else is aborted and
    listed in the returned list (the tests assert that the pages load nothing from elsewhere)."""
    foreign = []

    def route(r):
        url = r.request.url
        if any(url == origin or url.startswith(origin + "/") for origin in allowed):
            r.continue_()
        else:
            foreign.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    return foreign
