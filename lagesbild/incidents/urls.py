from django.urls import path

from lagesbild.incidents import export_views, import_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("rapportera/", views.report, name="report"),
    path("export/<str:fmt>/", export_views.export_incidents, name="export"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("karta/", views.incident_map, name="map"),
    path("karta/punkter.json", views.map_points, name="map_points"),
    path("vecka/", views.weekly, name="weekly"),
    path("granska/", views.review, name="review"),
    path("granska/godkann/", views.review_bulk_accept, name="bulk_accept"),
    path("granska/<int:pk>/godkann/", views.review_accept, name="accept"),
    path("granska/<int:pk>/ratta/", views.review_correct, name="correct"),
    path("granska/<int:pk>/avvisa/", views.review_reject, name="reject"),
    path("granska/<int:pk>/sla-samman/", views.review_merge, name="merge"),
    path("importera/", import_views.start, name="import_start"),
    path("importera/<int:pk>/kolumner/", import_views.columns, name="import_columns"),
    path("importera/<int:pk>/kategorier/", import_views.categories, name="import_categories"),
    path("importera/<int:pk>/", import_views.job_page, name="import_job"),
    path("importera/<int:pk>/status/", import_views.progress, name="import_progress"),
    path("importera/<int:pk>/fel.csv", import_views.errors, name="import_errors"),
]
