from django.urls import path

from jineng.web.policy import views

app_name = "policy"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("items/<str:item_id>/", views.item, name="item"),
    path("items/<str:item_id>/source.yaml", views.item_source, name="item_source"),
    path("items/<str:item_id>/parameters/", views.item_parameters, name="item_parameters"),
    path("explain/", views.explain, name="explain"),
    path("mine/", views.mine, name="mine"),
    path("mine/others/", views.mine_others, name="mine_others"),
    path("simulate/", views.simulate, name="simulate"),
    path("simulate/<int:pk>/", views.simulation, name="simulation"),
]
