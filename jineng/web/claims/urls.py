from django.urls import path

from jineng.web.claims import integrity, views

app_name = "claims"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("flags/", integrity.flags, name="flags"),
    path("flags/<int:pk>/", integrity.flag_detail, name="flag"),
    path("overdue/", integrity.overdue, name="overdue"),
    path("registers/", integrity.registers, name="registers"),
]
