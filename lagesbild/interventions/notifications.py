"""E-mail from the interventions app: reminders of due and overdue interventions, and the
weekly digest of an approved picture to every member (the EST step återkoppling).

Both are run by `manage.py send_reminders`, which a scheduler (cron, a systemd timer) runs
every hour or so; each sends what is due and remembers it, so running it again sends nothing
twice. E-mail goes through Django's mail framework: the console by default, SMTP when
EMAIL_HOST is set. Each recipient gets an e-mail of their own, so no address is shown to
another member.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lagesbild.interventions import constants, services
from lagesbild.interventions.models import DigestSent, Intervention
from lagesbild.partnerships.access import ROLE_RANK, Role
from lagesbild.partnerships.models import Membership
from lagesbild.pictures.models import PeriodKind, Picture

# A picture approved longer ago than this gets no digest (a new installation does not mail
# its whole archive).
DIGEST_MAX_AGE = timedelta(days=14)


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _members(partnership_id: int, minimum_role: str, organisations=None):
    """Active members with an e-mail address, of at least `minimum_role`."""
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[minimum_role]]
    members = Membership.objects.filter(
        partnership=partnership_id, active=True, organisation__active=True, role__in=roles
    ).exclude(user__email="")
    if organisations is not None:
        members = members.filter(organisation__in=organisations)
    return members.select_related("user")


def reminder_is_due(intervention: Intervention, today: date) -> bool:
    """Due soon: once, when it comes within `DUE_WITHIN_DAYS`. Overdue: when it becomes
    overdue and then every `OVERDUE_EVERY_DAYS` days."""
    last = intervention.last_reminded_on
    if intervention.due_date < today:
        return (
            last is None
            or last < intervention.due_date
            or last <= today - timedelta(days=constants.OVERDUE_EVERY_DAYS)
        )
    return last is None or last < intervention.due_date - timedelta(days=constants.DUE_WITHIN_DAYS)


def send_due_reminders(today: date) -> int:
    """E-mail the members of the responsible and contributing organisations about open
    interventions due within a few days or overdue; one e-mail per member. Returns the
    number of e-mails sent."""
    candidates = (
        Intervention.objects.filter(
            status__in=services.OPEN,
            due_date__lte=today + timedelta(days=constants.DUE_WITHIN_DAYS),
        )
        .select_related("responsible", "partnership")
        .prefetch_related("areas", "contributors")
        .order_by("due_date", "id")
    )
    due = [i for i in candidates if reminder_is_due(i, today)]
    per_member: dict[int, tuple[Membership, list[Intervention]]] = {}
    for intervention in due:
        organisations = [
            intervention.responsible_id,
            *(o.pk for o in intervention.contributors.all()),
        ]
        for member in _members(intervention.partnership_id, Role.MEMBER, organisations):
            per_member.setdefault(member.pk, (member, []))[1].append(intervention)
    messages = []
    with translation.override("sv"):
        for member, items in per_member.values():
            lines = [
                _("%(t)s (%(a)s) – %(s)s %(d)s: %(l)s")
                % {
                    "t": i.title,
                    "a": i.area_names,
                    "s": _("försenad, skulle vara klar")
                    if i.due_date < today
                    else _("ska vara klar"),
                    "d": i.due_date.isoformat(),
                    "l": _link(reverse("interventions:detail", args=[i.pk])),
                }
                for i in items
            ]
            body = "\n".join(
                [
                    _("Insatser som %(o)s ansvarar för eller medverkar i:")
                    % {"o": member.organisation.name},
                    "",
                    *lines,
                    "",
                    _("Skriv i insatsens logg vad som gjorts, eller ändra status, via länken."),
                    _("Mina insatser: %(l)s") % {"l": _link(reverse("interventions:mine"))},
                ]
            )
            subject = _("Lägesbild: insatser att följa upp (%(p)s)") % {
                "p": member.partnership.name
            }
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [member.user.email]))
    send_mass_mail(messages, fail_silently=False)
    Intervention.objects.filter(pk__in=[i.pk for i in due]).update(last_reminded_on=today)
    return len(messages)


def _digest_recipients(picture: Picture):
    minimum = Role.REPORTER if picture.partnership.reporters_see_picture else Role.MEMBER
    return _members(picture.partnership_id, minimum)


def send_picture_digests(now) -> int:
    """E-mail the summary of each newly approved weekly picture (its first version) to
    every member who may read it, with a link; each picture once. Returns e-mails sent."""
    pictures = (
        Picture.objects.filter(
            period_kind=PeriodKind.WEEK, version=1, approved_at__gte=now - DIGEST_MAX_AGE
        )
        .exclude(pk__in=DigestSent.objects.values("picture"))
        .select_related("partnership")
        .order_by("approved_at")
    )
    sent = 0
    for picture in pictures:
        with transaction.atomic():
            # Claim the picture first: a second scheduler run at the same moment finds it
            # taken (the one-to-one key) and sends nothing.
            claim, created = DigestSent.objects.get_or_create(
                picture=picture, defaults={"partnership": picture.partnership}
            )
            if not created:
                continue
            messages = _digest_messages(picture)
            claim.recipients = len(messages)
            claim.save(update_fields=["recipients"])
            send_mass_mail(messages, fail_silently=False)
        sent += len(messages)
    return sent


def _digest_messages(picture: Picture) -> list[tuple]:
    content = picture.content
    link = _link(reverse("pictures:week", args=[picture.period]))
    with translation.override("sv"):
        week = picture.period.split("W")[1].lstrip("0")
        subject = _("Lägesbild vecka %(w)s är godkänd (%(p)s)") % {
            "w": week,
            "p": picture.partnership.name,
        }
        due = content.get("interventions_due") or []
        body = "\n".join(
            [
                _("Gruppen har godkänt lägesbilden för vecka %(w)s.") % {"w": week},
                "",
                *content.get("summary", []),
                "",
                *([_("Insatser som ska vara klara: %(n)s.") % {"n": len(due)}, ""] if due else []),
                _("Hela lägesbilden: %(l)s") % {"l": link},
                _("Mina insatser: %(l)s") % {"l": _link(reverse("interventions:mine"))},
            ]
        )
    return [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [m.user.email])
        for m in _digest_recipients(picture)
    ]
