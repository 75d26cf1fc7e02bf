"""Parsing and field messages for the coordinator's administration pages.

Forms turn text into typed values and say in Swedish what is wrong with a field; the rules
(who may do what, what must be unique, where a point lies) live in the services.
"""

import json
from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lagesbild.geography import geometry
from lagesbild.geography.models import Area, Place
from lagesbild.geography.queries import areas
from lagesbild.incidents import weeks
from lagesbild.incidents.models import Category
from lagesbild.incidents.queries import categories
from lagesbild.partnerships import municipalities
from lagesbild.partnerships.access import scoped
from lagesbild.partnerships.models import Membership, Organisation, Partnership
from lagesbild.partnerships.services import Checklist, NewUser

MAX_GEOJSON_BYTES = 5 * 1024 * 1024
# CRS names that mean WGS 84 longitude/latitude, as GeoJSON files from QGIS or ogr2ogr give them.
WGS84_NAMES = {
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "urn:ogc:def:crs:OGC::CRS84",
    "EPSG:4326",
    "urn:ogc:def:crs:EPSG::4326",
}


def _initial(obj, names: list[str]) -> dict:
    return {} if obj is None else {name: getattr(obj, name) for name in names}


def _active_organisations(membership):
    return scoped(Organisation.objects.filter(active=True), membership)


def _geometry_of(document) -> dict:
    """The geometry of a GeoJSON geometry, Feature or one-feature FeatureCollection."""
    if not isinstance(document, dict):
        raise ValidationError(_("Texten är inte ett GeoJSON-objekt."))
    if document.get("type") == "FeatureCollection":
        features = document.get("features") or []
        if len(features) != 1:
            raise ValidationError(
                _("Filen innehåller %(n)s objekt. Lägg till ett område i taget."),
                params={"n": len(features)},
            )
        document = features[0]
    if document.get("type") == "Feature":
        document = document.get("geometry")
    if not isinstance(document, dict):
        raise ValidationError(_("Objektet saknar geometri."))
    return document


def _check_crs(document: dict) -> None:
    name = ((document.get("crs") or {}).get("properties") or {}).get("name")
    if name and name not in WGS84_NAMES:
        raise ValidationError(
            _("Koordinatsystemet är %(crs)s. Spara filen i WGS 84 (EPSG:4326) och försök igen."),
            params={"crs": name},
        )


