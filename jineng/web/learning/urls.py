from django.urls import path

from jineng.web.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("mine/", views.mine, name="mine"),
    path("records/", views.records, name="records"),
    path("people/<int:person_id>/records/", views.person_records, name="person_records"),
    path("lessons/<int:pk>/", views.player, name="player"),
    path("lessons/<int:pk>/media", views.media, name="media"),
    path("lessons/<int:pk>/stream/", views.stream_open, name="stream_open"),
    path("lessons/<int:pk>/heartbeat/", views.heartbeat, name="heartbeat"),
    path("provider/", views.provider_list, name="provider_list"),
    path("provider/new/", views.provider_new, name="provider_new"),
    path("provider/<int:pk>/", views.provider_course, name="provider_course"),
    path("provider/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
    path("provider/<int:pk>/chapters/", views.provider_chapter_add, name="provider_chapter_add"),
    path("provider/<int:pk>/lessons/", views.provider_lesson_add, name="provider_lesson_add"),
    path("provider/<int:pk>/submit/", views.provider_submit, name="provider_submit"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_course, name="review_course"),
]
