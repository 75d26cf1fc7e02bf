"""Steps shared by the browser journeys: log in, arrive on the page a click leads to, reach a
control by keyboard, check that a map has drawn, run axe-core, save a screenshot for the docs."""

import os
from pathlib import Path

from lagesbild.accounts.policy import is_privileged
from tests.factories import PASSWORD, app_code, make_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "lagesbild/web/static/vendor/axe-core/axe.min.js"
SCREENSHOTS = ROOT / "docs/screenshots"

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def log_in(page, membership) -> None:
    """Log in through the login form, as a person would; a coordinator or analyst then types
    the code from their authenticator app (set up for them beforehand)."""
    app = make_app(membership.user) if is_privileged(membership.user) else None
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(membership.user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "logga-in" not in url)
    if app is not None:
        enter_code(page, app_code(app))


def enter_code(page, code: str) -> None:
    """The second step of the login: type the code and go on to the page asked for."""
    page.get_by_label("Kod").fill(code)
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url(lambda url: "tvastegsverifiering" not in url)


def arrive(page, landmark) -> None:
    """After a click that leads to another page: wait until `landmark`, which only that page
    has, is visible, then for that page's load event, so that its deferred scripts (htmx and
    the page's own) have bound their handlers. A click does not wait for the next page, and
    wait_for_load_state() alone may answer for the page being left."""
    # Imported here: conftest imports this module before it checks that Playwright is there.
    from playwright.sync_api import expect

    expect(landmark).to_be_visible()
    page.wait_for_load_state()


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has focus; fail if it never gets it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def painted_pixels(page, map_selector: str) -> int:
    """How many pixels of the map's vector canvas are painted (areas and points), once Leaflet
    has drawn what it was given: it adds the canvas at once but paints on the next frame."""
    canvas = page.locator(f"{map_selector} .leaflet-overlay-pane canvas")
    canvas.wait_for()
    next_frames(page)
    return page.evaluate(
        """canvas => {
            const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
            let painted = 0;
            for (let i = 3; i < data.data.length; i += 4) if (data.data[i] > 0) painted++;
            return painted;
        }""",
        canvas.element_handle(),
    )


def next_frames(page) -> None:
    """Wait two animation frames: what a script asked to draw on the next frame is drawn."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def serious_axe_violations(page) -> list[str]:
    """The page's serious and critical WCAG 2.1 A/AA violations, one readable line each, once
    the page has loaded: its scripts change what a reader meets (the menu button, the maps).
    After a click the caller first waits for something only the new page shows."""
    page.wait_for_load_state()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def screenshot_for_docs(page, name: str) -> None:
    """Save docs/screenshots/<name>.png, only when SCREENSHOTS=1 (normal runs write nothing)."""
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