def parse_area_geojson(text: str) -> dict:
    """A WGS 84 (Multi)Polygon geometry from pasted or uploaded GeoJSON, or a ValidationError
    that says in Swedish what to fix."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ValidationError(_("Texten är inte giltig JSON.")) from exc
    geojson = _geometry_of(document)
    _check_crs(document)
    try:
        polygon = geometry.parse_geojson_polygon(geojson)
    except ValueError as exc:
        raise ValidationError(
            _("Geometrin ska vara en polygon (Polygon eller MultiPolygon).")
        ) from exc
    min_lon, min_lat, max_lon, max_lat = geometry.bbox(polygon)
    if not (geometry.in_sweden(min_lon, min_lat) and geometry.in_sweden(max_lon, max_lat)):
        raise ValidationError(
            _(
                "Koordinaterna ligger inte i Sverige i WGS 84 (longitud, latitud). Är filen i "
                "SWEREF 99 TM? Spara den i WGS 84 (EPSG:4326) och försök igen."
            )
        )
    return geojson


def _descendant_ids(area: Area, pairs: list[tuple[int, int | None]]) -> set[int]:
    """The area and every area below it: none of them can become its parent."""
    found, frontier = {area.pk}, {area.pk}
    while frontier:
        frontier = {pk for pk, parent in pairs if parent in frontier and pk not in found}
        found |= frontier
    return found


class AreaForm(forms.Form):
    """An area's facts and, for a new area or a new outline, its polygon as GeoJSON."""

    FIELDS = ["name", "code", "parent", "kind", "scb_code", "population", "population_year"]

    name = forms.CharField(label=_("Namn"), max_length=200)
    code = forms.CharField(
        label=_("Kod"), max_length=40, help_text=_("Kort kod, unik i samverkan, t.ex. NORR.")
    )
    parent = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        required=False,
        label=_("Ingår i"),
        empty_label=_("(inget – översta nivån)"),
    )
    kind = forms.ChoiceField(label=_("Typ"), choices=Area.Kind.choices)
    scb_code = forms.CharField(label=_("DeSO-/RegSO-kod"), max_length=20, required=False)
    population = forms.IntegerField(label=_("Folkmängd"), min_value=0, required=False)
    population_year = forms.IntegerField(
        label=_("Folkmängden avser år"), min_value=1900, max_value=2100, required=False
    )
    active = forms.BooleanField(label=_("Aktiv"), required=False, initial=True)
    geometry_file = forms.FileField(
        label=_("GeoJSON-fil"),
        required=False,
        help_text=_(
            "En polygon i WGS 84 (EPSG:4326): en geometri, ett Feature eller en "
            "FeatureCollection med ett enda objekt."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    geometry_text = forms.CharField(
        label=_("… eller klistra in GeoJSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
    )

    def __init__(self, *args, membership, area: Area | None = None, **kwargs):
        kwargs.setdefault(
            "initial", {**_initial(area, self.FIELDS), "active": getattr(area, "active", True)}
        )
        super().__init__(*args, **kwargs)
        self.membership, self.area = membership, area
        candidates = areas(membership, active_only=False)
        if area is not None:
            pairs = list(candidates.values_list("pk", "parent_id"))
            candidates = candidates.exclude(pk__in=_descendant_ids(area, pairs))
            self.fields["geometry_file"].label = _("Ny GeoJSON-fil (lämna tom för att behålla)")
        self.fields["parent"].queryset = candidates

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = areas(self.membership, active_only=False).filter(code__iexact=code)
        if self.area is not None:
            taken = taken.exclude(pk=self.area.pk)
        if taken.exists():
            raise ValidationError(_("Koden används redan av ett annat område."))
        return code

    def clean_geometry_file(self):
        upload = self.cleaned_data.get("geometry_file")
        if not upload:
            return None
        if upload.size > MAX_GEOJSON_BYTES:
            raise ValidationError(_("Filen är för stor (högst 5 MB)."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("Filen ska vara GeoJSON i teckenkodningen UTF-8.")) from exc
        return parse_area_geojson(text)

    def clean_geometry_text(self):
        text = self.cleaned_data.get("geometry_text", "").strip()
        return parse_area_geojson(text) if text else None

    def clean(self):
        data = super().clean()
        data["geojson"] = data.get("geometry_file") or data.get("geometry_text")
        no_geometry_errors = not {"geometry_file", "geometry_text"} & set(self.errors)
        if self.area is None and data["geojson"] is None and no_geometry_errors:
            self.add_error(
                "geometry_file",
                _("Ett nytt område behöver en polygon: ladda upp eller klistra in."),
            )
        return data


class CoordinateField(forms.FloatField):
    """Degrees typed with a decimal point or, as Swedish users often do, a comma."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {"invalid": _("Ange ett tal i grader, t.ex. 17,95.")}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class PlaceForm(forms.Form):
    """A named place; its area follows from the position, chosen on the map or typed."""

    FIELDS = ["name", "kind", "lon", "lat", "active"]

    name = forms.CharField(label=_("Namn"), max_length=200)
    kind = forms.ChoiceField(label=_("Typ"), choices=Place.Kind.choices)
    lon = CoordinateField(
        label=_("Longitud (WGS 84)"),
        help_text=_("Österut i grader, t.ex. 17,95. Klicka på kartan för att fylla i."),
        error_messages={"required": _("Ange longitud eller klicka på kartan.")},
    )
    lat = CoordinateField(
        label=_("Latitud (WGS 84)"),
        help_text=_("Norrut i grader, t.ex. 59,43."),
        error_messages={"required": _("Ange latitud eller klicka på kartan.")},
    )
    active = forms.BooleanField(label=_("Aktiv"), required=False, initial=True)

    def __init__(self, *args, place: Place | None = None, **kwargs):
        kwargs.setdefault("initial", _initial(place, self.FIELDS) or {"active": True})
        super().__init__(*args, **kwargs)


class CategoryAddForm(forms.Form):
    """A new category in one of the checklist's active groups."""

    group = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=_("Grupp"),
        error_messages={"invalid_choice": _("Välj en grupp ur listan.")},
    )
    name = forms.CharField(label=_("Namn"), max_length=200)
    weight = forms.IntegerField(
        label=_("Vikt"),
        min_value=0,
        max_value=3,
        initial=1,
        help_text=_("0–3. Vikten 0 räknas inte in i viktade summor."),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = categories(membership).filter(parent=None)


class GroupAddForm(forms.Form):
    """A new group in the checklist, such as "Skadegörelse"."""

    name = forms.CharField(label=_("Namn"), max_length=200)
    weight = forms.IntegerField(
        label=_("Vikt"),
        min_value=0,
        max_value=3,
        initial=1,
        help_text=_("0–3. Gruppens vikt; varje kategori i gruppen har sin egen."),
    )


class CategoryForm(forms.Form):
    """Rename, re-weight, reorder, enable or disable a category or a group."""

    FIELDS = ["name", "weight", "sort_order", "active"]

    name = forms.CharField(label=_("Namn"), max_length=200)
    weight = forms.IntegerField(
        label=_("Vikt"),
        min_value=0,
        max_value=3,
        help_text=_("0–3. Vikten 0 räknas inte in i viktade summor."),
    )
    sort_order = forms.IntegerField(
        label=_("Ordning"), min_value=0, help_text=_("Lägre tal visas först i checklistan.")
    )
    active = forms.BooleanField(
        label=_("Aktiv"),
        required=False,
        help_text=_(
            "En avstängd kategori går inte att rapportera. Stängs en grupp av, stängs "
            "dess kategorier av också."
        ),
    )

    def __init__(self, *args, category: Category, **kwargs):
        kwargs.setdefault("initial", _initial(category, self.FIELDS))
        super().__init__(*args, **kwargs)


class OrganisationForm(forms.Form):
    FIELDS = ["name", "kind", "active"]

    name = forms.CharField(label=_("Namn"), max_length=200)
    kind = forms.ChoiceField(label=_("Typ"), choices=Organisation.Kind.choices)
    active = forms.BooleanField(
        label=_("Aktiv"),
        required=False,
        initial=True,
        help_text=_("Medlemmar i en inaktiv organisation kan inte logga in i samverkan."),
    )

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        kwargs.setdefault("initial", _initial(organisation, self.FIELDS) or {"active": True})
        super().__init__(*args, **kwargs)


ROLE_HELP = _(
    "Rapportör rapporterar och ser sina egna rapporter. Deltagare läser lägesbilden. "
    "Analytiker gör fördjupade analyser. Samordnare granskar och administrerar. Gäst "
    "(annan myndighet) ser bara det organisationen är inbjuden till under Gästmyndigheter."
)


class MemberAddForm(forms.Form):
    """A new member: a new user account, or an existing account by its username."""

    NEW, EXISTING = "new", "existing"
    NEW_USER_FIELDS = ["first_name", "last_name", "email", "password", "password_again"]

    account = forms.ChoiceField(
        label=_("Konto"),
        choices=[
            (NEW, _("Skapa ett nytt konto")),
            (EXISTING, _("Lägg till ett befintligt konto")),
        ],
        initial=NEW,
        widget=forms.RadioSelect,
    )
    username = forms.CharField(label=_("Användarnamn"), max_length=150)
    first_name = forms.CharField(label=_("Förnamn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("E-postadress"),
        required=False,
        error_messages={"invalid": _("Ange en giltig e-postadress.")},
    )
    password = forms.CharField(
        label=_("Första lösenord"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 8 tecken, inte bara siffror och inte för likt användarnamnet."),
    )
    password_again = forms.CharField(
        label=_("Lösenordet igen"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Roll"), choices=Membership.Role.choices, help_text=ROLE_HELP)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _active_organisations(membership)

    def clean(self):
        data = super().clean()
        if data.get("account") != self.NEW:
            return data
        for name in self.NEW_USER_FIELDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, _("Fyll i detta för ett nytt konto."))
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("Lösenorden är inte lika."))
        return data

    def new_user(self) -> NewUser | None:
        """The account to create, or None when an existing account is added."""
        data = self.cleaned_data
        if data["account"] != self.NEW:
            return None
        return NewUser(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            password=data["password"],
        )


class MemberForm(forms.Form):
    """A member's organisation and role, and whether the membership is active."""

    FIELDS = ["organisation", "role", "active"]

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Roll"), choices=Membership.Role.choices, help_text=ROLE_HELP)
    active = forms.BooleanField(
        label=_("Aktiv"),
        required=False,
        help_text=_("En inaktiv medlem kan inte längre logga in i samverkan."),
    )

    def __init__(self, *args, membership, member: Membership, **kwargs):
        kwargs.setdefault("initial", _initial(member, self.FIELDS))
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _active_organisations(membership)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones())]


class SettingsForm(forms.Form):
    """The partnership's policy for its situation pictures, and its time zone."""

    # Not required: a form posted without it (an older page, a script) keeps the time zone.
    time_zone = forms.ChoiceField(
        label=_("Tidszon"),
        choices=time_zone_choices,
        required=False,
        help_text=_(
            "Veckor och klockslag räknas i den här tidszonen. Den kan ändras så länge "
            "samverkan inte har några händelser."
        ),
    )

    assessment_scale = forms.CharField(
        label=_("Bedömningsskala"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "En nivå per rad, lägst först: siffran, ett mellanslag och namnet, till "
            'exempel "1 Lugnt".'
        ),
    )
    reporters_see_picture = forms.BooleanField(
        label=_("Rapportörer får se lägesbilden"), required=False
    )
    periodic_kind = forms.ChoiceField(
        label=_("Period för den periodiska lägesbilden"),
        choices=Partnership._meta.get_field("periodic_kind").choices,
    )
    coverage_start = forms.DateField(
        label=_("Rapporterar sedan"),
        required=False,
        help_text=Partnership._meta.get_field("coverage_start").help_text,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    suppress_below = forms.IntegerField(
        label=_("Dölj antal under"),
        min_value=0,
        max_value=10,
        help_text=Partnership._meta.get_field("suppress_below").help_text,
    )

    @staticmethod
    def initial_for(partnership) -> dict:
        scale = "\n".join(f"{e['level']} {e['name']}" for e in partnership.assessment_scale)
        return {
            "time_zone": partnership.time_zone,
            "assessment_scale": scale,
            "reporters_see_picture": partnership.reporters_see_picture,
            "periodic_kind": partnership.periodic_kind,
            "coverage_start": partnership.coverage_start,
            "suppress_below": partnership.suppress_below,
        }

    def clean_coverage_start(self):
        day = self.cleaned_data["coverage_start"]
        if day is not None and not weeks.in_calendar(day):
            raise forms.ValidationError(
                _("Ange ett datum mellan år %(a)s och %(b)s.")
                % {"a": weeks.FIRST_YEAR, "b": weeks.LAST_YEAR}
            )
        return day


class InviteeForm(forms.Form):
    """Who is invited: they choose their own user name and password from the link."""

    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    email = forms.EmailField(
        label=_("E-postadress"), error_messages={"invalid": _("Ange en giltig e-postadress.")}
    )


class MemberInviteForm(InviteeForm):
    """A member invited by link: who, through which organisation, in which role."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation")
    )
    role = forms.ChoiceField(label=_("Roll"), choices=Membership.Role.choices, help_text=ROLE_HELP)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _active_organisations(membership)


class PartnershipCreateForm(InviteeForm):
    """A new partnership, its first organisation and its first coordinator (invited)."""

    field_order = [
        "name",
        "municipality_code",
        "time_zone",
        "checklist",
        "organisation_name",
        "organisation_kind",
        "first_name",
        "last_name",
        "email",
    ]

    name = forms.CharField(
        label=_("Namn"), max_length=200, help_text=_("Till exempel ”EST Sollentuna”.")
    )
    municipality_code = forms.ChoiceField(
        label=_("Kommun"),
        required=False,
        choices=lambda: [
            ("", _("Ingen enskild kommun (till exempel en region)")),
            *municipalities.choices(),
        ],
        error_messages={"invalid_choice": _("Välj en kommun ur listan.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Tidszon"), choices=time_zone_choices, initial="Europe/Stockholm"
    )
    checklist = forms.ChoiceField(
        label=_("Checklista"),
        choices=[
            (Checklist.DEFAULT, _("Standardchecklistan för EST (går att ändra efteråt)")),
            (Checklist.EMPTY, _("Tom: samordnaren lägger in grupper och kategorier själv")),
        ],
        initial=Checklist.DEFAULT,
        widget=forms.RadioSelect,
    )
    organisation_name = forms.CharField(
        label=_("Första organisation"),
        max_length=200,
        help_text=_("Den organisation samordnaren arbetar i, till exempel ”Kommunen – trygghet”."),
    )
    organisation_kind = forms.ChoiceField(
        label=_("Organisationens typ"),
        choices=Organisation.Kind.choices,
        initial=Organisation.Kind.MUNICIPALITY,
    )


class AreaUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil med områden"),
        help_text=_(
            "GeoJSON, GeoPackage (.gpkg) eller en zippad shapefil (.zip med .shp, .shx, .dbf "
            "och .prj), i vilket koordinatsystem som helst som filen anger."
        ),
        error_messages={"required": _("Välj en fil.")},
    )


def _guess(fields, words) -> str:
    """The first column whose name contains one of `words` (case-insensitive), or ""."""
    for word in words:
        for name in fields:
            if word in name.lower():
                return name
    return ""


class AreaImportForm(forms.Form):
    """Which columns of the chosen layer become the areas' name, code, population and parent,
    and whether the file replaces the partnership's areas or is merged with them."""

    MERGE, REPLACE = "merge", "replace"

    layer = forms.ChoiceField(label=_("Lager"))
    name_column = forms.ChoiceField(label=_("Kolumn med namn"))
    code_column = forms.ChoiceField(
        label=_("Kolumn med kod"),
        help_text=_("Koden känner igen ett område vid nästa import; den ska vara unik."),
    )
    population_column = forms.ChoiceField(label=_("Kolumn med folkmängd"), required=False)
    population_year = forms.IntegerField(
        label=_("Folkmängd år"), required=False, min_value=1900, max_value=2100
    )
    parent_column = forms.ChoiceField(
        label=_("Kolumn med överordnat område"),
        required=False,
        help_text=_("Koden för området det ingår i: ett annat i filen eller ett befintligt."),
    )
    kind = forms.ChoiceField(label=_("Typ"), choices=Area.Kind.choices, initial=Area.Kind.AREA)
    mode = forms.ChoiceField(
        label=_("Befintliga områden"),
        choices=[
            (MERGE, _("Slå ihop: uppdatera områden med samma kod, lägg till nya, behåll övriga")),
            (REPLACE, _("Ersätt: som ovan, och inaktivera områden som inte finns i filen")),
        ],
        initial=MERGE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, layers, layer, **kwargs):
        fields = list(layer.fields)
        kwargs.setdefault(
            "initial",
            {
                "layer": layer.name,
                "name_column": _guess(fields, ["namn", "name", "nam"]),
                "code_column": _guess(fields, ["kod", "code", "id"]),
                "population_column": _guess(fields, ["folkm", "pop", "inv"]),
                "kind": Area.Kind.AREA,
                "mode": self.MERGE,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [
            (x.name, f"{x.name} ({x.features})") for x in layers if x.features > 0
        ]
        columns = [(name, name) for name in fields]
        none = [("", _("– ingen –"))]
        self.fields["name_column"].choices = columns
        self.fields["code_column"].choices = columns
        self.fields["population_column"].choices = none + columns
        self.fields["parent_column"].choices = none + columns
