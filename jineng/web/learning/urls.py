from django.urls import path

from jineng.web.learning import attendance, classes, views

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
    path("classes/", classes.class_list, name="class_list"),
    path("classes/new/", classes.class_new, name="class_new"),
    path("classes/<int:pk>/", classes.class_detail, name="class_detail"),
    path("classes/<int:pk>/import/", classes.class_import, name="class_import"),
    path("classes/mine/", classes.my_classes, name="class_mine"),
    path("classes/review/", classes.review_list, name="class_review_list"),
    path("classes/review/<int:pk>/", classes.review_class, name="class_review"),
    path("classes/flags/", classes.flags, name="class_flags"),
    path("classes/sessions/<int:pk>/", attendance.session_sheet, name="session_sheet"),
    path("classes/sessions/<int:pk>/qr/", attendance.session_qr, name="session_qr"),
    path("classes/sessions/<int:pk>/qr.svg", attendance.session_qr_image, name="session_qr_image"),
    path("classes/checkin/<str:token>/", attendance.checkin, name="checkin"),
]
