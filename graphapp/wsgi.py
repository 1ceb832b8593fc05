"""WSGI entry point for gunicorn: ``gunicorn graphapp.wsgi:app``."""

import logging

from graphapp import create_app
from graphapp.settings import Settings
from graphapp.store import StoreUnavailable, get_store

settings = Settings.from_env()
app = create_app(settings)

try:
    from ingest import batches

    batches.recover(get_store(settings), settings)
except StoreUnavailable as exc:  # the app still starts and answers 503 until the store is back
    logging.getLogger(__name__).error("graph store unavailable at start: %s", exc)
