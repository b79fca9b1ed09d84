"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

The access log (request lines with their query strings) and the error log go through
`jineng.identity.masking.MaskingLogFilter`, which masks ID numbers, mobiles and bank cards in
every line and installs the masking record factory for any other logger in the process."""

import os

bind = os.environ.get("JINENG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("JINENG_WORKERS", "2"))
accesslog = "-"
errorlog = "-"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask": {"()": "jineng.identity.masking.MaskingLogFilter"}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["mask"],
            "stream": "ext://sys.stdout",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["mask"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
