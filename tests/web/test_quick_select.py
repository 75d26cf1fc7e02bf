"""QuickSelect writes the same <select> as Django's template-rendered one, only faster."""

import re

from django import forms

from lagesbild.web.fields import PreparedChoices, QuickSelect


class Both(forms.Form):
    django = forms.TypedChoiceField(
        coerce=int, choices=[("", "Ingen"), (1, "Ett & två"), (2, '"Tre"')], required=False
    )
    quick = forms.TypedChoiceField(
        coerce=int,
        choices=[("", "Ingen"), (1, "Ett & två"), (2, '"Tre"')],
        required=False,
        widget=QuickSelect,
    )
    grouped = forms.ChoiceField(
        choices=[("Grupp <a>", [("x", "X"), ("y", "Y")])], widget=QuickSelect
    )


def normalised(html: str) -> str:
    return "".join(line.strip() for line in str(html).splitlines())


def test_same_markup_as_djangos_select():
    form = Both(data={"django": "2", "quick": "2"}, auto_id="f_%s")
    django = normalised(form["django"]).replace('"django"', "X").replace("f_django", "ID")
    quick = normalised(form["quick"]).replace('"quick"', "X").replace("f_quick", "ID")
    assert quick == django
    assert '<option value="2" selected>&quot;Tre&quot;</option>' in quick
    assert "Ett &amp; två" in quick


def test_groups():
    field = Both(auto_id="f_%s")["grouped"]
    html = str(field)
    assert '<optgroup label="Grupp &lt;a&gt;"><option value="x">X</option>' in html
    assert html == normalised(field.as_widget(widget=forms.Select(choices=field.field.choices)))


def parts(html: str) -> tuple[set[str], str]:
    """The <select>'s attributes (in any order) and its options."""
    tag, options = html.split(">", 1)
    return set(re.findall(r'[\w-]+(?:="[^"]*")?', tag)), options


def test_prepared_choices_give_the_same_markup_escaped_once():
    choices = [("", "Ingen"), (1, "Ett & två"), (2, '"Tre"')]
    prepared = PreparedChoices(choices)

    class Shared(forms.Form):
        plain = forms.TypedChoiceField(coerce=int, choices=choices, required=False)
        shared = forms.TypedChoiceField(coerce=int, required=False, widget=QuickSelect)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["shared"].choices = prepared

    for value in ("2", "", "9"):
        form = Shared(data={"plain": value, "shared": value}, auto_id="f_%s")
        plain = normalised(form["plain"]).replace('"plain"', "X").replace("f_plain", "ID")
        shared = normalised(form["shared"]).replace('"shared"', "X").replace("f_shared", "ID")
        assert parts(shared) == parts(plain), value
        assert form.is_valid() == (value != "9")
    assert Shared().fields["shared"].choices is prepared  # shared, not copied per form
