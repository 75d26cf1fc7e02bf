from django.urls import path

from lagesbild.interventions import evaluation_views, views

app_name = "interventions"
urlpatterns = [
    path("moten/", views.meeting_list, name="meetings"),
    path("moten/nytt/", views.meeting_create, name="meeting_create"),
    path("moten/<int:pk>/", views.meeting_detail, name="meeting"),
    path("moten/<int:pk>/projektor/", views.meeting_projector, name="projector"),
    path("moten/<int:pk>/protokoll/", views.meeting_minutes, name="minutes"),
    path("moten/<int:pk>/beslut/", views.meeting_decision, name="decision"),
    path("insatser/", views.intervention_list, name="list"),
    path("insatser/mina/", views.my_interventions, name="mine"),
    path("insatser/ny/", views.intervention_create, name="create"),
    path("insatser/typer/", views.intervention_types, name="types"),
    path("insatser/utvarderingar/", evaluation_views.overview, name="overview"),
    path("insatser/ar/<int:year>/", evaluation_views.yearly, name="yearly"),
    path("insatser/ar/<int:year>/excel/", evaluation_views.yearly_excel, name="yearly_excel"),
    path("insatser/ar/<int:year>/pdf/", evaluation_views.yearly_pdf, name="yearly_pdf"),
    path(
        "insatser/ar/<int:year>/reflektion/<slug:heading>/",
        evaluation_views.yearly_reflection,
        name="yearly_reflection",
    ),
    path("insatser/<int:pk>/", views.intervention_detail, name="detail"),
    path("insatser/<int:pk>/andra/", views.intervention_edit, name="edit"),
    path("insatser/<int:pk>/status/", views.intervention_status, name="status"),
    path("insatser/<int:pk>/logg/", views.intervention_note, name="note"),
    path("insatser/<int:pk>/utvardering/", evaluation_views.evaluation_page, name="evaluation"),
    path(
        "insatser/<int:pk>/utvardering/installningar/",
        evaluation_views.evaluation_setup,
        name="evaluation_setup",
    ),
    path(
        "insatser/<int:pk>/utvardering/status/",
        evaluation_views.evaluation_status,
        name="evaluation_status",
    ),
    path(
        "insatser/<int:pk>/utvardering/berakna/",
        evaluation_views.evaluation_recompute,
        name="evaluation_recompute",
    ),
]
