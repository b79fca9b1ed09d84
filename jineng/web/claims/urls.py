from django.urls import path

from jineng.web.claims import applications, finance, integrity, runs, steps, views

app_name = "claims"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/step/", steps.step, name="step"),
    path("<int:pk>/objection/", steps.objection, name="objection"),
    path("objections/<int:pk>/answer/", steps.objection_answer, name="objection_answer"),
    path("runs/", runs.runs, name="runs"),
    path("runs/<int:pk>/", runs.run, name="run"),
    path("flags/", integrity.flags, name="flags"),
    path("flags/<int:pk>/", integrity.flag_detail, name="flag"),
    path("overdue/", integrity.overdue, name="overdue"),
    path("registers/", integrity.registers, name="registers"),
    path("apply/", applications.apply_list, name="apply"),
    path("apply/<str:subject>/<str:key>/", applications.apply_form, name="apply_form"),
    path("applications/", applications.applications_mine, name="applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("attachments/<int:pk>/", applications.attachment, name="attachment"),
    path("batches/", finance.batches, name="batches"),
    path("batches/<int:pk>/", finance.batch, name="batch"),
    path("batches/<int:pk>/export/", finance.batch_export, name="batch_export"),
    path("batches/<int:pk>/import/", finance.batch_import, name="batch_import"),
    path("budget/", finance.budget, name="budget"),
    path("budget/export/", finance.budget_export, name="budget_export"),
]
