from django.urls import path

from jineng.web.claims import finance, views

app_name = "claims"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("batches/", finance.batches, name="batches"),
    path("batches/<int:pk>/", finance.batch, name="batch"),
    path("batches/<int:pk>/export/", finance.batch_export, name="batch_export"),
    path("batches/<int:pk>/import/", finance.batch_import, name="batch_import"),
    path("budget/", finance.budget, name="budget"),
    path("budget/export/", finance.budget_export, name="budget_export"),
]
