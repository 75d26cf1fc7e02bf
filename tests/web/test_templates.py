"""Rules every template keeps, checked on the template files themselves, so that pages the
browser walks do not reach (an empty state, a rare branch) are covered too."""

import re
from pathlib import Path

import lagesbild

TEMPLATES = sorted(Path(lagesbild.__file__).parent.glob("*/templates/**/*.html"))
SCROLL_BOX = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-wrap\b[^>]*>")


def test_templates_are_found():
    assert len(TEMPLATES) > 50


def test_every_scroll_box_can_be_reached_by_keyboard_and_is_named():
    """A table that scrolls sideways must take focus (tabindex 0) and say what it is (a
    region with a name), or a keyboard user cannot scroll it (axe
    scrollable-region-focusable, WCAG 2.1.1)."""
    missing = []
    for path in TEMPLATES:
        for tag in SCROLL_BOX.findall(path.read_text(encoding="utf-8")):
            named = "aria-label=" in tag or "aria-labelledby=" in tag
            if 'tabindex="0"' not in tag or 'role="region"' not in tag or not named:
                missing.append(f"{path.parent.name}/{path.name}: {tag}")
    assert missing == []
