"""An intervention targets one or more areas: the single area becomes the set `areas`.

Forward: the old area is kept (nullable) until each intervention's set holds it, then
dropped. Backward: the area comes back from the set's first area by name (an intervention
with several target areas keeps only that one)."""

import django.db.models.deletion
from django.db import migrations, models


def area_into_set(apps, schema_editor):
    Intervention = apps.get_model("interventions", "Intervention")
    Through = Intervention.areas.through
    Through.objects.bulk_create(
        Through(intervention_id=pk, area_id=area_id)
        for pk, area_id in Intervention.objects.values_list("pk", "area_id")
        if area_id is not None
    )


def set_into_area(apps, schema_editor):
    Intervention = apps.get_model("interventions", "Intervention")
    for intervention in Intervention.objects.all():
        first = intervention.areas.order_by("name").first()
        if first is not None:
            intervention.area = first
            intervention.save(update_fields=["area"])


class Migration(migrations.Migration):
    dependencies = [
        ("geography", "0002_place_kinds"),
        ("interventions", "0005_evaluation_requests"),
    ]

    operations = [
        migrations.AlterField(
            model_name="intervention",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geography.area",
                verbose_name="område",
            ),
        ),
        migrations.AddField(
            model_name="intervention",
            name="areas",
            field=models.ManyToManyField(
                related_name="interventions", to="geography.area", verbose_name="områden"
            ),
        ),
        migrations.RunPython(area_into_set, set_into_area),
        migrations.RemoveField(model_name="intervention", name="area"),
    ]
