"""Mounted at /login/otp/ by config/urls.py."""

from django.urls import path

from jineng.identity import views

app_name = "identity"
urlpatterns = [
    path("", views.otp_verify, name="otp_verify"),
    path("setup/", views.otp_setup, name="otp_setup"),
]
