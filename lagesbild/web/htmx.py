"""Small shared helpers for views: service errors onto forms, a form page that saves
through a service, and full page or fragment."""

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


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


def form_page(
    request,
    form,
    save,
    *,
    template: str,
    success: str,
    next_url,
    aliases: dict | None = None,
    **context,
):
    """Show `form`; on a valid POST call `save(cleaned_data)`, say `success` (formatted with
    the saved object's name) and go to `next_url` (a URL or URL name, or a function of the
    saved object giving one). Errors from the form or the service are shown on the form with
    status 400, and the service's transaction has saved nothing."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, aliases)
        else:
            messages.success(request, success % {"name": saved})
            return redirect(next_url(saved) if callable(next_url) else next_url)
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def render_page_or_fragment(request, page: str, fragment: str, context: dict, status: int = 200):
    """The fragment for htmx requests that target part of the page, the full page otherwise."""
    template = fragment if getattr(request, "htmx", False) and not request.htmx.boosted else page
    return render(request, template, context, status=status)


POLL_FIRST_SECONDS = 3
POLL_LONGEST_SECONDS = 30


def poll_wait(waited: int | None, *, worker_missing: bool) -> int:
    """Seconds until a status line that polls asks again: 3 s first, then each time half as
    long again up to 30 s, so a page left open while a background job waits does not ask
    every 3 s for as long as it waits; every 30 s while no background worker is alive."""
    if worker_missing:
        return POLL_LONGEST_SECONDS
    if waited is None:
        return POLL_FIRST_SECONDS
    return min(POLL_LONGEST_SECONDS, max(POLL_FIRST_SECONDS, math.ceil(waited * 1.5)))
