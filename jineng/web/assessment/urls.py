from django.urls import path

from jineng.web.assessment import views

app_name = "assessment"
urlpatterns = [
    path("banks/", views.banks, name="banks"),
    path("banks/<int:pk>/", views.bank, name="bank"),
]
