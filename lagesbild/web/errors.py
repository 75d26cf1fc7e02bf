"""Errors that carry their own words for the error page."""

from django.http import Http404


class NotYet(Http404):
    """A week or period that has not begun: answered 404, with a sentence that says so and
    a link back to the present instead of a page of zeros."""

    def __init__(self, heading: str, explanation: str, link_url: str, link_label: str):
        super().__init__(heading)
        self.heading = heading
        self.explanation = explanation
        self.link_url = link_url
        self.link_label = link_label
