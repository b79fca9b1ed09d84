"""One vocabulary for the audit trail: what was done (`AuditAction`) to what kind of thing
(`AuditObject`), each with the Chinese label the audit page and the export show.

Both are StrEnums, so a member equals its string (`AuditAction.REVEAL == "reveal"`): the services
may pass either, and entries written before the enums read the same. A string not listed here is
still accepted by `audit_record` (it is stored as given) and shown as 其他操作 / 其他对象.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REVEAL = "reveal"
    IMPORT = "import"
    IMPORT_REFUSED = "import_refused"
    SEED = "seed"
    GRANT = "grant"
    REVOKE = "revoke"
    OTP_ENROL = "otp_enrol"
    PASSWORD_CHANGE = "password_change"
    PASSWORD_DISABLE = "password_disable"
    FACT_APPEND = "fact_append"
    FACT_CORRECT = "fact_correct"
    API_TOKEN_ISSUE = "api_token_issue"
    API_TOKEN_REVOKE = "api_token_revoke"
    SIMULATION_START = "simulation_start"
    PERSON_SEARCH_DOCUMENT = "person_search_document"
    EXPORT = "export"
    # Accounts (log-in and tokens)
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    TOTP_FAILED = "totp_failed"
    TOTP_ENROLLED = "totp_enrolled"
    TOKEN_ISSUE = "token_issue"
    TOKEN_REVOKE = "token_revoke"
    # Face verification (jineng.faces)
    FACE_ENROL = "face_enrol"
    FACE_APPROVE = "face_approve"
    FACE_REJECT = "face_reject"
    FACE_CHECK = "face_check"
    FACE_VIEW = "face_view"
    FACE_PURGE = "face_purge"
    # Learning
    COURSE_TRANSITION = "course_transition"
    LEARNING_STREAM_OPEN = "learning_stream_open"
    LEARNING_STREAM_CLOSE = "learning_stream_close"
    LESSON_COMPLETE = "lesson_complete"
    LEARNING_CHECK_ISSUE = "learning_check_issue"
    LEARNING_CHECK_SETTLE = "learning_check_settle"
    TRAINING_RECORD_ISSUE = "training_record_issue"
    TRAINING_RECORD_EXPORT = "training_record_export"
    VOUCHER_BATCH_ISSUE = "voucher_batch_issue"
    VOUCHER_CLAIM = "voucher_claim"
    VOUCHER_VERIFY = "voucher_verify"
    VOUCHER_REDEEM = "voucher_redeem"
    VOUCHER_EXPIRE = "voucher_expire"
    VOUCHER_CANCEL = "voucher_cancel"
    VOUCHER_RELEASE = "voucher_release"
    CLASS_TRANSITION = "class_transition"
    CLASS_ENROL = "class_enrol"
    CLASS_WITHDRAW = "class_withdraw"
    CLASS_FLAG = "class_flag"
    ATTENDANCE_CHECK_IN = "attendance_check_in"
    ATTENDANCE_MARK = "attendance_mark"
    # Assessment (jineng.assessment)
    BANK_FILE = "bank_file"
    ITEM_REVIEW = "item_review"
    ITEM_SUPERSEDE = "item_supersede"
    BLUEPRINT_PUBLISH = "blueprint_publish"
    PAPER_DRAW = "paper_draw"
    PAPER_SCORE = "paper_score"
    ATTEMPT_ADMIT = "attempt_admit"
    ATTEMPT_MOVE = "attempt_move"
    ATTEMPT_EVIDENCE = "attempt_evidence"
    MARK_RECORD = "mark_record"
    SCORE_CORRECTION_REQUEST = "score_correction_request"
    SCORE_CORRECTION_REVIEW = "score_correction_review"
    RESULTS_COMPILE = "results_compile"
    RESULTS_MOVE = "results_move"
    RESULTS_OBJECTION_RAISE = "results_objection_raise"
    RESULTS_OBJECTION_ANSWER = "results_objection_answer"
    ROOM_RECORD_WRITE = "room_record_write"
    ROOM_WORKSTATIONS_DRAW = "room_workstations_draw"
    ROOM_RECORD_SIGN = "room_record_sign"
    # Certificates (jineng.certificates)
    CERTIFICATE_ISSUE = "certificate_issue"
    CERTIFICATE_REVOKE = "certificate_revoke"
    CERTIFICATE_SUPERSEDE = "certificate_supersede"
    CERTIFICATE_SUSPEND = "certificate_suspend"
    CERTIFICATE_IMPORT = "certificate_import"
    CERTIFICATE_PHOTO_SET = "certificate_photo_set"
    CERTIFICATE_REINSTATE = "certificate_reinstate"
    CERTIFICATE_BATCH_START = "certificate_batch_start"
    # Claims and payouts (jineng.claims)
    CLAIM_CREATE = "claim_create"
    CLAIM_MOVE = "claim_move"
    CLAIM_DECIDE_AMOUNT = "claim_decide_amount"
    CLAIM_ACCOUNT_CONFIRM = "claim_account_confirm"
    CLAIM_OBJECTION_RAISE = "claim_objection_raise"
    CLAIM_OBJECTION_ANSWER = "claim_objection_answer"
    CLAIM_RUN_START = "claim_run_start"
    CLAIM_RUN_RESTART = "claim_run_restart"
    CLAIM_FLAG_RAISE = "claim_flag_raise"
    CLAIM_FLAG_DECIDE = "claim_flag_decide"
    CLAIM_REGISTER_IMPORT = "claim_register_import"
    CLAIM_APPLICATION_SUBMIT = "claim_application_submit"
    CLAIM_ATTACHMENT_VIEW = "claim_attachment_view"
    PAYOUT_BATCH_CREATE = "payout_batch_create"
    PAYOUT_BATCH_MOVE = "payout_batch_move"
    PAYOUT_LINE_ADD = "payout_line_add"
    PAYOUT_RECONCILE = "payout_reconcile"
    PAYOUT_EXPORT = "payout_export"
    PAYOUT_LINE_WITHDRAW = "payout_line_withdraw"
    INSTALMENT_RELEASE = "instalment_release"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS[self])


class AuditObject(StrEnum):
    PERSON = "person"
    PERSON_SEARCH = "person_search"
    EMPLOYMENT = "employment"
    ORGANISATION = "organisation"
    TEACHER = "teacher"
    FACT = "fact"
    USER = "user"
    ACCOUNT = "account"
    API_TOKEN = "api_token"
    SIMULATION_RUN = "simulation_run"
    SHORTAGE_LIST = "reference.shortage_list"
    IMPORT_PEOPLE = "imports.people"
    IMPORT_ORGANISATIONS = "imports.organisations"
    IMPORT_FACTS = "imports.facts"
    AUDIT_LOG = "audit_log"
    FACE_ENROLMENT = "face_enrolment"
    FACE_CHECK = "face_check"
    COURSE = "learning.course"
    CHAPTER = "learning.chapter"
    LESSON = "learning.lesson"
    LEARNING_STREAM = "learning.stream"
    LESSON_PROGRESS = "learning.progress"
    LEARNING_CHECK = "learning.check"
    TRAINING_RECORD = "learning.training_record"
    TRAINING_VOUCHER = "learning.voucher"
    VOUCHER_BATCH = "learning.voucher_batch"
    TRAINING_CLASS = "learning.class"
    CLASS_SESSION = "learning.class_session"
    CLASS_TEACHER = "learning.class_teacher"
    ENROLMENT = "learning.enrolment"
    ATTENDANCE = "learning.attendance"
    SESSION_EVIDENCE = "learning.session_evidence"
    QUESTION_BANK = "question_bank"
    KNOWLEDGE_POINT = "knowledge_point"
    QUESTION_ITEM = "question_item"
    BLUEPRINT = "blueprint"
    EXAM_PAPER = "exam_paper"
    EXAM_SESSION = "exam_session"
    EXAM_REGISTRATION = "exam_registration"
    EXAM_ATTEMPT = "exam_attempt"
    MARKING_TASK = "marking_task"
    PART_RESULT = "part_result"
    SCORE_CORRECTION = "score_correction"
    RESULT_PUBLICATION = "result_publication"
    RESULT_OBJECTION = "result_objection"
    ROOM_RECORD = "room_record"
    CERTIFICATE = "certificate"
    CERTIFICATE_ISSUER = "certificate_issuer"
    CERTIFICATE_BATCH = "certificate_batch"
    CLAIM = "claim"
    CLAIM_RUN = "claim_run"
    CLAIM_FLAG = "claim_flag"
    CLAIM_REGISTER = "claim_register"
    CLAIM_APPLICATION = "claim_application"
    CLAIM_ATTACHMENT = "claim_attachment"
    PAYOUT_BATCH = "payout_batch"
    PAYOUT_LINE = "payout_line"

    @property
    def label(self) -> str:
        return str(OBJECT_LABELS[self])


ACTION_LABELS: dict[AuditAction, str | Promise] = {
    AuditAction.CREATE: _("新建"),
    AuditAction.UPDATE: _("修改"),
    AuditAction.REVEAL: _("查看明文"),
    AuditAction.IMPORT: _("批量导入"),
    AuditAction.IMPORT_REFUSED: _("导入被拒绝"),
    AuditAction.SEED: _("生成演示数据"),
    AuditAction.GRANT: _("授予角色"),
    AuditAction.REVOKE: _("撤销角色"),
    AuditAction.OTP_ENROL: _("绑定动态验证码"),
    AuditAction.PASSWORD_CHANGE: _("修改密码"),
    AuditAction.PASSWORD_DISABLE: _("停用密码"),
    AuditAction.FACT_APPEND: _("追加档案事实"),
    AuditAction.FACT_CORRECT: _("更正档案事实"),
    AuditAction.API_TOKEN_ISSUE: _("签发接口令牌"),
    AuditAction.API_TOKEN_REVOKE: _("吊销接口令牌"),
    AuditAction.SIMULATION_START: _("发起政策测算"),
    AuditAction.PERSON_SEARCH_DOCUMENT: _("按证件号码查找人员"),
    AuditAction.EXPORT: _("导出"),
    AuditAction.LOGIN: _("登录"),
    AuditAction.LOGIN_FAILED: _("登录失败"),
    AuditAction.LOCKOUT: _("账号锁定"),
    AuditAction.LOGOUT: _("退出登录"),
    AuditAction.TOTP_FAILED: _("动态验证码错误"),
    AuditAction.TOTP_ENROLLED: _("绑定动态验证码"),
    AuditAction.TOKEN_ISSUE: _("签发接口令牌"),
    AuditAction.TOKEN_REVOKE: _("吊销接口令牌"),
    AuditAction.FACE_ENROL: _("采集人脸照片"),
    AuditAction.FACE_APPROVE: _("人脸照片审核通过"),
    AuditAction.FACE_REJECT: _("人脸照片审核驳回"),
    AuditAction.FACE_CHECK: _("人脸核验"),
    AuditAction.FACE_VIEW: _("查看人脸照片"),
    AuditAction.FACE_PURGE: _("删除过期人脸照片"),
    AuditAction.COURSE_TRANSITION: _("课程状态变更"),
    AuditAction.LEARNING_STREAM_OPEN: _("开始在线学习"),
    AuditAction.LEARNING_STREAM_CLOSE: _("结束在线学习"),
    AuditAction.LESSON_COMPLETE: _("完成课时学习"),
    AuditAction.LEARNING_CHECK_ISSUE: _("学习过程人脸抽查"),
    AuditAction.LEARNING_CHECK_SETTLE: _("人脸抽查结果"),
    AuditAction.TRAINING_RECORD_ISSUE: _("记入培训档案"),
    AuditAction.TRAINING_RECORD_EXPORT: _("导出培训台账"),
    AuditAction.VOUCHER_BATCH_ISSUE: _("发放职业培训券"),
    AuditAction.VOUCHER_CLAIM: _("领取职业培训券"),
    AuditAction.VOUCHER_VERIFY: _("核验职业培训券"),
    AuditAction.VOUCHER_REDEEM: _("兑付职业培训券"),
    AuditAction.VOUCHER_EXPIRE: _("职业培训券过期"),
    AuditAction.VOUCHER_CANCEL: _("作废职业培训券"),
    AuditAction.VOUCHER_RELEASE: _("退回职业培训券"),
    AuditAction.CLASS_TRANSITION: _("培训班状态变更"),
    AuditAction.CLASS_ENROL: _("培训班报名"),
    AuditAction.CLASS_WITHDRAW: _("退出培训班"),
    AuditAction.CLASS_FLAG: _("培训班预警"),
    AuditAction.ATTENDANCE_CHECK_IN: _("扫码签到"),
    AuditAction.ATTENDANCE_MARK: _("教师代为登记考勤"),
    AuditAction.BANK_FILE: _("题库备案"),
    AuditAction.ITEM_REVIEW: _("试题审核"),
    AuditAction.ITEM_SUPERSEDE: _("试题换版"),
    AuditAction.BLUEPRINT_PUBLISH: _("发布组卷规则"),
    AuditAction.PAPER_DRAW: _("抽取试卷"),
    AuditAction.PAPER_SCORE: _("试卷评分"),
    AuditAction.ATTEMPT_ADMIT: _("考生身份核验"),
    AuditAction.ATTEMPT_MOVE: _("理论考试状态变更"),
    AuditAction.ATTEMPT_EVIDENCE: _("记录考场异常"),
    AuditAction.MARK_RECORD: _("阅卷评分"),
    AuditAction.SCORE_CORRECTION_REQUEST: _("申请更正成绩"),
    AuditAction.SCORE_CORRECTION_REVIEW: _("复核成绩更正"),
    AuditAction.RESULTS_COMPILE: _("汇总考核成绩"),
    AuditAction.RESULTS_MOVE: _("成绩审核与公示"),
    AuditAction.RESULTS_OBJECTION_RAISE: _("提出成绩异议"),
    AuditAction.RESULTS_OBJECTION_ANSWER: _("答复成绩异议"),
    AuditAction.ROOM_RECORD_WRITE: _("填写考场记录"),
    AuditAction.ROOM_WORKSTATIONS_DRAW: _("抽签确定工位"),
    AuditAction.ROOM_RECORD_SIGN: _("考场记录签名"),
    AuditAction.CERTIFICATE_ISSUE: _("颁发证书"),
    AuditAction.CERTIFICATE_REVOKE: _("撤销证书"),
    AuditAction.CERTIFICATE_SUPERSEDE: _("证书被替代"),
    AuditAction.CERTIFICATE_SUSPEND: _("暂停证书"),
    AuditAction.CERTIFICATE_IMPORT: _("导入历史证书"),
    AuditAction.CERTIFICATE_PHOTO_SET: _("上传证书照片"),
    AuditAction.CERTIFICATE_REINSTATE: _("恢复证书"),
    AuditAction.CERTIFICATE_BATCH_START: _("提交批量发证"),
    AuditAction.CLAIM_CREATE: _("生成待遇申领"),
    AuditAction.CLAIM_MOVE: _("办理待遇申领"),
    AuditAction.CLAIM_DECIDE_AMOUNT: _("核定酌定金额"),
    AuditAction.CLAIM_ACCOUNT_CONFIRM: _("确认收款账户"),
    AuditAction.CLAIM_OBJECTION_RAISE: _("提出公示异议"),
    AuditAction.CLAIM_OBJECTION_ANSWER: _("答复公示异议"),
    AuditAction.CLAIM_RUN_START: _("发起免申即享"),
    AuditAction.CLAIM_RUN_RESTART: _("重新启动免申即享"),
    AuditAction.CLAIM_FLAG_RAISE: _("发现核查疑点"),
    AuditAction.CLAIM_FLAG_DECIDE: _("处理核查疑点"),
    AuditAction.CLAIM_REGISTER_IMPORT: _("导入比对名单"),
    AuditAction.CLAIM_APPLICATION_SUBMIT: _("提交待遇申请"),
    AuditAction.CLAIM_ATTACHMENT_VIEW: _("查看申请材料"),
    AuditAction.PAYOUT_BATCH_CREATE: _("编制拨付批次"),
    AuditAction.PAYOUT_BATCH_MOVE: _("办理拨付批次"),
    AuditAction.PAYOUT_LINE_ADD: _("列入拨付批次"),
    AuditAction.PAYOUT_RECONCILE: _("导入银行结果"),
    AuditAction.PAYOUT_EXPORT: _("导出银行支付文件（显示收款账号）"),
    AuditAction.PAYOUT_LINE_WITHDRAW: _("撤回拨付明细"),
    AuditAction.INSTALMENT_RELEASE: _("分期待遇到期发放"),
}

OBJECT_LABELS: dict[AuditObject, str | Promise] = {
    AuditObject.PERSON: _("人员"),
    AuditObject.PERSON_SEARCH: _("证件号码查询"),
    AuditObject.EMPLOYMENT: _("就业记录"),
    AuditObject.ORGANISATION: _("机构"),
    AuditObject.TEACHER: _("教师"),
    AuditObject.FACT: _("档案事实"),
    AuditObject.USER: _("账号"),
    AuditObject.ACCOUNT: _("账号"),
    AuditObject.API_TOKEN: _("接口令牌"),
    AuditObject.SIMULATION_RUN: _("政策测算"),
    AuditObject.SHORTAGE_LIST: _("紧缺职业目录"),
    AuditObject.IMPORT_PEOPLE: _("人员导入"),
    AuditObject.IMPORT_ORGANISATIONS: _("机构导入"),
    AuditObject.IMPORT_FACTS: _("档案事实导入"),
    AuditObject.AUDIT_LOG: _("审计日志"),
    AuditObject.FACE_ENROLMENT: _("人脸注册照片"),
    AuditObject.FACE_CHECK: _("人脸核验记录"),
    AuditObject.COURSE: _("课程"),
    AuditObject.CHAPTER: _("课程章节"),
    AuditObject.LESSON: _("课时"),
    AuditObject.LEARNING_STREAM: _("在线学习记录"),
    AuditObject.LESSON_PROGRESS: _("课时学习进度"),
    AuditObject.TRAINING_CLASS: _("培训班"),
    AuditObject.CLASS_SESSION: _("课次"),
    AuditObject.CLASS_TEACHER: _("授课教师"),
    AuditObject.ENROLMENT: _("学员报名"),
    AuditObject.ATTENDANCE: _("考勤记录"),
    AuditObject.SESSION_EVIDENCE: _("监控证据"),
    AuditObject.LEARNING_CHECK: _("学习过程人脸抽查"),
    AuditObject.TRAINING_RECORD: _("培训记录"),
    AuditObject.TRAINING_VOUCHER: _("职业培训券"),
    AuditObject.VOUCHER_BATCH: _("培训券发放批次"),
    AuditObject.QUESTION_BANK: _("题库"),
    AuditObject.KNOWLEDGE_POINT: _("鉴定要素"),
    AuditObject.QUESTION_ITEM: _("试题"),
    AuditObject.BLUEPRINT: _("组卷规则"),
    AuditObject.EXAM_PAPER: _("试卷"),
    AuditObject.EXAM_SESSION: _("考试批次"),
    AuditObject.EXAM_REGISTRATION: _("考试报名"),
    AuditObject.EXAM_ATTEMPT: _("理论考试作答"),
    AuditObject.MARKING_TASK: _("评分任务"),
    AuditObject.PART_RESULT: _("考核成绩"),
    AuditObject.SCORE_CORRECTION: _("成绩更正"),
    AuditObject.RESULT_PUBLICATION: _("成绩公示"),
    AuditObject.RESULT_OBJECTION: _("成绩公示异议"),
    AuditObject.ROOM_RECORD: _("考场记录"),
    AuditObject.CERTIFICATE: _("职业技能等级证书"),
    AuditObject.CERTIFICATE_ISSUER: _("发证机构备案"),
    AuditObject.CERTIFICATE_BATCH: _("批量发证"),
    AuditObject.CLAIM: _("待遇申领"),
    AuditObject.CLAIM_RUN: _("免申即享批次"),
    AuditObject.CLAIM_FLAG: _("核查疑点"),
    AuditObject.CLAIM_REGISTER: _("比对名单"),
    AuditObject.CLAIM_APPLICATION: _("待遇申请"),
    AuditObject.CLAIM_ATTACHMENT: _("申请材料"),
    AuditObject.PAYOUT_BATCH: _("拨付批次"),
    AuditObject.PAYOUT_LINE: _("拨付明细"),
}

OTHER_ACTION = _("其他操作")
OTHER_OBJECT = _("其他对象")


def action_label(action: str) -> str:
    """The Chinese name of an action; 其他操作 for a string outside the vocabulary."""
    try:
        return AuditAction(action).label
    except ValueError:
        return str(OTHER_ACTION)


def object_label(object_type: str) -> str:
    try:
        return AuditObject(object_type).label
    except ValueError:
        return str(OTHER_OBJECT)


def action_choices() -> list[tuple[str, str]]:
    """(value, label) for a filter: one entry per distinct label (two spellings of the same act,
    such as api_token_issue and token_issue, are one choice)."""
    seen: dict[str, str] = {}
    for member in AuditAction:
        seen.setdefault(member.label, member.value)
    return [(value, label) for label, value in seen.items()]


def actions_with_label(action: str) -> list[str]:
    """Every action value that shares `action`'s label (a filter on one finds both spellings)."""
    try:
        label = AuditAction(action).label
    except ValueError:
        return [action]
    return [m.value for m in AuditAction if m.label == label]


def object_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for member in AuditObject:
        seen.setdefault(member.label, member.value)
    return [(value, label) for label, value in seen.items()]


def objects_with_label(object_type: str) -> list[str]:
    try:
        label = AuditObject(object_type).label
    except ValueError:
        return [object_type]
    return [m.value for m in AuditObject if m.label == label]
