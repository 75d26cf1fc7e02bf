"""Partnership pages: switching partnership and the coordinator's administration.

The administration pages are lists with an edit page per object. Each edit view fetches its
object through `access.get_for_member` (404 for another partnership's id), parses the form and
hands typed values to a service; `_form_page` does the common part (success message and
redirect, or the form's Swedish errors with status 400).
"""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lagesbild.geography.models import Area, Place
from lagesbild.geography.queries import areas, places
from lagesbild.geography.services import save_area, save_place
from lagesbild.incidents import category_services
from lagesbild.incidents.models import Category
from lagesbild.incidents.queries import categories
from lagesbild.partnerships import forms, services
from lagesbild.partnerships.access import (
    Role,
    get_for_member,
    member_required,
    scoped,
    switch_partnership,
)
from lagesbild.partnerships.models import Membership, Organisation
from lagesbild.web.htmx import form_page
from lagesbild.web.maps import map_config

coordinator_required = member_required(Role.COORDINATOR)


@require_POST
@member_required(Role.REPORTER)
def switch(request):
    switch_partnership(request, request.POST.get("partnership"))
    return redirect("home")


def _members(membership):
    return scoped(Membership.objects.select_related("user", "organisation"), membership)


def _organisations(membership):
    active_members = Count("memberships", filter=Q(memberships__active=True))
    return scoped(Organisation.objects.annotate(members=active_members), membership)


