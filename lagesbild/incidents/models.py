"""Incidents (händelser), the partnership's category checklist and the change history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    """A category of the partnership's checklist. Groups are categories without a parent;
    incidents are reported on the categories inside a group."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("grupp"),
    )
    code = models.SlugField(_("kod"), max_length=60)
    name = models.CharField(_("namn"), max_length=200)
    weight = models.PositiveSmallIntegerField(
        _("vikt"), default=1, help_text=_("0–3. Vikten 0 räknas inte in i viktade summor.")
    )
    active = models.BooleanField(_("aktiv"), default=True)
    sort_order = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategorier")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="category_unique_code"),
            models.CheckConstraint(condition=models.Q(weight__lte=3), name="category_weight_max"),
        ]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """One reported event at a place and time. Describes events and places, never persons."""

    class Severity(models.IntegerChoices):
        LOW = 1, _("Lindrig")
        MEDIUM = 2, _("Allvarlig")
        HIGH = 3, _("Mycket allvarlig")

    class Status(models.TextChoices):
        NEW = "new", _("Ny")
        ACCEPTED = "accepted", _("Godkänd")
        REJECTED = "rejected", _("Avvisad")
        MERGED = "merged", _("Sammanslagen")

    class Source(models.TextChoices):
        FORM = "form", _("Rapportformulär")
        API = "api", _("API")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Demodata")

    class Visibility(models.TextChoices):
        PARTNERSHIP = "partnership", _("Hela samverkan")
        RESTRICTED = "restricted", _("Samordnare, analytiker och egen organisation")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="incidents"
    )
    client_id = models.UUIDField(_("klient-id"), default=uuid.uuid4)
    occurred_at = models.DateTimeField(_("inträffade"))
    # ISO year and week of occurred_at in the partnership's time zone, as YYYYWW (202647):
    # the weekly picture groups by it, so it is stored and indexed rather than computed.
    iso_week = models.PositiveIntegerField(_("ISO-vecka"))
    reported_at = models.DateTimeField(_("rapporterad"), auto_now_add=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_incidents",
        verbose_name=_("rapportör"),
    )
    organisation = models.ForeignKey(
        "partnerships.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("organisation"),
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("kategori")
    )
    severity = models.PositiveSmallIntegerField(
        _("allvarlighetsgrad"), choices=Severity.choices, default=Severity.LOW
    )
    area = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        related_name="incidents",
        verbose_name=_("område"),
    )
    place = models.ForeignKey(
        "geography.Place",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("plats"),
    )
    lon = models.FloatField(_("longitud"))
    lat = models.FloatField(_("latitud"))
    description = models.TextField(_("beskrivning"), max_length=1000, blank=True)
    source = models.CharField(
        _("källa"), max_length=10, choices=Source.choices, default=Source.FORM
    )
    external_id = models.CharField(_("externt id"), max_length=100, blank=True)
    # The system an imported incident came from (the wizard's sources); its external id is
    # unique within that source only: two registers may both number their events K-1.
    import_source = models.ForeignKey(
        "ImportSource",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("importkälla"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    # True when the description holds something that may be personal data (a phone number,
    # an e-mail address, a licence plate, a number shaped like an identity number) that the
    # reporter confirmed: such a report is always reviewed one by one, never bulk-accepted.
    personal_data_flag = models.BooleanField(_("flaggad för personuppgifter"), default=False)
    rejection_reason = models.CharField(_("skäl för avvisning"), max_length=300, blank=True)
    visibility = models.CharField(
        _("synlighet"), max_length=12, choices=Visibility.choices, default=Visibility.PARTNERSHIP
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="absorbed",
        verbose_name=_("sammanslagen med"),
    )

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "client_id"], name="incident_unique_client_id"
            ),
            # An external id without an import source (the API's, an import without a
            # named source) is unique per partnership and channel ...
            models.UniqueConstraint(
                fields=["partnership", "source", "external_id"],
                condition=~models.Q(external_id="") & models.Q(import_source__isnull=True),
                name="incident_unique_external_id",
            ),
            # ... and one from a named import source is unique within that source.
            models.UniqueConstraint(
                fields=["import_source", "external_id"],
                condition=~models.Q(external_id="") & models.Q(import_source__isnull=False),
                name="incident_unique_source_external_id",
            ),
        ]
        indexes = [
            models.Index(
                fields=["partnership", "iso_week", "area", "category"], name="incident_week"
            ),
            models.Index(fields=["partnership", "-occurred_at"], name="incident_occurred"),
            models.Index(fields=["partnership", "status", "-reported_at"], name="incident_queue"),
            # The review queue holds a few thousand reports among hundreds of thousands:
            # partial indexes over the waiting ones only stay small, give the queue's page
            # in report order without a sort, and answer its counts per filter from the
            # index alone (see benchmarks/review_queue.py).
            models.Index(
                fields=["partnership", "reported_at", "id"],
                condition=models.Q(status="new"),
                name="incident_waiting",
            ),
            models.Index(
                fields=[
                    "partnership",
                    "area",
                    "category",
                    "organisation",
                    "source",
                    "personal_data_flag",
                ],
                condition=models.Q(status="new"),
                name="incident_waiting_facets",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category} {self.occurred_at:%Y-%m-%d}"


class IncidentChange(models.Model):
    """One entry of an incident's history: who did what, when, and which fields changed."""

    class Action(models.TextChoices):
        CREATED = "created", _("Rapporterad")
        ACCEPTED = "accepted", _("Godkänd")
        CORRECTED = "corrected", _("Rättad")
        REJECTED = "rejected", _("Avvisad")
        MERGED = "merged", _("Sammanslagen")
        ABSORBED = "absorbed", _("Tog upp en dubblett")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("åtgärd"), max_length=12, choices=Action.choices)
    changes = models.JSONField(_("ändringar"), default=dict, blank=True)
    reason = models.CharField(_("motivering"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ändring")
        verbose_name_plural = _("ändringshistorik")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ImportSource(models.Model):
    """A system the partnership imports incident history from (the city's old register, a
    housing company's export). It remembers how its files' columns and category values map
    to the partnership's, so the next file from it is mapped already; imports are idempotent
    by (source, external id)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="import_sources"
    )
    name = models.CharField(_("namn"), max_length=100)
    # The column layout's name (external_id, occurred_at, ...) -> the file's header.
    columns = models.JSONField(_("kolumner"), default=dict, blank=True)
    # A category value as the file writes it, in lower case -> the checklist category's id.
    categories = models.JSONField(_("kategorier"), default=dict, blank=True)
    # The coordinate system its positions are written in (an EPSG code, importers/
    # coordinates.py); empty until chosen, when the file's first values suggest one.
    coordinate_system = models.CharField(_("koordinatsystem"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("importkälla")
        verbose_name_plural = _("importkällor")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "name"], name="import_source_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One file on its way through the import wizard: mapped, checked in a dry run and
    imported, both by the background worker. The file itself and the per-row error list
    live in the upload folder (web/uploads.py) under `upload_key`."""

    class Status(models.TextChoices):
        MAPPING = "mapping", _("Kolumner och kategorier")
        CHECKING = "checking", _("Provkörs")
        CHECKED = "checked", _("Provkörd")
        QUEUED = "queued", _("I kö för import")
        RUNNING = "running", _("Importeras")
        DONE = "done", _("Importerad")
        FAILED = "failed", _("Misslyckades")

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="+"
    )
    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    upload_key = models.CharField(max_length=32)
    file_name = models.CharField(_("fil"), max_length=200)
    # The file's headers, read once at upload (reading them again means reading the file).
    headers = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    review = models.CharField(max_length=10, default="accepted")
    accept_warnings = models.BooleanField(default=False)
    skip_invalid = models.BooleanField(default=False)
    # The dry run's and the import's counts: rows, created, already_imported, refused and
    # the refusals by reason [(reason in words, rows, example row numbers)].
    checked = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("import av händelser")
        verbose_name_plural = _("importer av händelser")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING)
