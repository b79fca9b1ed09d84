from django.urls import path

from jineng.api.root import api

urlpatterns = [path("", api.urls)]