def _posted(request):
    """Form data for a POST, None for a GET (so a GET shows an unbound form)."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


# Every administration form page is under the "Administrera" menu item.
_form_page = partial(form_page, nav="manage")


@coordinator_required
def manage(request):
    """The administration hub: what the partnership has, with links to manage each part."""
    membership = request.membership
    counts = {
        "areas": areas(membership, active_only=False).count(),
        "places": places(membership, active_only=False).count(),
        "categories": categories(membership, active_only=False).count(),
        "organisations": scoped(Organisation.objects.all(), membership).count(),
        "members": _members(membership).filter(active=True).count(),
    }
    return render(request, "partnerships/manage.html", {"nav": "manage", "counts": counts})


# Areas


@coordinator_required
def area_list(request):
    rows = areas(request.membership, active_only=False).select_related("parent")
    return render(request, "partnerships/areas.html", {"nav": "manage", "areas": rows})


@coordinator_required
def area_edit(request, pk: int | None = None):
    membership = request.membership
    area = get_for_member(Area.objects.all(), membership, pk) if pk else None
    form = forms.AreaForm(*_posted(request), membership=membership, area=area)

    def save(data):
        return save_area(
            actor=request.user,
            partnership=membership.partnership,
            area=area,
            name=data["name"],
            code=data["code"],
            geojson=data["geojson"],
            parent=data["parent"],
            kind=data["kind"],
            scb_code=data["scb_code"],
            population=data["population"],
            population_year=data["population_year"],
            active=data["active"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="partnerships/area_form.html",
        success=_("Området %(name)s har sparats."),
        next_url="partnerships:area_list",
        aliases={"geometry": "geometry_text"},
        title=area.name if area else _("Nytt område"),
        back=("partnerships:area_list", _("Områden")),
        area=area,
        map_config=map_config(),
    )


# Places


@coordinator_required
def place_list(request):
    rows = places(request.membership, active_only=False)
    return render(request, "partnerships/places.html", {"nav": "manage", "places": rows})


@coordinator_required
def place_edit(request, pk: int | None = None):
    membership = request.membership
    place = get_for_member(Place.objects.select_related("area"), membership, pk) if pk else None
    form = forms.PlaceForm(_posted(request)[0], place=place)

    def save(data):
        return save_place(
            actor=request.user,
            partnership=membership.partnership,
            place=place,
            name=data["name"],
            kind=data["kind"],
            lon=data["lon"],
            lat=data["lat"],
            active=data["active"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="partnerships/place_form.html",
        success=_("Platsen %(name)s har sparats."),
        next_url="partnerships:place_list",
        title=place.name if place else _("Ny plats"),
        back=("partnerships:place_list", _("Platser")),
        place=place,
        map_config=map_config(),
    )


# Categories


@coordinator_required
def category_list(request):
    rows = list(categories(request.membership, active_only=False))
    groups = [(g, [c for c in rows if c.parent_id == g.pk]) for g in rows if g.parent_id is None]
    return render(request, "partnerships/categories.html", {"nav": "manage", "groups": groups})


@coordinator_required
def category_add(request):
    membership = request.membership
    form = forms.CategoryAddForm(
        _posted(request)[0], membership=membership, initial={"group": request.GET.get("grupp")}
    )

    def save(data):
        return category_services.add_category(
            actor=request.user,
            partnership=membership.partnership,
            group=data["group"],
            name=data["name"],
            weight=data["weight"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="partnerships/form.html",
        success=_("Kategorin %(name)s har lagts till."),
        next_url="partnerships:category_list",
        title=_("Ny kategori"),
        back=("partnerships:category_list", _("Kategorier")),
    )


@coordinator_required
def group_add(request):
    """A new group in the checklist; a new partnership with an empty checklist starts here."""
    membership = request.membership
    form = forms.GroupAddForm(_posted(request)[0])

    def save(data):
        return category_services.add_group(
            actor=request.user,
            partnership=membership.partnership,
            name=data["name"],
            weight=data["weight"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="partnerships/form.html",
        success=_("Gruppen %(name)s har lagts till. Lägg nu till dess kategorier."),
        next_url="partnerships:category_list",
        title=_("Ny grupp"),
        back=("partnerships:category_list", _("Kategorier")),
    )


@require_POST
@coordinator_required
def checklist_install(request):
    """The default EST checklist into a partnership that has none yet."""
    try:
        made = category_services.install_default_checklist(
            actor=request.user, partnership=request.membership.partnership, request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Standardchecklistan har lagts in med %(n)s kategorier.") % {"n": made}
        )
    return redirect("partnerships:category_list")


@coordinator_required
def category_edit(request, pk: int):
    category = get_for_member(Category.objects.select_related("parent"), request.membership, pk)
    form = forms.CategoryForm(_posted(request)[0], category=category)

    def save(data):
        return category_services.change_category(
            actor=request.user,
            category=category,
            name=data["name"],
            weight=data["weight"],
            active=data["active"],
            sort_order=data["sort_order"],
            request=request,
        )

    title = _("Grupp: %(name)s") if category.parent_id is None else _("Kategori: %(name)s")
    return _form_page(
        request,
        form,
        save,
        template="partnerships/form.html",
        success=_("Kategorin %(name)s har sparats."),
        next_url="partnerships:category_list",
        title=title % {"name": category.name},
        back=("partnerships:category_list", _("Kategorier")),
    )


# Organisations


@coordinator_required
def organisation_list(request):
    rows = _organisations(request.membership)
    return render(
        request, "partnerships/organisations.html", {"nav": "manage", "organisations": rows}
    )


@coordinator_required
def organisation_edit(request, pk: int | None = None):
    membership = request.membership
    organisation = get_for_member(Organisation.objects.all(), membership, pk) if pk else None
    form = forms.OrganisationForm(_posted(request)[0], organisation=organisation)

    def save(data):
        return services.save_organisation(
            actor=request.user,
            partnership=membership.partnership,
            organisation=organisation,
            name=data["name"],
            kind=data["kind"],
            active=data["active"],
            request=request,
        )

    return _form_page(
        request,
        form,
        save,
        template="partnerships/form.html",
        success=_("Organisationen %(name)s har sparats."),
        next_url="partnerships:organisation_list",
        title=organisation.name if organisation else _("Ny organisation"),
        back=("partnerships:organisation_list", _("Organisationer")),
    )


# Members


@coordinator_required
def member_list(request):
    rows = _members(request.membership).order_by("-active", "user__username")
    return render(request, "partnerships/members.html", {"nav": "manage", "members": rows})


@coordinator_required
def member_add(request):
    membership = request.membership
    form = forms.MemberAddForm(_posted(request)[0], membership=membership)

    def save(data):
        member = services.add_member(
            actor=request.user,
            partnership=membership.partnership,
            username=data["username"],
            organisation=data["organisation"],
            role=data["role"],
            new_user=form.new_user(),
            request=request,
        )
        return member.user.username

    return _form_page(
        request,
        form,
        save,
        template="partnerships/member_add.html",
        success=_("%(name)s är nu medlem i samverkan."),
        next_url="partnerships:member_list",
        title=_("Ny medlem"),
        back=("partnerships:member_list", _("Medlemmar")),
    )


@coordinator_required
def member_edit(request, pk: int):
    membership = request.membership
    member = get_for_member(Membership.objects.select_related("user"), membership, pk)
    form = forms.MemberForm(_posted(request)[0], membership=membership, member=member)

    def save(data):
        services.change_member(
            actor=request.user,
            member=member,
            organisation=data["organisation"],
            role=data["role"],
            active=data["active"],
            request=request,
        )
        return member.user.username

    return _form_page(
        request,
        form,
        save,
        template="partnerships/member_form.html",
        success=_("Medlemskapet för %(name)s har sparats."),
        next_url="partnerships:member_list",
        title=member.user.get_full_name() or member.user.username,
        back=("partnerships:member_list", _("Medlemmar")),
        member=member,
    )


# Settings


@coordinator_required
def settings_edit(request):
    """The partnership's policy for its pictures: assessment scale, who sees the picture,
    the periodic picture's period and small-count suppression in exports."""
    partnership = request.membership.partnership
    form = forms.SettingsForm(
        _posted(request)[0], initial=forms.SettingsForm.initial_for(partnership)
    )

    def save(data):
        services.change_settings(
            actor=request.user,
            partnership=partnership,
            assessment_scale=services.parse_scale(data["assessment_scale"]),
            reporters_see_picture=data["reporters_see_picture"],
            periodic_kind=data["periodic_kind"],
            suppress_below=data["suppress_below"],
            coverage_start=data["coverage_start"],
            time_zone=data["time_zone"] or None,
            request=request,
        )
        return partnership.name

    return _form_page(
        request,
        form,
        save,
        template="partnerships/form.html",
        success=_("Inställningarna för %(name)s har sparats."),
        next_url="partnerships:manage",
        title=_("Inställningar"),
        back=("partnerships:manage", _("Administrera")),
    )
