from django.urls import path

from jineng.web.assessment import (
    exam_views,
    manage_banks,
    manage_blueprints,
    manage_sessions,
    marking_views,
    views,
)

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
    # the organisation's and bureau's write pages (issue 9 §10)
    path("manage/banks/", manage_banks.bank_list, name="manage_banks"),
    path("manage/banks/new/", manage_banks.bank_new, name="manage_bank_new"),
    path("manage/banks/<int:pk>/", manage_banks.bank_manage, name="manage_bank"),
    path("manage/banks/<int:pk>/points/", manage_banks.point_add, name="manage_point_add"),
    path(
        "manage/points/<int:pk>/rename/",
        manage_banks.point_rename_view,
        name="manage_point_rename",
    ),
    path("manage/banks/<int:pk>/items/new/", manage_banks.item_new, name="manage_item_new"),
    path("manage/banks/<int:pk>/import/", manage_banks.item_import, name="manage_import"),
    path(
        "manage/import-template.xlsx",
        manage_banks.import_template,
        name="manage_import_template",
    ),
    path("manage/banks/<int:pk>/filing/", manage_banks.bank_filing, name="manage_filing"),
    path(
        "manage/items/<int:pk>/supersede/",
        manage_banks.item_supersede,
        name="manage_item_supersede",
    ),
    path("manage/items/<int:pk>/submit/", manage_banks.item_submit, name="manage_item_submit"),
    path("manage/items/<int:pk>/review/", manage_banks.item_review, name="manage_item_review"),
    path("manage/review/", manage_banks.review_list, name="manage_review"),
    path(
        "manage/banks/<int:pk>/blueprints/new/",
        manage_blueprints.blueprint_new,
        name="manage_blueprint_new",
    ),
    path(
        "manage/blueprints/<int:pk>/",
        manage_blueprints.blueprint_detail,
        name="manage_blueprint",
    ),
    path(
        "manage/blueprints/<int:pk>/sections/",
        manage_blueprints.section_add,
        name="manage_section_add",
    ),
    path("manage/blueprints/<int:pk>/rules/", manage_blueprints.rule_add, name="manage_rule_add"),
    path(
        "manage/blueprints/<int:pk>/rules/<int:rule>/remove/",
        manage_blueprints.rule_remove,
        name="manage_rule_remove",
    ),
    path(
        "manage/blueprints/<int:pk>/sections/<int:section>/remove/",
        manage_blueprints.section_remove,
        name="manage_section_remove",
    ),
    path("manage/blueprints/<int:pk>/fixed/", manage_blueprints.fixed_add, name="manage_fixed_add"),
    path(
        "manage/blueprints/<int:pk>/publish/",
        manage_blueprints.blueprint_publish,
        name="manage_blueprint_publish",
    ),
    path("manage/sessions/", manage_sessions.session_list, name="manage_sessions"),
    path("manage/sessions/new/", manage_sessions.session_new, name="manage_session_new"),
    path("manage/sessions/<int:pk>/", manage_sessions.session_detail, name="manage_session"),
    path("manage/sessions/<int:pk>/staff/", manage_sessions.staff_add, name="manage_staff_add"),
    path(
        "manage/sessions/<int:pk>/open/",
        manage_sessions.session_open,
        name="manage_session_open",
    ),
    path("apply/", manage_sessions.apply_list, name="apply"),
    path("apply/<int:pk>/", manage_sessions.apply_register, name="apply_register"),
]
