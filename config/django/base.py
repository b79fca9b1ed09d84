"""Settings shared by every environment. Everything that differs comes from the environment."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab

# Lets `admin.ModelAdmin[Model]` and other generic Django classes be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("JINENG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)  # whitenoise warns on a missing STATIC_ROOT

# A fixed development key only; production.py refuses to start without JINENG_SECRET_KEY.
SECRET_KEY = os.environ.get("JINENG_SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdef")
# Key for field encryption (ID numbers, phones, bank accounts) and their blind indexes.
FIELD_KEY = os.environ.get("JINENG_FIELD_KEY", "dev-only-field-key-change-me-0123456789abcdef")
# HMAC key of the audit chain, never stored in the database; comma-separate to rotate (newest
# first: new entries use the first, older entries verify under the key they name).
AUDIT_CHAIN_KEY = os.environ.get(
    "JINENG_AUDIT_KEY", "dev-only-audit-key-change-me-0123456789abcdef"
)
# Ed25519 key that signs audit anchors: PEM text or a path to a PEM file (a public key only lets a
# host verify anchors). Unset: a development key generated under VAR_DIR/audit/.
AUDIT_ANCHOR_KEY = os.environ.get("JINENG_AUDIT_ANCHOR_KEY", "")
# Off unless asked for (JINENG_DEBUG=1): the demo and every deployment show the Chinese error
# pages, never the debug page with its URL patterns.
DEBUG = os.environ.get("JINENG_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h
    for h in os.environ.get("JINENG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "ninja",  # its swagger-ui static files for /api/v1/docs (no CDN)
    "jineng.reference",
    "jineng.identity",
    "jineng.organisations",
    "jineng.dossier",
    "jineng.faces",
    "jineng.assessment",
    "jineng.certificates",
    "jineng.imports",
    "jineng.audit",
    "jineng.policy",
    "jineng.learning",
    "jineng.demo",
    "jineng.claims",
    "jineng.api",
    "jineng.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The lean routes (LEAN_ROUTES) are answered here, past the session, CSRF and auth layers
    # they do not use; jineng/api/lean.py says which middleware they still go through.
    "jineng.api.lean.LeanRoutesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jineng.web.middleware.ChineseFirstLocaleMiddleware",  # zh-Hans unless the visitor chose English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jineng.identity.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline script or style, no plug-ins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'jineng.sqlite3'}",
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold a handful of concurrent users: WAL lets readers run beside the
    # writer, BEGIN IMMEDIATE takes the write lock at the start of a transaction (so two writers
    # queue on the busy timeout instead of failing "database is locked" on lock upgrade).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn score ≥ 3: long but guessable passwords (aaaaaaaaaaaa, qwertyuiopas) are refused
    {"NAME": "jineng.identity.validators.PasswordStrengthValidator", "OPTIONS": {"min_score": 3}},
]

# Lockout (django-axes): 5 failed log-ins lock the username+IP for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no "AXES: BEGIN …" banner on every command

# 30-minute idle expiry: the cookie is renewed on every request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
OTP_TOTP_ISSUER = "技能人才服务平台"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# The domain apps' English; jineng/web and jineng/api keep their own catalogues (make messages).
LOCALE_PATHS = [BASE_DIR / "jineng" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Celery: Redis when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Request bodies: JSON and form fields up to 2.5 MB (larger: the API answers 413 in Chinese,
# jineng.api.root). Uploaded files in multipart bodies do not count against it; they stream to a
# temporary file past 2.5 MB, so the import page (up to MAX_ROWS rows, jineng.imports.reading)
# and the simulation page's 20 MB facts file are unaffected.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Every handler masks ID numbers, phones and bank cards (jineng.identity.masking); creating the
# filter also installs a record factory that masks records bound for handlers configured
# elsewhere (gunicorn: config/gunicorn.conf.py; Celery's worker). Django's own loggers are
# named here so that none keeps a handler of Django's DEFAULT_LOGGING without the filter:
# `django` (and `django.request`) go to the masked console, runserver's access log
# (`django.server`) to its own masked handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "jineng.identity.masking.MaskingLogFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("JINENG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "celery": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
# Celery keeps Django's logging (above) instead of putting unmasked handlers on the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Scheduled jobs (celery beat, `celery -A config beat`): 公示 periods close at 00:30, the claims
# integrity checks run at 02:00 (jineng/claims/deadlines.py, services/integrity.py).
CELERY_BEAT_SCHEDULE = {
    "claims-publicity-close": {
        "task": "claims.publicity_close_due",
        "schedule": crontab(hour=0, minute=30),
    },
    "claims-integrity-checks": {
        "task": "claims.integrity_checks",
        "schedule": crontab(hour=2, minute=0),
    },
}

# Exact searches by full document number per account (django-ratelimit's cache counter; see
# jineng/identity/selectors.py). Needs a shared cache (REDIS_URL) when several processes serve.
JINENG_DOCUMENT_SEARCH_RATE = os.environ.get("JINENG_DOCUMENT_SEARCH_RATE", "30/m")

# Face verification (jineng.faces). The provider is a dotted path to a FaceProvider class: the
# default runs offline on dlib (face_recognition); tests elsewhere may use
# "jineng.faces.testing.FakeFaceProvider". A capture matches its enrolment when the distance of
# the two encodings is at most the threshold (0.6 is dlib's documented operating point). Face
# images (PIPL art. 28 sensitive personal information) are deleted after FACES_RETENTION_DAYS.
FACES_PROVIDER = os.environ.get("JINENG_FACES_PROVIDER", "jineng.faces.providers.LocalFaceProvider")
FACES_DISTANCE_THRESHOLD = float(os.environ.get("JINENG_FACES_DISTANCE_THRESHOLD", "0.6"))
FACES_RETENTION_DAYS = int(os.environ.get("JINENG_FACES_RETENTION_DAYS", "180"))
FACES_MAX_IMAGE_BYTES = 5 * 1024 * 1024  # a phone's camera frame as JPEG is far smaller
FACES_MAX_SIDE = 800  # larger images are scaled down before the face is encoded
FACES_DETECT_SIDE = 480  # and to this before it is looked for (see LocalFaceProvider)

# Skill-level assessment (jineng.assessment). Each part is out of 100 and passes at 60 unless the
# occupation's standard says otherwise (issue 9 §5): the default pass line of a new blueprint.
# Items and option lists beyond these sizes are refused (a bank is typed by people, not generated).
ASSESSMENT_DEFAULT_PASS_LINE = os.environ.get("JINENG_ASSESSMENT_DEFAULT_PASS_LINE", "60")
ASSESSMENT_MAX_OPTIONS = 8
# Issue 9 §4–§5: each part is out of 100 and passes at 60 unless the occupation's standard says
# otherwise (`assessment.PassMark` rows); results are published (公示) for this many working days;
# an answer arriving this many seconds after the deadline (network latency) is still accepted.
ASSESSMENT_PART_PASS_MARK = 60
ASSESSMENT_PUBLICATION_WORKING_DAYS = int(
    os.environ.get("JINENG_ASSESSMENT_PUBLICATION_WORKING_DAYS", "5")
)
ASSESSMENT_ANSWER_GRACE_SECONDS = 5
# 单科成绩保留 (issue 9 §5, retakes): national practice keeps a passed part (theory or practical)
# of a candidate who failed another for a period — commonly one year from the exam — during which
# they retake only the failed part(s) for the same occupation and level; after it, everything again.
ASSESSMENT_PART_RETENTION_DAYS = int(os.environ.get("JINENG_ASSESSMENT_PART_RETENTION_DAYS", "365"))
# 综合评审 criteria a panel member scores (name, points; sum 100) — a common reading of the
# 技师/高级技师 review: work record, technical ability, innovation, teaching and the defence.
ASSESSMENT_PANEL_CRITERIA = [
    ("工作业绩", 30),
    ("技术能力与技术革新", 30),
    ("传授技艺与培训指导", 20),
    ("论文或技术总结答辩", 20),
]
# Admission tickets carry a signed reference (django.core.signing, this salt) in their QR code.
ASSESSMENT_TICKET_SALT = "jineng.assessment.ticket"
ASSESSMENT_MAX_ITEMS_PER_PAPER = 500
# 考务人员配备 per part when an occupation's standard sets nothing else (issue 9 §3: theory ≥ 1
# invigilator per 15 candidates and ≥ 2 per room; practical 1 assessor per 5, at least 3, odd;
# panel review ≥ 3, odd; assessors of a candidate's own employer stand down, 回避).
# Per-occupation values: `assessment.StaffingRule` rows.
ASSESSMENT_STAFFING_DEFAULTS = {
    "theory": {"per_candidates": 15, "minimum": 2, "per_room": 2, "odd": False, "recusal": False},
    "practical": {"per_candidates": 5, "minimum": 3, "per_room": 0, "odd": True, "recusal": True},
    "panel": {"per_candidates": 0, "minimum": 3, "per_room": 0, "odd": True, "recusal": True},
}

JINENG_SEED_DIR = Path(os.environ.get("JINENG_SEED_DIR", BASE_DIR.parent / "shared" / "seeds"))

# Learning (issue 8 §1, §2): 学时, and what the server credits of a learner's heartbeats.
LEARNING_HOUR_MINUTES = 45  # one 学时
LEARNING_RATE_CAP = 1.0  # credited position advance ≤ elapsed wall time × this
LEARNING_RATE_TOLERANCE = 0.1  # heartbeat jitter: up to 10 % more advance is still accepted …
LEARNING_RATE_TOLERANCE_SECONDS = 1.0  # … plus this much; credit itself never exceeds the cap
LEARNING_HEARTBEAT_MAX_GAP_SECONDS = 120  # a longer silence credits nothing for that interval
LEARNING_DAILY_CAP_HOURS = 7  # 学时 per person per local day
LEARNING_COMPLETE_RATIO = 0.95  # a lesson is complete at ≥ 95 % of its length credited
# Training vouchers (issue 8 §7): a voucher is valid for at most this many days (≤ 3 months).
LEARNING_VOUCHER_VALIDITY_DAYS = 90
LEARNING_VIDEO_PROBE = True  # a video lesson's length is read from the file (ffprobe)
LEARNING_LESSON_CACHE_SECONDS = 10  # heartbeats reuse a published lesson read this recently
# A stream's signed heartbeat token (jineng/learning/stream_tokens.py) lasts this long; heartbeat
# answers renew it after half of it, so only a player silent this long must reopen its stream.
LEARNING_STREAM_TOKEN_SECONDS = 30 * 60
# The lean routes (jineng/api/lean.py); JINENG_LEAN_ROUTES=0 sends them through the full stack
# (the benchmarks' "before" figures; the answers are the same).
LEAN_ROUTES = (
    {
        "/api/v1/learning/stream-heartbeats": "jineng.api.learning.lean.stream_heartbeat",
        "/api/v1/certificates/verify": "jineng.api.certificates.lean.verify",
    }
    if os.environ.get("JINENG_LEAN_ROUTES", "1") != "0"
    else {}
)
# Real-name checks during online learning (jineng/learning/services/checks.py): about this many a
# day (one per LEARNING_DAILY_CAP_HOURS 学时 / LEARNING_CHECKS_PER_DAY of credit, ± the jitter),
# each to be answered with a live capture within LEARNING_CHECK_ANSWER_SECONDS; this many failed or
# missed checks in one course fail the learner there. LEARNING_CHECKS_PER_DAY = 0 turns them off.
# The rule is 8 a day (issue 8 §2); the player answers them with its camera panel
# (jineng/web/static/learning/player.js).
LEARNING_CHECKS_PER_DAY = int(os.environ.get("JINENG_LEARNING_CHECKS_PER_DAY", "8"))
LEARNING_CHECK_ANSWER_SECONDS = 60
LEARNING_CHECK_JITTER = 0.5  # the credit between checks is drawn from (1 ± this) × the mean
LEARNING_CHECK_MAX_FAILURES = 3

# Classes and attendance (jineng/learning/services/classes.py, attendance.py; issue 8 §4, §5).
CLASSES_MAX_CAPACITY = 200  # any class
CLASSES_SUBSIDISED_MAX_CAPACITY = 50  # a subsidised class (项目制培训)
CLASSES_ROSTER_WORKING_DAYS = 10  # roster filed ≥ this many working days (Mon–Fri) before start
CLASSES_ATTENDANCE_THRESHOLD = 80  # % of the class's session time attended to complete
CLASSES_DUPLICATE_PERIOD_DAYS = 365  # same occupation+level subsidised again within: duplicate
CLASSES_PART_TIME_MAX_INSTITUTIONS = 3  # a part-time teacher teaches at most this many a year
CLASSES_FULL_TIME_MIN_RATIO = (1, 3)  # full-time teachers ≥ 1/3 of an institution's teachers
CLASSES_RETIREMENT_AGE = {"M": 60, "F": 55, "": 60}  # flag subsidised trainees at/over this age
CLASSES_QR_WINDOW_SECONDS = 15  # the teacher's QR changes every window
CLASSES_QR_GRACE_WINDOWS = 1  # a token is still accepted this many windows after its own
CLASSES_CHECKIN_MAX_DISTANCE_M = 300  # from the venue's point, when it has one
CLASSES_CHECKIN_EARLY_MINUTES = 30  # check-in opens this long before the session starts

# --- certificates (jineng.certificates) ---------------------------------------------------------
# Ed25519 key that signs certificates' QR codes: PEM text or a path to a PEM file. Unset: a
# development key generated under VAR_DIR/certificates/ (a deployment must set it and keep it).
CERTIFICATES_SIGNING_KEY = os.environ.get("JINENG_CERTIFICATES_SIGNING_KEY", "")
# Keys used before a rotation (paths to PEM files, comma-separated; public keys suffice): the
# certificates they signed keep verifying.
CERTIFICATES_PREVIOUS_KEYS = [
    k for k in os.environ.get("JINENG_CERTIFICATES_PREVIOUS_KEYS", "").split(",") if k.strip()
]
# Where the QR's verification link points (scheme and host, no trailing slash); "" = a path only.
CERTIFICATES_VERIFY_BASE_URL = os.environ.get("JINENG_CERTIFICATES_VERIFY_BASE_URL", "")
# Public verification attempts per visitor (IP address), django-ratelimit's syntax.
CERTIFICATES_VERIFY_RATE = os.environ.get("JINENG_CERTIFICATES_VERIFY_RATE", "60/m")
# Seconds a certificate's verification answer stays cached (jineng/certificates/cache.py); a
# status change through the services deletes it at once. 0: no caching.
CERTIFICATES_VERIFY_CACHE_SECONDS = int(
    os.environ.get("JINENG_CERTIFICATES_VERIFY_CACHE_SECONDS", "30")
)
# The CJK font of the PDF (Debian fonts-noto-cjk) and its face in the collection (2 = SC).
CERTIFICATES_PDF_FONT = os.environ.get(
    "JINENG_CERTIFICATES_PDF_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
)
CERTIFICATES_PDF_FONT_INDEX = int(os.environ.get("JINENG_CERTIFICATES_PDF_FONT_INDEX", "2"))

# Claims and payouts (jineng.claims). 公示 lasts CLAIMS_PUBLICITY_DAYS calendar days; the SMS
# provider is a dotted path to a class with `send(*, person, text)` (the default records what it
# would send, nothing leaves the system); CLAIMS_EXCLUSIVE_ITEMS lists groups of policy items
# that may not both pay the same person for the same occupation and level (the skill-upgrade
# subsidy and the training subsidies for the same training).
CLAIMS_PUBLICITY_DAYS = int(os.environ.get("JINENG_CLAIMS_PUBLICITY_DAYS", "7"))
CLAIMS_SMS_PROVIDER = os.environ.get(
    "JINENG_CLAIMS_SMS_PROVIDER", "jineng.claims.sms.RecordingSmsProvider"
)
CLAIMS_EXCLUSIVE_ITEMS: list[list[str]] = [
    ["nb.skill_upgrade", "dg.training.project_subsidy", "dg.training.voucher"],
]
# A 免申即享 run evaluates the region's dossier in one vectorised pass and explains only the
# subjects with a line to claim; False explains every subject (the slow path, kept to compare).
CLAIMS_RUN_PREFILTER = os.environ.get("JINENG_CLAIMS_RUN_PREFILTER", "1") != "0"
# Subjects per set-based chunk of a 免申即享 run (one transaction, a fixed number of statements);
# 0: subject by subject, the run as first built (kept as the reference, bench_claims_run.py).
CLAIMS_RUN_CHUNK = int(os.environ.get("JINENG_CLAIMS_RUN_CHUNK", "1000"))
# The region-wide integrity checks (jineng/claims/services/checks.py). Retirement age by sex on
# the training date (the statutory 60 for men; 55 for women, the higher of the 50/55 ages, so a
# woman worker retired at 50 is caught by the retired register, not by age); the items that
# exclude staff of public institutions; how many beneficiaries one account or phone may serve;
# the robust z-score above which an institution's yearly training volume is an outlier, and how
# many earlier years its own history needs.
CLAIMS_RETIREMENT_AGE: dict[str, int] = {"M": 60, "F": 55}
CLAIMS_PUBLIC_STAFF_EXCLUDED_ITEMS: list[str] = [
    "xx.training.subsidy",
    "dg.training.project_subsidy",
    "dg.training.voucher",
]
CLAIMS_SHARED_CONTACT_MAX = int(os.environ.get("JINENG_CLAIMS_SHARED_CONTACT_MAX", "3"))
CLAIMS_VOLUME_Z = float(os.environ.get("JINENG_CLAIMS_VOLUME_Z", "3.5"))
# PostgreSQL work_mem for the integrity checks' transaction only (their GROUP BY / window sorts
# over a million claims stay in memory instead of spilling to disk).
CLAIMS_CHECKS_WORK_MEM = os.environ.get("JINENG_CLAIMS_CHECKS_WORK_MEM", "64MB")
CLAIMS_VOLUME_MIN_HISTORY = 3
# The checks over the learning ledger (jineng/claims/services/checks_ledger.py): how many distinct
# trainees one device (the same user agent from the same address) may check in at one session and
# one network address in one day; how many seconds of online learning a person may have credited
# twice over the same minutes in a day (beyond the platform's own playback tolerance) before it
# is "faster than real time".
CLAIMS_CHECKIN_DEVICE_MAX = int(os.environ.get("JINENG_CLAIMS_CHECKIN_DEVICE_MAX", "5"))
CLAIMS_CHECKIN_NETWORK_MAX = int(os.environ.get("JINENG_CLAIMS_CHECKIN_NETWORK_MAX", "5"))
CLAIMS_LEDGER_OVERLAP_SECONDS = int(os.environ.get("JINENG_CLAIMS_LEDGER_OVERLAP_SECONDS", "60"))
# Application attachments (PDF, JPEG, PNG only, by their content): largest file, most files.
CLAIMS_ATTACHMENT_MAX_BYTES = int(os.environ.get("JINENG_CLAIMS_ATTACHMENT_MAX_BYTES", "5242880"))
CLAIMS_ATTACHMENT_MAX_FILES = 5
# Registers for the ghost-trainee checks: largest file accepted.
CLAIMS_REGISTER_MAX_BYTES = 20 * 1024 * 1024
# Working days each review step may take before the claim is on the overdue list (受理 → 初审,
# 初审 → 复审, 待拨付 → 拨付); 公示 has its own period (CLAIMS_PUBLICITY_DAYS) and closes by the
# scheduled job claims.publicity_close_due. Working days are the one calendar (WORKDAYS_* below).
CLAIMS_STEP_WORKING_DAYS: dict[str, int] = {"accepted": 5, "reviewed": 5, "payable": 10}

# The working-day calendar of every deadline (jineng.core.workdays): China's public holidays and
# 调休 working weekends from the `holidays` package, plus these ISO dates (comma-separated in the
# environment) for a year the package does not know yet or a local day; an extra working day wins.
# JINENG_CLAIMS_HOLIDAYS is the older name of the extra holidays and is still read.
WORKDAYS_EXTRA_HOLIDAYS: list[str] = [
    d.strip()
    for d in (
        os.environ.get("JINENG_WORKDAYS_EXTRA_HOLIDAYS", "")
        + ","
        + os.environ.get("JINENG_CLAIMS_HOLIDAYS", "")
    ).split(",")
    if d.strip()
]
WORKDAYS_EXTRA_WORKING_DAYS: list[str] = [
    d.strip()
    for d in os.environ.get("JINENG_WORKDAYS_EXTRA_WORKING_DAYS", "").split(",")
    if d.strip()
]
