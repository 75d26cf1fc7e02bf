from django.urls import path

from lagesbild.pictures import area_views, export_views, views

app_name = "pictures"
urlpatterns = [
    path("", views.latest, name="latest"),
    path("arkiv/", views.archive, name="archive"),
    path("omraden/", area_views.area_list, name="areas"),
    path("omraden/<int:pk>/", area_views.area_detail, name="area"),
    path("vecka/<str:iso>/", views.week, name="week"),
    path("vecka/<str:iso>/status/", views.status, name="status"),
    path("vecka/<str:iso>/karta.json", views.map_data, name="map_data"),
    path("vecka/<str:iso>/jamfor/", views.compare, name="compare"),
    path("vecka/<str:iso>/godkann/", views.approve, name="approve"),
    path("vecka/<str:iso>/bedomning/<int:area_id>/", views.assess, name="assess"),
    path("vecka/<str:iso>/version/<int:version>/", views.version, name="version"),
    path("period/<str:kind>/senaste/", views.periodic_latest, name="periodic_latest"),
    path("period/<str:period>/", views.period_page, name="period"),
    path(
        "period/<str:period>/paverkan/<int:area_id>/",
        views.period_influence,
        name="period_influence",
    ),
    path("period/<str:period>/godkann/", views.period_approve, name="period_approve"),
    path("period/<str:period>/version/<int:version>/", views.period_version, name="period_version"),
]
urlpatterns += export_views.urlpatterns
