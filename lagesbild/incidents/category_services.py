"""Writes on a partnership's category checklist: add a category to a group, rename,
re-weight, reorder, enable or disable.

Kept apart from `incidents.services` (reporting and review) because the checklist is the
coordinator's configuration, not incident work. Every function is keyword-only, runs in one
transaction and writes the audit trail.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lagesbild.audit.record import record
from lagesbild.incidents.checklist import DEFAULT_CHECKLIST
from lagesbild.incidents.models import Category
from lagesbild.partnerships.models import Partnership

MAX_WEIGHT = 3
CODE_LENGTH = Category._meta.get_field("code").max_length


def _check_weight(weight: int) -> None:
    if not 0 <= weight <= MAX_WEIGHT:
        raise ValidationError({"weight": _("Vikten ska vara ett heltal från 0 till 3.")})


def _check_unique_name(partnership_id: int, group: Category | None, name: str, pk=None) -> None:
    """Two categories of one name in a group would be indistinguishable to a reporter."""
    siblings = Category.objects.filter(partnership_id=partnership_id, parent=group)
    if siblings.filter(name__iexact=name).exclude(pk=pk).exists():
        raise ValidationError({"name": _("Det finns redan en kategori med det namnet i gruppen.")})


def _free_code(partnership: Partnership, name: str) -> str:
    """A stable code made from the name, numbered when the partnership already uses it."""
    base = (slugify(name) or "kategori")[: CODE_LENGTH - 4]
    taken = set(
        Category.objects.filter(partnership=partnership, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def install_default_checklist(*, actor, partnership: Partnership, request=None) -> int:
    """Copy the default EST checklist (groups and categories with their weights) into a
    partnership that has no checklist yet; returns how many categories were made.

    Refused once the partnership has any category: merging two checklists would leave
    near-duplicates a reporter cannot tell apart."""
    if Category.objects.filter(partnership=partnership).exists():
        raise ValidationError(
            _("Samverkan har redan en checklista. Ändra den i stället för att lägga in en ny.")
        )
    made = 0
    for g, group in enumerate(DEFAULT_CHECKLIST):
        parent = Category.objects.create(
            partnership=partnership,
            code=f"grupp-{group.code}",
            name=group.name,
            weight=max(i.weight for i in group.items),
            sort_order=g * 100,
        )
        for i, item in enumerate(group.items):
            Category.objects.create(
                partnership=partnership,
                parent=parent,
                code=item.code,
                name=item.name,
                weight=item.weight,
                sort_order=g * 100 + i + 1,
            )
            made += 1
    record(
        actor=actor,
        action="checklist.install",
        partnership=partnership,
        summary=_("Standardchecklistan"),
        request=request,
        groups=len(DEFAULT_CHECKLIST),
        categories=made,
    )
    return made


@transaction.atomic
def add_group(*, actor, partnership: Partnership, name: str, weight: int, request=None) -> Category:
    """A new active group at the end of the checklist; its categories are added one by one."""
    _check_weight(weight)
    _check_unique_name(partnership.pk, None, name)
    last = Category.objects.filter(partnership=partnership, parent=None).aggregate(
        last=Max("sort_order")
    )["last"]
    group = Category(
        partnership=partnership,
        parent=None,
        code=_free_code(partnership, f"grupp-{slugify(name)}"),
        name=name,
        weight=weight,
        sort_order=0 if last is None else (last // 100 + 1) * 100,
    )
    group.full_clean()
    group.save()
    record(
        actor=actor,
        action="category.create",
        obj=group,
        summary=name,
        request=request,
        weight=weight,
        group=True,
    )
    return group


@transaction.atomic
def add_category(
    *,
    actor,
    partnership: Partnership,
    group: Category,
    name: str,
    weight: int,
    request=None,
) -> Category:
    """A new active category at the end of an active group of the partnership's checklist."""
    if group.partnership_id != partnership.pk or group.parent_id is not None or not group.active:
        raise ValidationError({"group": _("Välj en aktiv grupp i samverkans checklista.")})
    _check_weight(weight)
    _check_unique_name(partnership.pk, group, name)
    last = group.children.aggregate(last=Max("sort_order"))["last"]
    category = Category(
        partnership=partnership,
        parent=group,
        code=_free_code(partnership, name),
        name=name,
        weight=weight,
        sort_order=max(last or 0, group.sort_order) + 1,
    )
    category.full_clean()
    category.save()
    record(
        actor=actor,
        action="category.create",
        obj=category,
        summary=f"{group.name}: {name}",
        request=request,
        weight=weight,
    )
    return category


@transaction.atomic
def change_category(
    *,
    actor,
    category: Category,
    name: str,
    weight: int,
    active: bool,
    sort_order: int | None = None,
    request=None,
) -> Category:
    """Rename, re-weight, reorder, enable or disable a category or a whole group.

    Disabling a group disables its categories too, so no category is reportable without its
    group; a category can be enabled only while its group is active.
    """
    _check_weight(weight)
    _check_unique_name(category.partnership_id, category.parent, name, category.pk)
    if active and category.parent is not None and not category.parent.active:
        message = _("Gruppen %(group)s är avstängd. Aktivera gruppen först.")
        raise ValidationError({"active": message % {"group": category.parent.name}})
    fields = {"name": name, "weight": weight, "active": active}
    if sort_order is not None:
        fields["sort_order"] = sort_order
    changes = {k: [getattr(category, k), v] for k, v in fields.items() if getattr(category, k) != v}
    for key, value in fields.items():
        setattr(category, key, value)
    category.full_clean()
    category.save()
    disabled = 0
    if not active:
        disabled = category.children.filter(active=True).update(active=False)
    record(
        actor=actor,
        action="category.update",
        obj=category,
        summary=name,
        request=request,
        changes=changes,
        children_disabled=disabled,
    )
    return category
