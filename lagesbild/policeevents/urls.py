from django.urls import path

from lagesbild.policeevents import views

app_name = "policeevents"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("karta.json", views.map_groups, name="map_groups"),
    path("export/<str:fmt>/", views.export, name="export"),
    path("typer/", views.types, name="types"),
]
