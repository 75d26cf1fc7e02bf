from django.urls import path

from lagesbild.geography import views

app_name = "geography"
urlpatterns = [
    path("omraden.geojson", views.areas_geojson, name="areas_geojson"),
    path("sok/", views.search, name="search"),
    path("platser.json", views.offline_places, name="offline_places"),
]
