"""A coordinator creates an intervention straight from a flag in the weekly picture, outside
a meeting: prefilled with the flag's area and category group, the flag kept as its origin
with a link back to the week's picture (the approved version when there is one)."""

from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from lagesbild.incidents import weeks
from lagesbild.interventions.models import Intervention
from lagesbild.pictures import runs
from lagesbild.pictures import services as pictures
from lagesbild.pictures.models import Picture


def _create_url(**query) -> str:
    return f"{reverse('interventions:create')}?{urlencode(query)}"


def _form(partnership, organisation, **extra) -> dict:
    return {
        "title": "Klottersanering Norr",
        "areas": [partnership.areas.get(name="Norr").pk],
        "categories": [partnership.categories.get(code="grupp-skadegorelse").pk],
        "responsible": organisation.pk,
        "due_date": (timezone.localdate() + timedelta(days=14)).isoformat(),
        **extra,
    }


def test_the_picture_offers_coordinators_a_prefilled_intervention_per_flag(
    login, coordinator_a, member_a, week_with_deviation
):
    iso = week_with_deviation
    partnership = coordinator_a.partnership
    norr = partnership.areas.get(name="Norr")
    group = partnership.categories.get(code="grupp-skadegorelse")
    coordinator = login(coordinator_a)
    page = unescape(coordinator.get(reverse("pictures:week", args=[iso])).content.decode())
    link = _create_url(vecka=iso, flagga="deviation", omrade=norr.pk, grupp=group.pk)
    assert "Skapa insats från veckans flaggor" in page and f'href="{link}"' in page
    member_page = login(member_a).get(reverse("pictures:week", args=[iso])).content.decode()
    assert "Skapa insats från veckans flaggor" not in member_page  # only coordinators create

    form = coordinator.get(link).content.decode()
    assert f'<option value="{norr.pk}" selected>' in form
    assert f'<option value="{group.pk}" selected>' in form
    assert "Utgår från:" in form and f'href="{reverse("pictures:week", args=[iso])}"' in form
    assert f'name="vecka" value="{iso}"' in form  # the flag travels with the post

    response = coordinator.post(
        reverse("interventions:create"),
        _form(partnership, coordinator_a.organisation, vecka=iso, flagga="deviation")
        | {"omrade": norr.pk, "grupp": group.pk},
    )
    intervention = Intervention.objects.get()
    assert response.url == reverse("interventions:detail", args=[intervention.pk])
    assert intervention.origin["kind"] == "deviation"
    assert intervention.origin["source"] == "picture"
    assert intervention.origin["period"] == iso
    assert "Norr" in intervention.origin["text"]
    assert intervention.origin_meeting is None and intervention.origin_picture is None  # draft
    detail = coordinator.get(response.url).content.decode()
    assert f'href="{reverse("pictures:week", args=[iso])}"' in detail
    assert "skapad direkt från lägesbilden" in detail


def test_from_an_approved_picture_the_origin_links_to_that_version(
    login, coordinator_a, week_with_deviation
):
    iso = week_with_deviation
    partnership = coordinator_a.partnership
    norr = partnership.areas.get(name="Norr")
    group = partnership.categories.get(code="grupp-skadegorelse")
    coordinator = login(coordinator_a)
    content = pictures.assemble(partnership, weeks.parse(iso), runs.latest_run(partnership, iso))
    approved = pictures.approve_picture(
        actor=coordinator_a.user,
        partnership=partnership,
        content=content,
        confirmed=True,
        change_note="Godkänd i test",
    )
    response = coordinator.post(
        reverse("interventions:create"),
        _form(partnership, coordinator_a.organisation)
        | {"vecka": iso, "flagga": "deviation", "omrade": norr.pk, "grupp": group.pk},
    )
    intervention = Intervention.objects.get()
    assert intervention.origin_picture == approved
    detail = coordinator.get(response.url).content.decode()
    assert f'href="{reverse("pictures:version", args=[iso, approved.version])}"' in detail
    assert Picture.objects.count() == 1


def test_an_assessment_above_the_lowest_level_is_a_flag_too(
    login, coordinator_a, week_with_deviation
):
    iso = week_with_deviation
    partnership = coordinator_a.partnership
    soder = partnership.areas.get(name="Söder")
    pictures.save_assessment(
        actor=coordinator_a.user,
        partnership=partnership,
        area=soder,
        iso=iso,
        level=3,
        comment="Oro vid stationen på kvällarna",
    )
    coordinator = login(coordinator_a)
    link = _create_url(vecka=iso, flagga="assessment", omrade=soder.pk)
    page = unescape(coordinator.get(reverse("pictures:week", args=[iso])).content.decode())
    assert f'href="{link}"' in page
    coordinator.post(
        reverse("interventions:create"),
        _form(partnership, coordinator_a.organisation, areas=[soder.pk])
        | {"vecka": iso, "flagga": "assessment", "omrade": soder.pk},
    )
    origin = Intervention.objects.get().origin
    assert origin["kind"] == "assessment" and "group" not in origin
    assert origin["text"] == (
        "Gruppens bedömning av Söder: 3 Ansträngt. Oro vid stationen på kvällarna"
    )


def test_a_flag_the_picture_does_not_hold_gives_a_plain_form(
    login, coordinator_a, week_with_deviation
):
    iso = week_with_deviation
    partnership = coordinator_a.partnership
    soder = partnership.areas.get(name="Söder")  # no deviation there
    coordinator = login(coordinator_a)
    group = partnership.categories.get(code="grupp-skadegorelse")
    page = coordinator.get(
        _create_url(vecka=iso, flagga="deviation", omrade=soder.pk, grupp=group.pk)
    ).content.decode()
    assert "inte (längre) den flaggan" in page and "Utgår från:" not in page
    bad_week = coordinator.get(_create_url(vecka="2026-W99", flagga="deviation", omrade=1))
    assert bad_week.status_code == 200 and "Utgår från:" not in bad_week.content.decode()
    coordinator.post(
        reverse("interventions:create"),
        _form(partnership, coordinator_a.organisation)
        | {"vecka": iso, "flagga": "rising", "omrade": soder.pk, "grupp": group.pk},
    )
    intervention = Intervention.objects.get()
    assert intervention.origin == {} and intervention.origin_picture is None
