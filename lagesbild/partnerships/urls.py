from django.urls import path

from lagesbild.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("byt/", views.switch, name="switch"),
    path("administrera/", views.manage, name="manage"),
]
