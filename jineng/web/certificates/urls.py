from django.urls import path

from jineng.web.certificates import (
    credential_views,
    import_views,
    integrity_views,
    issue_views,
    status_views,
    views,
)

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:token>", views.verify_token, name="verify_token"),
    path("certificates/", views.mine, name="mine"),
    path("certificates/integrity/", integrity_views.integrity, name="integrity"),
    path("certificates/import/", import_views.import_certificates, name="import"),
    path("certificates/issue/", issue_views.sessions, name="issue_sessions"),
    path("certificates/issue/sessions/<int:pk>/", issue_views.session_issue, name="issue_session"),
    path("certificates/issue/batches/<int:pk>/", issue_views.batch, name="issue_batch"),
    path("certificates/<str:number>.pdf", views.certificate_pdf, name="pdf"),
    path("certificates/<str:number>/revoke/", views.revoke, name="revoke"),
    path("certificates/<str:number>/credential/", credential_views.credential, name="credential"),
    path("credentials/status/<str:purpose>", credential_views.status_list, name="status_list"),
    path("certificates/<str:number>/photo/", status_views.photo, name="photo"),
    path("certificates/<str:number>/suspend/", status_views.suspend, name="suspend"),
    path("certificates/<str:number>/reinstate/", status_views.reinstate, name="reinstate"),
]
