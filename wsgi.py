"""The WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`."""

import gc

from diary import create_app

app = create_app()
# What start-up built lives as long as the process: keep it out of the garbage collector's full
# passes, which otherwise add tens of milliseconds to an unlucky request (bench/charts.py).
gc.collect()
gc.freeze()
