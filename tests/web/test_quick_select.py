"""QuickSelect writes the same <select> as Django's template-rendered one, only faster."""

from django import forms

from lagesbild.web.fields import QuickSelect


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
