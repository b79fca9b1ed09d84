from django.urls import path

from jineng.web.learning import records, views, vouchers

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
    path("checks/<int:pk>/answer/", views.check_answer, name="check_answer"),
    path("provider/", views.provider_list, name="provider_list"),
    path("provider/new/", views.provider_new, name="provider_new"),
    path("provider/<int:pk>/", views.provider_course, name="provider_course"),
    path("provider/<int:pk>/edit/", views.provider_edit, name="provider_edit"),
    path("provider/<int:pk>/chapters/", views.provider_chapter_add, name="provider_chapter_add"),
    path("provider/<int:pk>/lessons/", views.provider_lesson_add, name="provider_lesson_add"),
    path("provider/<int:pk>/submit/", views.provider_submit, name="provider_submit"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_course, name="review_course"),
    # Training records (issue 8 §6)
    path("training-record/", records.my_training_record, name="my_training_record"),
    path("training-record/pdf", records.my_training_record_pdf, name="my_training_record_pdf"),
    path(
        "people/<int:person_id>/training-record/",
        records.person_training_record,
        name="person_training_record",
    ),
    path(
        "people/<int:person_id>/training-record/pdf",
        records.person_training_record_pdf,
        name="person_training_record_pdf",
    ),
    path("ledger/", records.ledger, name="ledger"),
    path("ledger/export.xlsx", records.ledger_export, name="ledger_export"),
    # Training vouchers (issue 8 §7)
    path("vouchers/", vouchers.my_vouchers, name="my_vouchers"),
    path("vouchers/<int:pk>/claim/", vouchers.claim, name="voucher_claim"),
    path("vouchers/<int:pk>/qr.png", vouchers.qr, name="voucher_qr"),
    path("vouchers/verify/", vouchers.verify, name="voucher_verify"),
    path("vouchers/<int:pk>/complete/", vouchers.complete, name="voucher_complete"),
    path("vouchers/<int:pk>/cancel/", vouchers.cancel, name="voucher_cancel"),
    path("vouchers/batches/", vouchers.batches, name="voucher_batches"),
    path("vouchers/batches/issue/", vouchers.batch_issue, name="voucher_batch_issue"),
    path("vouchers/batches/import/", vouchers.batch_import, name="voucher_batch_import"),
    path("vouchers/batches/<int:pk>/", vouchers.batch, name="voucher_batch"),
]
