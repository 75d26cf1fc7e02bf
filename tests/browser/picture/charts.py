"""Checks of the picture's inline SVG charts as the browser reads them."""

COORDINATES = ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy")


def unreadable_coordinates(page) -> list[str]:
    """SVG coordinates the browser cannot read as numbers (a Swedish decimal comma, say):
    such a shape is drawn at 0 or not at all."""
    return page.evaluate(
        """names => [...document.querySelectorAll("svg *")].flatMap(el =>
            names.filter(n => el.hasAttribute(n) && !/^-?\\d+(\\.\\d+)?$/.test(el.getAttribute(n)))
                 .map(n => `<${el.tagName} ${n}="${el.getAttribute(n)}">`))""",
        list(COORDINATES),
    )
