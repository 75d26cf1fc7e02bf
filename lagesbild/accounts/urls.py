from django.urls import path

from lagesbild.accounts import views

app_name = "accounts"
urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/tvastegsverifiering/", views.verify, name="verify"),
    path("konto/tvastegsverifiering/aktivera/", views.enrol, name="enrol"),
    path("konto/tvastegsverifiering/reservkoder/", views.recovery_codes, name="recovery_codes"),
    path(
        "konto/tvastegsverifiering/ta-bort/",
        views.remove_second_factor,
        name="remove_second_factor",
    ),
    path("konto/inbjudan/<str:token>/", views.invitation, name="invitation"),
    path("konto/api-nycklar/ny/", views.token_create, name="token_create"),
    path("konto/api-nycklar/<int:pk>/aterkalla/", views.token_revoke, name="token_revoke"),
    path(
        "samverkan/administrera/api-nycklar/", views.partnership_tokens, name="partnership_tokens"
    ),
    path(
        "samverkan/administrera/api-nycklar/<int:pk>/aterkalla/",
        views.partnership_token_revoke,
        name="partnership_token_revoke",
    ),
    path(
        "samverkan/administrera/medlemmar/<int:pk>/las-upp/",
        views.member_unlock,
        name="member_unlock",
    ),
    path(
        "samverkan/administrera/medlemmar/<int:pk>/nollstall-tvastegsverifiering/",
        views.member_reset_second_factor,
        name="member_reset_second_factor",
    ),
]
