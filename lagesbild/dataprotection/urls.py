from django.urls import path

from lagesbild.dataprotection import views

app_name = "dataprotection"
urlpatterns = [
    path("dataskydd/handelser/<int:pk>/maskera/", views.redact, name="redact"),
    path("dataskydd/handelser/<int:pk>/radera/", views.erase, name="erase"),
    path("dataskydd/gallring/", views.retention_schedule, name="retention"),
    path("konto/mina-uppgifter/", views.my_data, name="my_data"),
]
