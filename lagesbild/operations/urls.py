from django.urls import path

from lagesbild.operations import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/worker", views.healthz_worker, name="healthz_worker"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
