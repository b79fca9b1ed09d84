from django.urls import path

from jineng.web.assessment import exam_views, marking_views, views

app_name = "assessment"
urlpatterns = [
    path("banks/", views.banks, name="banks"),
    path("banks/<int:pk>/", views.bank, name="bank"),
    # the candidate (issue 9 §3–§5)
    path("mine/", exam_views.mine, name="mine"),
    path("results/", exam_views.results, name="results"),
    path("registrations/<int:pk>/ticket.pdf", exam_views.ticket, name="ticket"),
    path("registrations/<int:pk>/exam/", exam_views.exam, name="exam"),
    path("registrations/<int:pk>/exam/identify/", exam_views.exam_identify, name="exam_identify"),
    path("registrations/<int:pk>/exam/start/", exam_views.exam_start, name="exam_start"),
    path("registrations/<int:pk>/exam/state/", exam_views.exam_state, name="exam_state"),
    path("registrations/<int:pk>/exam/answer/", exam_views.exam_answer, name="exam_answer"),
    path("registrations/<int:pk>/exam/event/", exam_views.exam_event, name="exam_event"),
    path("registrations/<int:pk>/exam/submit/", exam_views.exam_submit, name="exam_submit"),
    path("registrations/<int:pk>/objection/", marking_views.objection_new, name="objection_new"),
    # the organisation
    path("sessions/", marking_views.sessions, name="sessions"),
    path("sessions/<int:pk>/", marking_views.session, name="session"),
    path("sessions/<int:pk>/admit/", marking_views.session_admit, name="session_admit"),
    path("sessions/<int:pk>/results/", marking_views.session_results, name="session_results"),
    path("objections/<int:pk>/answer/", marking_views.objection_answer, name="objection_answer"),
    path("tickets/check/", marking_views.ticket_check, name="ticket_check"),
    path("marking/", marking_views.marking, name="marking"),
    path("marking/<int:pk>/", marking_views.mark, name="mark"),
    path("corrections/", marking_views.corrections, name="corrections"),
    path("results/<int:pk>/correct/", marking_views.correction_new, name="correction_new"),
    path("corrections/<int:pk>/review/", marking_views.correction_review, name="correction_review"),
]
