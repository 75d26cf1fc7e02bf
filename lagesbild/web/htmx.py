"""Small shared helpers for views: service errors onto forms, and full page or fragment."""

from django.core.exceptions import ValidationError
from django.shortcuts import render


def add_service_errors(form, exc: ValidationError, field_aliases: dict | None = None) -> None:
    """Put a service's ValidationError on the form: keyed messages on their fields (or on
    an alias such as 'location' -> None), the rest as non-field errors."""
    aliases = field_aliases or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = aliases.get(key, key)
            if name is not None and name not in form.fields:
                name = None
            for message in errors:
                form.add_error(name, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def render_page_or_fragment(request, page: str, fragment: str, context: dict, status: int = 200):
    """The fragment for htmx requests that target part of the page, the full page otherwise."""
    template = fragment if getattr(request, "htmx", False) and not request.htmx.boosted else page
    return render(request, template, context, status=status)
