from django.urls import path

from jineng.web.views import audit, auth, console, imports, organisation, tokens, worker

app_name = "web"
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("me/", worker.me, name="me"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("org/people/", organisation.org_people, name="org_people"),
    path("org/people/export.xlsx", organisation.org_people_export, name="org_people_export"),
    path("org/people/<int:pk>/", organisation.org_person, name="org_person"),
    path("console/", console.console, name="console"),
    path("console/regions/", console.regions, name="regions"),
    path("console/regions/<str:code>/", console.region, name="region"),
    path("console/people/<int:pk>/", console.person, name="person"),
    path("console/people/<int:pk>/reveal/", console.person_reveal_view, name="person_reveal"),
    path("audit/", audit.audit_log, name="audit"),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
    path("imports/", imports.upload, name="imports"),
    path("imports/<uuid:batch>/", imports.report, name="import_report"),
    path("imports/<uuid:batch>/errors.xlsx", imports.errors_xlsx, name="import_errors"),
    path("imports/<uuid:batch>/confirm/", imports.confirm, name="import_confirm"),
    path("imports/<uuid:batch>/cancel/", imports.cancel, name="import_cancel"),
    path("imports/template/<str:kind>.xlsx", imports.template_xlsx, name="import_template"),
]
