"""Bulk imports from .xlsx/.csv: people, organisations and historical dossier facts.

One machinery (`machinery.run_import`: read the file → validate every row → report → write) serves
the `jineng import` command, the web upload page and the Celery task; `services.py` is its entry.
"""
