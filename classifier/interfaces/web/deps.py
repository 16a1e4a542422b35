"""Dependencies handed to the routes (replaceable in tests through ``app.dependency_overrides``)."""

from __future__ import annotations

from fastapi import Request

from ...modeling.predict import Classifier


def get_classifier(request: Request) -> Classifier:
    """The classifier loaded once at start-up (see ``app.lifespan``)."""
    return request.app.state.classifier

