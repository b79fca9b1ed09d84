from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("jineng.api.urls")),
    path("login/otp/", include("jineng.identity.urls")),
    path("policy/", include("jineng.web.policy.urls")),
    path("assessment/", include("jineng.web.assessment.urls")),
    path("", include("jineng.web.certificates.urls")),
    path("claims/", include("jineng.web.claims.urls")),
    path("learning/", include("jineng.web.learning.urls")),
    path("", include("jineng.web.urls")),
]
