"""axe-core over a page of the picture or the meeting, in the state a reader sees it."""

from tests.browser.steps import serious_axe_violations


def axe_findings(page, url: str) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA findings on `url`, once its map (if any) has drawn
    and every disclosure is open; each line starts with the url."""
    page.goto(url)
    if page.locator(".map").count():
        page.locator(".leaflet-control-layers").first.wait_for()  # the indicators have their own
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return [f"{url}: {finding}" for finding in serious_axe_violations(page)]
