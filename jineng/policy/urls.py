from django.urls import path

from jineng.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("items/<str:item_id>/", views.item, name="item"),
    path("explain/", views.explain, name="explain"),
    path("mine/", views.mine, name="mine"),
    path("simulate/", views.simulate, name="simulate"),
    path("simulate/<int:pk>/", views.simulation, name="simulation"),
]
