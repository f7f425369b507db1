"""The WSGI entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`.

It never starts the scheduler: production runs exactly one `flask --app wsgi scheduler`.
"""

import os

from tracker import create_app

app = create_app(os.environ.get("TRACKER_CONFIG", "production"))
