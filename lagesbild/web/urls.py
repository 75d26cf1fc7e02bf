from django.urls import path

from lagesbild.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("service-worker.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("favicon.ico", views.favicon, name="favicon"),
]
