from django.urls import path

from lagesbild.partnerships import area_import_views, installation_views, invitation_views, views

app_name = "partnerships"
urlpatterns = [
    path("byt/", views.switch, name="switch"),
    path("ny/", installation_views.create, name="create"),
    path("<int:pk>/bjud-in/", installation_views.invite_coordinator, name="invite_coordinator"),
    path("administrera/", views.manage, name="manage"),
    path("administrera/kategorier/ny-grupp/", views.group_add, name="group_create"),
    path(
        "administrera/kategorier/standardchecklistan/",
        views.checklist_install,
        name="checklist_install",
    ),
    path("administrera/installningar/", views.settings_edit, name="settings"),
    path("administrera/omraden/", views.area_list, name="area_list"),
    path("administrera/omraden/ny/", views.area_edit, name="area_create"),
    path("administrera/omraden/importera/", area_import_views.upload, name="area_import"),
    path(
        "administrera/omraden/importera/<str:key>/",
        area_import_views.choose,
        name="area_import_file",
    ),
    path("administrera/omraden/<int:pk>/", views.area_edit, name="area_edit"),
    path("administrera/platser/", views.place_list, name="place_list"),
    path("administrera/platser/ny/", views.place_edit, name="place_create"),
    path("administrera/platser/<int:pk>/", views.place_edit, name="place_edit"),
    path("administrera/kategorier/", views.category_list, name="category_list"),
    path("administrera/kategorier/ny/", views.category_add, name="category_create"),
    path("administrera/kategorier/<int:pk>/", views.category_edit, name="category_edit"),
    path("administrera/organisationer/", views.organisation_list, name="organisation_list"),
    path("administrera/organisationer/ny/", views.organisation_edit, name="organisation_create"),
    path(
        "administrera/organisationer/<int:pk>/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path("administrera/medlemmar/", views.member_list, name="member_list"),
    path("administrera/medlemmar/ny/", views.member_add, name="member_create"),
    path("administrera/medlemmar/bjud-in/", invitation_views.member_invite, name="member_invite"),
    path("administrera/medlemmar/<int:pk>/", views.member_edit, name="member_edit"),
]
