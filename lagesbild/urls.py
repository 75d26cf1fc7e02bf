from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from lagesbild.api.urls import api

admin.site.site_header = _("Lägesbild – administration")
admin.site.site_title = _("Lägesbild")

urlpatterns = [
    path("", include("lagesbild.web.urls")),
    path("", include("lagesbild.operations.urls")),
    path("handelser/", include("lagesbild.incidents.urls")),
    path("lagesbild/", include("lagesbild.pictures.urls")),
    path("", include("lagesbild.interventions.urls")),
    path("indikatorer/", include("lagesbild.indicators.urls")),
    path("polisen/", include("lagesbild.policeevents.urls")),
    path("samverkan/", include("lagesbild.partnerships.urls")),
    path("geografi/", include("lagesbild.geography.urls")),
    path("logg/", include("lagesbild.audit.urls")),
    path("gast/", include("lagesbild.guests.urls")),
    path("api/v1/", api.urls),
    path("", include("lagesbild.accounts.urls")),
    path("", include("lagesbild.dataprotection.urls")),
    path("konto/logga-in/", auth_views.LoginView.as_view(), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "lagesbild.web.views.bad_request"
handler403 = "lagesbild.web.views.permission_denied"
handler404 = "lagesbild.web.views.page_not_found"
handler500 = "lagesbild.web.views.server_error"
