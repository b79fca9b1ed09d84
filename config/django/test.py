from config.django.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = "cache+memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The heartbeat tests measure crediting alone; the real-name checks have their own tests, which
# turn them on (jineng/learning/tests/test_learning_checks.py).
LEARNING_CHECKS_PER_DAY = 0
# Test databases reuse ids, so a lesson cached by one test would be another test's lesson.
LEARNING_LESSON_CACHE_SECONDS = 0
# Lesson fixtures carry a few stand-in bytes, not videos; tests/test_lesson_video_length.py
# turns the ffprobe reading on with real ones.
LEARNING_VIDEO_PROBE = False
