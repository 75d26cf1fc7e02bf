"""One rounding rule for every figure: pages (template filters), sentences and the PDF
(presenters.num) round half away from zero and agree with each other."""

import pytest
from django.utils import translation

from lagesbild.pictures import presenters
from lagesbild.web.templatetags import lagesbild as filters


@pytest.fixture(autouse=True)
def swedish():
    with translation.override("sv"):
        yield


@pytest.mark.parametrize(
    ("value", "shown"),
    [(3.58, "3,6"), (3.55, "3,6"), (3.549, "3,5"), (2.25, "2,3"), (-0.04, "0,0"), (12, "12,0")],
)
def test_one_decimal_is_rounded_not_cut(value, shown):
    assert filters.decimal1(value) == shown
    assert presenters.num(value) == shown


def test_page_filters_and_sentences_agree_on_every_value():
    values = [k / 1000 for k in range(-2000, 20000, 7)]
    assert [filters.decimal1(v) for v in values] == [presenters.num(v) for v in values]


def test_whole_numbers_and_signed_changes_round_the_same_way():
    assert filters.decimal0(2.5) == "3"
    assert presenters.num(2.5, 0) == "3"
    assert filters.signed(-1.25) == "−1,3"
    assert filters.signed(0.04) == "0,0"
    assert filters.signed(3) == "+3"
    assert filters.percent_change(1.125) == "+13 %"
    assert filters.percent_change(None) == "–"


def test_unknown_values_are_a_dash():
    assert filters.decimal1(None) == "–"
    assert presenters.num(float("nan")) == "–"
