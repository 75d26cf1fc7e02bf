"""Form fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from lagesbild.incidents import weeks

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class ModelMultipleIdField(forms.ModelMultipleChoiceField):
    """Several objects chosen by id, where an id beyond any database integer is an unknown
    choice. Django checks each id with an exact lookup, which copes with such a number, but
    then fetches them together with an `__in` lookup, which hands it to the database and
    crashes the request (OverflowError on SQLite, out of range on PostgreSQL)."""

    def clean(self, value):
        for item in value or ():
            try:
                out_of_range = abs(int(item)) > MAX_ID
            except (TypeError, ValueError):
                continue  # not a number at all: Django's own check refuses it
            if out_of_range:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super().clean(value)


def calendar_date_error() -> str:
    return _("Ange ett datum mellan år %(first)s och %(last)s.") % {
        "first": weeks.FIRST_YEAR,
        "last": weeks.LAST_YEAR,
    }


class CalendarDateField(forms.DateField):
    """A date in the years the app works in: 9999-12-31 is a valid date, but the day after
    it is not, and such a date is a typing error anyway."""

    def validate(self, value):
        super().validate(value)
        if value and not weeks.in_calendar(value):
            raise ValidationError(calendar_date_error(), code="out_of_range")


class PreparedChoices(BaseChoiceIterator):
    """A flat list of choices made once and shared by many forms of one page (the review
    queue's correction forms): a field given it neither normalises nor copies it again, and
    QuickSelect escapes each option once for all the forms."""

    def __init__(self, choices):
        self.choices = [(value, label) for value, label in choices]
        self._html = None

    def __iter__(self):
        return iter(self.choices)

    def __len__(self):
        return len(self.choices)

    def __deepcopy__(self, memo):
        return self  # never changed once made

    def html(self) -> list[tuple[str, str, str]]:
        """(value as text, '<option value="…"', escaped label) of each choice."""
        if self._html is None:
            self._html = [
                (text, format_html('<option value="{}"', text), conditional_escape(label))
                for text, label in (
                    ("" if value is None else str(value), label) for value, label in self.choices
                )
            ]
        return self._html


class QuickSelect(forms.Select):
    """A <select> written out in Python rather than through one template per option. The
    review queue shows twenty correction forms, each choosing among every category, area and
    place: rendered option by option through templates, that alone took most of the page's
    time at a real partnership's size. The markup is the same as Django's own."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        chosen = set(self.format_value(value))
        if isinstance(self.choices, PreparedChoices):
            options = self._prepared_options(self.choices, chosen)
            return format_html(
                '<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe(options)
            )
        options = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                inner = format_html_join(
                    "", "{}", ((self._option(v, text, chosen),) for v, text in label)
                )
                options.append(
                    format_html('<optgroup label="{}">{}</optgroup>', option_value, inner)
                )
            else:
                options.append(self._option(option_value, label, chosen))
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final), mark_safe("".join(options))
        )

    def _option(self, value, label, chosen: set) -> str:
        text = "" if value is None else str(value)
        selected = text in chosen
        if selected and not self.allow_multiple_selected:
            chosen.discard(text)  # as Django: a single select marks only the first match
        return format_html(
            '<option value="{}"{}>{}</option>',
            text,
            mark_safe(" selected") if selected else "",
            label,
        )

    def _prepared_options(self, choices: PreparedChoices, chosen: set) -> str:
        parts = []
        for text, start, label in choices.html():
            selected = text in chosen
            if selected and not self.allow_multiple_selected:
                chosen.discard(text)
            parts.append(f"{start}{' selected' if selected else ''}>{label}</option>")
        return "".join(parts)
