from django.urls import path

from lagesbild.guests import views

app_name = "guests"
urlpatterns = [
    path("", views.start, name="start"),
    path("lagesbild/<str:iso>/version/<int:version>/", views.picture, name="picture"),
    path(
        "lagesbild/<str:iso>/version/<int:version>/export/<str:fmt>/",
        views.picture_export,
        name="picture_export",
    ),
    path("period/<str:period>/version/<int:version>/", views.period, name="period"),
    path(
        "period/<str:period>/version/<int:version>/export/<str:fmt>/",
        views.period_export,
        name="period_export",
    ),
    path("satsningar/<int:pk>/", views.effort, name="effort"),
    path("satsningar/<int:pk>/logg/", views.effort_note, name="effort_note"),
    path("detaljer/", views.detail, name="detail"),
    path("administrera/", views.manage, name="manage"),
    path("administrera/bjud-in/", views.invite, name="invite"),
    path("administrera/behorighet/", views.grant, name="grant"),
    path("administrera/behorighet/<int:pk>/aterkalla/", views.revoke, name="revoke"),
]
