from django.urls import path

from lagesbild.interventions import views

app_name = "interventions"
urlpatterns = [
    path("moten/", views.meeting_list, name="meetings"),
    path("moten/nytt/", views.meeting_create, name="meeting_create"),
    path("moten/<int:pk>/", views.meeting_detail, name="meeting"),
    path("moten/<int:pk>/projektor/", views.meeting_projector, name="projector"),
    path("moten/<int:pk>/protokoll/", views.meeting_minutes, name="minutes"),
    path("moten/<int:pk>/beslut/", views.meeting_decision, name="decision"),
    path("insatser/", views.intervention_list, name="list"),
    path("insatser/<int:pk>/status/", views.intervention_status, name="status"),
]
