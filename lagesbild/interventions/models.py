"""Interventions (insatser), the weekly meeting (tisdagsmötet) and its decisions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InterventionType(models.Model):
    """A kind of intervention from the partnership's own taxonomy (seeded with the EST
    defaults, see `constants.DEFAULT_TYPES`), so a group can learn which kinds work where."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="intervention_types"
    )
    name = models.CharField(_("namn"), max_length=100)
    description = models.CharField(_("exempel"), max_length=300, blank=True)
    active = models.BooleanField(_("aktiv"), default=True)
    sort_order = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("insatstyp")
        verbose_name_plural = _("insatstyper")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="intervention_type_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Intervention(models.Model):
    """A decided action: what kind, where, against which categories, who, when, status.

    The problem it targets is its areas (one or more) and categories, and where one exists
    the flag that led to it (a deviation, a rising series, an assessment): `origin` is a copy
    of that meeting agenda item or, when a coordinator created it straight from the weekly
    picture, of the picture's flag (`"source": "picture"`, with `origin_picture` the approved
    version), so the link survives later edits of the agenda or the picture. Closing it
    (status done or cancelled) freezes its evaluation (`Evaluation`)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerad")
        ONGOING = "ongoing", _("Pågår")
        DONE = "done", _("Genomförd")
        CANCELLED = "cancelled", _("Inställd")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="interventions"
    )
    title = models.CharField(_("insats"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, max_length=4000)
    areas = models.ManyToManyField(
        "geography.Area", related_name="interventions", verbose_name=_("områden")
    )
    # Optionally the specific places within the target areas the intervention is aimed at.
    places = models.ManyToManyField(
        "geography.Place", blank=True, related_name="interventions", verbose_name=_("platser")
    )
    categories = models.ManyToManyField(
        "incidents.Category",
        blank=True,
        related_name="interventions",
        verbose_name=_("kategorier"),
    )
    responsible = models.ForeignKey(
        "partnerships.Organisation",
        on_delete=models.PROTECT,
        related_name="interventions",
        verbose_name=_("ansvarig organisation"),
    )
    kind = models.ForeignKey(
        InterventionType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interventions",
        verbose_name=_("typ av insats"),
    )
    contributors = models.ManyToManyField(
        "partnerships.Organisation",
        blank=True,
        related_name="contributes_to",
        verbose_name=_("medverkande organisationer"),
    )
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)
    due_date = models.DateField(_("klart senast"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    origin_meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beslutad på mötet"),
    )
    origin = models.JSONField(_("utgår från"), default=dict, blank=True)
    # Set when the intervention was created from a flag in an approved weekly picture: the
    # version the flag was read from, so the link goes to the picture as the group saw it.
    origin_picture = models.ForeignKey(
        "pictures.Picture",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utgår från lägesbild"),
    )
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    # The evaluation's set-up; empty comparison areas mean "use the proposal".
    comparison_areas = models.ManyToManyField(
        "geography.Area", blank=True, related_name="+", verbose_name=_("jämförelseområden")
    )
    buffer_areas = models.ManyToManyField(
        "geography.Area", blank=True, related_name="+", verbose_name=_("buffertzon")
    )
    buffer_chosen = models.BooleanField(default=False, editable=False)
    weeks_before = models.PositiveSmallIntegerField(_("veckor före start"), default=26)
    weeks_after = models.PositiveSmallIntegerField(_("veckor efter start"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    def target_areas(self) -> list:
        """The target areas by name (from the prefetched set where there is one)."""
        return sorted(self.areas.all(), key=lambda a: a.name)

    @property
    def area_names(self) -> str:
        return ", ".join(a.name for a in self.target_areas())


class Meeting(models.Model):
    """A meeting of the group, normally the weekly one about a week's picture."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("datum"))
    period = models.CharField(_("lägesbild för"), max_length=10)  # e.g. "2026-W47"
    title = models.CharField(_("rubrik"), max_length=200)
    agenda = models.JSONField(_("dagordning"), default=list, blank=True)
    minutes = models.TextField(_("protokoll"), blank=True, max_length=20000)
    attendees = models.TextField(_("närvarande organisationer"), blank=True, max_length=2000)
    closed = models.BooleanField(_("avslutat"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title} {self.held_on}"


class Decision(models.Model):
    """A decision recorded in a meeting's minutes; it may create an intervention."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("beslut"), max_length=2000)
    intervention = models.OneToOneField(
        Intervention,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision",
    )
    # Shown to the partnership's guest organisations on their own page (lagesbild.guests).
    shared_with_guests = models.BooleanField(_("delas med gästmyndigheter"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ProgressNote(models.Model):
    """A dated note in an intervention's progress log: what was done, how much, by which
    organisation (never who as a person; the author is kept for the audit)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="progress_notes"
    )
    done_on = models.DateField(_("datum"))
    text = models.TextField(_("vad som gjordes"), max_length=2000)
    amount = models.CharField(_("omfattning"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "partnerships.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anteckning")
        verbose_name_plural = _("anteckningar")
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.done_on} {self.text[:40]}"


class Evaluation(models.Model):
    """A stored evaluation of an intervention: its set-up and every figure, as computed.

    Closing an intervention stores a frozen version; recomputing stores the next version
    and never changes an old one, like approved pictures."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="evaluations"
    )
    version = models.PositiveSmallIntegerField(default=1)
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verdict = models.CharField(max_length=20, blank=True)
    result = models.JSONField()

    class Meta:
        verbose_name = _("utvärdering")
        verbose_name_plural = _("utvärderingar")
        ordering = ["intervention", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "version"], name="evaluation_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.intervention} v{self.version}"


class EvaluationRequest(models.Model):
    """A request to compute and store the next version of an intervention's evaluation,
    done by the background worker (closing an intervention, or "Beräkna igen"): the
    evaluation takes seconds on a loaded server, too long for the request that closes it.
    Its status is what the evaluation page shows while it waits."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Beräknas")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="evaluation_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("beräkning av utvärdering")
        verbose_name_plural = _("beräkningar av utvärderingar")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.intervention} {self.status}"


class DigestSent(models.Model):
    """Which approved weekly picture has had its digest e-mailed (återkoppling), so the
    scheduled command sends each one once."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    picture = models.OneToOneField("pictures.Picture", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.picture} ({self.recipients})"


class YearlyReflection(models.Model):
    """The group's reflection under one heading of a year's deepened picture, as written by
    a coordinator. Every save is a new version, so who wrote what and when stays readable;
    the newest version per heading is the one shown and exported."""

    class Heading(models.TextChoices):
        PICTURE = "lagesbild", _("Lägesbild: problem som flaggats och bedömts")
        CAUSES = "orsaker", _("Orsaker och analys")
        MEASURES = "atgarder", _("Genomförda åtgärder och deras utfall")
        UNADDRESSED = "utan_atgard", _("Problem utan åtgärd")
        NOT_EVALUABLE = "utan_utfall", _("Åtgärder utan utvärderbart utfall")
        DIRECTION = "inriktning", _("Inriktning för kommande år")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    heading = models.CharField(_("rubrik"), max_length=20, choices=Heading.choices)
    text = models.TextField(_("reflektion"), max_length=8000, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reflektion")
        verbose_name_plural = _("reflektioner")
        ordering = ["partnership", "year", "heading", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "heading", "version"],
                name="yearly_reflection_unique_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.heading} v{self.version}"
