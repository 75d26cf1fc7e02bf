from django.urls import path

from lagesbild.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("ny/", views.indicator_create, name="create"),
    path("polisens-handelser/", views.add_police, name="add_police"),
    path("<int:pk>/", views.indicator_detail, name="detail"),
    path("<int:pk>/andra/", views.indicator_edit, name="edit"),
    path("<int:pk>/varden/", views.enter_values, name="enter"),
    path("<int:pk>/ladda-upp/", views.upload, name="upload"),
    path("<int:pk>/ladda-upp/<str:key>/", views.upload_preview, name="upload_preview"),
]
