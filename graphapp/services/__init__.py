"""Logic shared by the web pages, the JSON API and the CLI; always scoped by ``access``."""
