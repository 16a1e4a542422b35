"""Local web page and JSON API (FastAPI). Start with ``cuishou serve``; binds 127.0.0.1 by default."""
