"""The coordinator's administration pages as a coordinator meets them, and who may not."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lagesbild.geography.models import Area, Place
from lagesbild.incidents.models import Category
from lagesbild.partnerships.models import Membership, Organisation
from tests.factories import square

Role = Membership.Role

LISTS = ["manage", "area_list", "place_list", "category_list", "organisation_list", "member_list"]
CREATES = ["area_create", "place_create", "category_create", "organisation_create", "member_create"]
EDITS = {
    "area_edit": lambda p: p.areas.get(name="Norr"),
    "place_edit": lambda p: p.places.get(),
    "category_edit": lambda p: p.categories.get(code="klotter"),
    "organisation_edit": lambda p: p.organisations.first(),
    "member_edit": lambda p: p.memberships.first(),
}


def url(name, *args):
    return reverse(f"partnerships:{name}", args=args)


def text(response):
    return response.content.decode()


# Who may come in


@pytest.mark.parametrize("name", LISTS + CREATES)
def test_coordinator_opens_every_list_and_new_page(login, coordinator_a, name):
    response = login(coordinator_a).get(url(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(EDITS))
def test_coordinator_opens_edit_pages_of_own_partnership(login, coordinator_a, name):
    obj = EDITS[name](coordinator_a.partnership)
    response = login(coordinator_a).get(url(name, obj.pk))
    assert response.status_code == 200
    assert "Spara" in text(response)


@pytest.mark.parametrize("name", LISTS + CREATES)
def test_members_below_coordinator_get_403(login, analyst_a, name):
    client = login(analyst_a)
    assert client.get(url(name)).status_code == 403
    assert client.post(url(name), {"name": "Försök"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(url("area_list"))
    assert response.status_code == 302 and "/konto/logga-in/" in response["Location"]


@pytest.mark.parametrize("name", sorted(EDITS))
def test_another_partnerships_ids_give_404_and_change_nothing(
    login, coordinator_a, partnership_b, coordinator_b, name
):
    obj = EDITS[name](partnership_b)
    client = login(coordinator_a)
    assert client.get(url(name, obj.pk)).status_code == 404
    assert client.post(url(name, obj.pk), {"name": "Kapad", "active": ""}).status_code == 404
    assert type(obj).objects.get(pk=obj.pk) == obj
    assert not Area.objects.filter(name="Kapad").exists()


def test_hub_links_to_every_part(login, coordinator_a):
    page = text(login(coordinator_a).get(url("manage")))
    for name in LISTS[1:] + CREATES:
        assert f'href="{url(name)}"' in page
    assert 'href="/logg/' in page


# Areas


def feature(lon=17.93, lat=59.42, size=0.01, **properties):
    return {"type": "Feature", "properties": properties, "geometry": square(lon, lat, size)}


def area_data(**overrides):
    data = {"name": "Öster", "code": "OST", "kind": "omrade", "population": "1200", "active": "on"}
    data.update(overrides)
    return data


def test_new_area_from_pasted_feature(login, coordinator_a):
    partnership = coordinator_a.partnership
    norr = partnership.areas.get(name="Norr")
    body = area_data(geometry_text=json.dumps(feature()), parent=norr.pk, population_year="2024")
    response = login(coordinator_a).post(url("area_create"), body, follow=True)
    assert "Området Öster har sparats." in text(response)
    area = partnership.areas.get(code="OST")
    assert (area.parent, area.population, area.population_year) == (norr, 1200, 2024)
    assert area.min_lon == pytest.approx(17.93)


def test_new_area_from_uploaded_feature_collection(login, coordinator_a):
    collection = {"type": "FeatureCollection", "features": [feature()]}
    upload = SimpleUploadedFile("oster.geojson", json.dumps(collection).encode())
    response = login(coordinator_a).post(url("area_create"), area_data(geometry_file=upload))
    assert response.status_code == 302
    assert coordinator_a.partnership.areas.filter(code="OST").exists()


@pytest.mark.parametrize(
    "geometry, message",
    [
        ("", "Ett nytt område behöver en polygon"),
        ("{inte json", "inte giltig JSON"),
        (json.dumps({"type": "Point", "coordinates": [17.9, 59.4]}), "ska vara en polygon"),
        (json.dumps(square(667000, 6590000, 1000)), "SWEREF 99 TM"),
        (
            json.dumps({"type": "FeatureCollection", "features": [feature(), feature()]}),
            "2 objekt",
        ),
        (
            json.dumps({**feature(), "crs": {"properties": {"name": "EPSG:3006"}}}),
            "EPSG:3006",
        ),
    ],
)
def test_bad_geojson_is_refused_in_swedish_and_saves_nothing(
    login, coordinator_a, geometry, message
):
    response = login(coordinator_a).post(url("area_create"), area_data(geometry_text=geometry))
    assert response.status_code == 400
    assert message in text(response)
    assert not Area.objects.filter(code="OST").exists()


def test_edit_area_keeps_outline_when_none_is_given(login, coordinator_a):
    area = coordinator_a.partnership.areas.get(name="Norr")
    outline = area.geometry
    body = area_data(name="Norra", code=area.code, scb_code="0163C1010", active="")
    response = login(coordinator_a).post(url("area_edit", area.pk), body)
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.scb_code, area.active, area.geometry) == (
        "Norra",
        "0163C1010",
        False,
        outline,
    )


def test_area_code_must_be_unique_and_parent_cannot_be_below_itself(login, coordinator_a):
    partnership = coordinator_a.partnership
    norr, soder = partnership.areas.get(name="Norr"), partnership.areas.get(name="Söder")
    soder.parent = norr
    soder.save()
    client = login(coordinator_a)
    response = client.post(url("area_edit", norr.pk), area_data(code=soder.code))
    assert response.status_code == 400 and "Koden används redan" in text(response)
    response = client.post(url("area_edit", norr.pk), area_data(code=norr.code, parent=soder.pk))
    assert response.status_code == 400
    norr.refresh_from_db()
    assert norr.parent is None and norr.name == "Norr"


def test_area_form_offers_only_own_areas_as_parent(login, coordinator_a, partnership_b):
    page = text(login(coordinator_a).get(url("area_create")))
    foreign = partnership_b.areas.get(name="Norr")
    assert f'value="{foreign.pk}"' not in page


# Places


def test_new_place_takes_its_area_from_the_position(login, coordinator_a):
    partnership = coordinator_a.partnership
    body = {"name": "Skolgården", "kind": "skola", "lon": "17,905", "lat": "59,425", "active": "on"}
    response = login(coordinator_a).post(url("place_create"), body, follow=True)
    assert "Platsen Skolgården har sparats." in text(response)
    place = partnership.places.get(name="Skolgården")
    assert place.area == partnership.areas.get(name="Söder")
    assert place.lon == pytest.approx(17.905)


def test_moving_a_place_moves_it_to_the_other_area(login, coordinator_a):
    place = coordinator_a.partnership.places.get()
    body = {"name": place.name, "kind": place.kind, "lon": "17.905", "lat": "59.425"}
    login(coordinator_a).post(url("place_edit", place.pk), body)
    place.refresh_from_db()
    assert (place.area.name, place.active) == ("Söder", False)


@pytest.mark.parametrize(
    "lon, lat, message",
    [
        ("17.2", "59.9", "utanför samverkans områden"),
        ("", "59.4", "Ange longitud"),
        ("öster", "59.4", "Ange ett tal"),
    ],
)
def test_place_outside_or_without_position_is_refused(login, coordinator_a, lon, lat, message):
    body = {"name": "Ute", "kind": "annat", "lon": lon, "lat": lat, "active": "on"}
    response = login(coordinator_a).post(url("place_create"), body)
    assert response.status_code == 400
    assert message in text(response)
    assert not Place.objects.filter(name="Ute").exists()


# Categories


def test_category_list_shows_groups_with_their_categories(login, coordinator_a):
    page = text(login(coordinator_a).get(url("category_list")))
    assert "Skadegörelse" in page and "Klotter" in page
    assert f"{url('category_create')}?grupp=" in page


def test_add_category_in_group(login, coordinator_a):
    group = coordinator_a.partnership.categories.get(code="grupp-brand")
    client = login(coordinator_a)
    assert f'value="{group.pk}" selected' in text(
        client.get(url("category_create"), {"grupp": group.pk})
    )
    body = {"group": group.pk, "name": "Brand i förråd", "weight": "2"}
    response = client.post(url("category_create"), body, follow=True)
    assert "Kategorin Brand i förråd har lagts till." in text(response)
    assert group.children.filter(name="Brand i förråd", weight=2).exists()


def test_edit_category_disables_and_reweights(login, coordinator_a):
    category = coordinator_a.partnership.categories.get(code="klotter")
    body = {"name": "Klotter", "weight": "3", "sort_order": "1"}
    response = login(coordinator_a).post(url("category_edit", category.pk), body)
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.weight, category.active) == (3, False)


@pytest.mark.parametrize("weight", ["4", "-1", "tung"])
def test_category_weight_out_of_range_is_refused(login, coordinator_a, weight):
    category = coordinator_a.partnership.categories.get(code="klotter")
    body = {"name": "Nytt namn", "weight": weight, "sort_order": "1", "active": "on"}
    response = login(coordinator_a).post(url("category_edit", category.pk), body)
    assert response.status_code == 400
    assert "Inget har sparats" in text(response)
    category.refresh_from_db()
    assert category.name == "Klotter"


def test_category_of_another_partnership_cannot_be_the_group(login, coordinator_a, partnership_b):
    group = partnership_b.categories.get(code="grupp-brand")
    body = {"group": group.pk, "name": "Smuggel", "weight": "1"}
    response = login(coordinator_a).post(url("category_create"), body)
    assert response.status_code == 400 and "Välj en grupp ur listan." in text(response)
    assert not Category.objects.filter(name="Smuggel").exists()


# Organisations


def test_add_rename_and_deactivate_organisation(login, coordinator_a):
    client = login(coordinator_a)
    response = client.post(
        url("organisation_create"), {"name": "Nattvandrarna", "kind": "forening", "active": "on"}
    )
    assert response.status_code == 302
    organisation = coordinator_a.partnership.organisations.get(name="Nattvandrarna")
    body = {"name": "Nattvandrare Norr", "kind": "forening"}
    response = client.post(url("organisation_edit", organisation.pk), body, follow=True)
    assert "Organisationen Nattvandrare Norr har sparats." in text(response)
    organisation.refresh_from_db()
    assert not organisation.active


def test_own_organisation_cannot_be_deactivated(login, coordinator_a):
    organisation = coordinator_a.organisation
    body = {"name": organisation.name, "kind": organisation.kind}
    response = login(coordinator_a).post(url("organisation_edit", organisation.pk), body)
    assert response.status_code == 400 and "egen organisation" in text(response)


def test_organisation_needs_a_name_and_a_kind(login, coordinator_a):
    response = login(coordinator_a).post(url("organisation_create"), {"name": "", "kind": "x"})
    assert response.status_code == 400
    assert Organisation.objects.count() == 1


# Members


def member_data(**overrides):
    data = {
        "account": "new",
        "username": "ny_person",
        "first_name": "Test",
        "last_name": "Testsson",
        "email": "ny@example.org",
        "password": "Gott-om-tecken-17",
        "password_again": "Gott-om-tecken-17",
        "role": "reporter",
    }
    return {**data, **overrides}


def test_add_member_with_new_account_who_can_then_log_in(client, login, coordinator_a):
    body = member_data(organisation=coordinator_a.organisation.pk)
    response = login(coordinator_a).post(url("member_create"), body, follow=True)
    assert "ny_person är nu medlem i samverkan." in text(response)
    credentials = {"username": "ny_person", "password": "Gott-om-tecken-17"}
    assert client.post(reverse("login"), credentials).status_code == 302
    member = Membership.objects.get(user__username="ny_person")
    assert (member.partnership, member.role) == (coordinator_a.partnership, Role.REPORTER)


def test_add_existing_account_as_member(login, coordinator_a, member_b):
    body = {
        "account": "existing",
        "username": "member_b",
        "organisation": coordinator_a.organisation.pk,
        "role": "analyst",
    }
    response = login(coordinator_a).post(url("member_create"), body)
    assert response.status_code == 302
    assert member_b.user.memberships.filter(partnership=coordinator_a.partnership).exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"password_again": "annat"}, "Lösenorden är inte lika."),
        ({"password": "12345678", "password_again": "12345678"}, "lösenord"),
        ({"email": ""}, "Fyll i detta för ett nytt konto."),
        ({"username": "coord_a"}, "användarnamn"),
        ({"account": "existing", "username": "ingen_alls"}, "ingen aktiv användare"),
        ({"role": "chef"}, "Välj ett giltigt alternativ"),
    ],
)
def test_bad_member_input_is_refused_in_swedish(login, coordinator_a, overrides, message):
    body = member_data(organisation=coordinator_a.organisation.pk, **overrides)
    response = login(coordinator_a).post(url("member_create"), body)
    assert response.status_code == 400
    assert message.lower() in text(response).lower()
    assert Membership.objects.count() == 1


def test_change_member_role_and_deactivate(login, coordinator_a, reporter_a):
    body = {"organisation": reporter_a.organisation.pk, "role": "member"}
    response = login(coordinator_a).post(url("member_edit", reporter_a.pk), body, follow=True)
    assert "Medlemskapet för reporter_a har sparats." in text(response)
    reporter_a.refresh_from_db()
    assert (reporter_a.role, reporter_a.active) == (Role.MEMBER, False)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"role": "analyst", "active": "on"}, "din egen roll som samordnare"),
        ({"role": "coordinator"}, "inaktivera dig själv"),
    ],
)
def test_coordinator_is_told_they_cannot_lock_themselves_out(login, coordinator_a, body, message):
    client = login(coordinator_a)
    assert "ditt eget medlemskap" in text(client.get(url("member_edit", coordinator_a.pk)))
    body = {**body, "organisation": coordinator_a.organisation.pk}
    response = client.post(url("member_edit", coordinator_a.pk), body)
    assert response.status_code == 400 and message in text(response)
    coordinator_a.refresh_from_db()
    assert coordinator_a.role == Role.COORDINATOR and coordinator_a.active
