"""Thin Flask blueprints: load and authorise, validate, call a service, serialise."""
