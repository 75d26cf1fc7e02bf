"""The coordinator's checklist writes: add, rename, re-weight, reorder, enable and disable."""

import pytest
from django.core.exceptions import ValidationError

from lagesbild.audit.models import Entry
from lagesbild.incidents import category_services
from lagesbild.incidents.models import Category


def group_of(partnership, code="grupp-skadegorelse"):
    return partnership.categories.get(code=code)


def add(coordinator, **overrides):
    arguments = {
        "actor": coordinator.user,
        "partnership": coordinator.partnership,
        "group": group_of(coordinator.partnership),
        "name": "Skadegörelse på lekplats",
        "weight": 2,
    }
    return category_services.add_category(**{**arguments, **overrides})


def change(coordinator, category, **overrides):
    arguments = {
        "actor": coordinator.user,
        "category": category,
        "name": category.name,
        "weight": category.weight,
        "active": category.active,
    }
    return category_services.change_category(**{**arguments, **overrides})


def test_add_category_goes_last_in_its_group_with_a_code_from_its_name(coordinator_a):
    group = group_of(coordinator_a.partnership)
    last = group.children.order_by("-sort_order").first()
    category = add(coordinator_a)
    assert category.parent == group and category.active and category.weight == 2
    assert category.code == "skadegorelse-pa-lekplats"
    assert category.sort_order == last.sort_order + 1
    assert Entry.objects.get(action="category.create").object_id == str(category.pk)


def test_add_category_numbers_a_code_already_in_use(coordinator_a):
    partnership = coordinator_a.partnership
    # "klotter" is already the code of a default category in another group.
    first = add(coordinator_a, name="Klotter", group=group_of(partnership, "grupp-brand"))
    second = add(coordinator_a, name="KLOTTER!", group=group_of(partnership, "grupp-ordning"))
    assert (first.code, second.code) == ("klotter-2", "klotter-3")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"weight": 4}, "weight"),
        ({"name": "klotter"}, "name"),  # same name as a category in the group
        ({"name": ""}, "name"),
    ],
)
def test_add_category_refuses_bad_input(coordinator_a, overrides, field):
    before = Category.objects.count()
    with pytest.raises(ValidationError) as caught:
        add(coordinator_a, **overrides)
    assert field in caught.value.message_dict
    assert Category.objects.count() == before


def test_add_category_refuses_a_leaf_or_another_partnerships_group(coordinator_a, partnership_b):
    for group in (
        coordinator_a.partnership.categories.get(code="klotter"),
        group_of(partnership_b),
    ):
        with pytest.raises(ValidationError) as caught:
            add(coordinator_a, group=group)
        assert "group" in caught.value.message_dict


def test_change_category_renames_reweights_and_reorders(coordinator_a):
    category = coordinator_a.partnership.categories.get(code="klotter")
    change(coordinator_a, category, name="Klotter och tags", weight=3, sort_order=7)
    category.refresh_from_db()
    assert (category.name, category.weight, category.sort_order) == ("Klotter och tags", 3, 7)
    changes = Entry.objects.get(action="category.update").details["changes"]
    assert changes["weight"] == [1, 3] and changes["name"][1] == "Klotter och tags"


def test_disabling_a_group_disables_its_categories(coordinator_a):
    group = group_of(coordinator_a.partnership)
    change(coordinator_a, group, active=False)
    assert not group.children.filter(active=True).exists()
    assert Entry.objects.get(action="category.update").details["children_disabled"] > 0


def test_a_category_of_a_disabled_group_cannot_be_enabled(coordinator_a):
    group = group_of(coordinator_a.partnership)
    change(coordinator_a, group, active=False)
    category = group.children.first()
    with pytest.raises(ValidationError, match="Aktivera gruppen först"):
        change(coordinator_a, category, active=True)


def test_change_category_refuses_weight_out_of_range(coordinator_a):
    category = coordinator_a.partnership.categories.get(code="klotter")
    with pytest.raises(ValidationError) as caught:
        change(coordinator_a, category, weight=-1)
    assert "weight" in caught.value.message_dict
    category.refresh_from_db()
    assert category.weight == 1
