"""Entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`."""

from pilot_tracker import create_app

app = create_app()
