"""WSGI entry point for gunicorn: ``gunicorn graphapp.wsgi:app``."""

from graphapp import create_app

app = create_app()
