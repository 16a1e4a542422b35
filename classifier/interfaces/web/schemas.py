"""Request and response models of the JSON API (they also make the OpenAPI docs at /docs).

A result is ``schema.Result``: the same model that declares the ``classify --json`` output.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field, model_validator

from ...modeling.results import MAX_CHARS
from ...schema import Result

MAX_TEXTS = 1000


class ClassifyRequest(BaseModel):
    """One message (``text``) or many (``texts``). A call transcript is one message with line breaks."""

    text: str | None = Field(None, max_length=MAX_CHARS, description="One message or call transcript.")
    texts: list[str] | None = Field(None, max_length=MAX_TEXTS, description=f"Up to {MAX_TEXTS} messages.")
    date: dt.date | None = Field(None, description="Date received (picks the law in force then); default: today.")
    evidence: bool = Field(True, description="Include evidence phrases (spans of the original text).")

    @model_validator(mode="after")
    def one_of(self) -> ClassifyRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' or 'texts'")
        for t in self.texts or []:
            if len(t) > MAX_CHARS:
                raise ValueError(f"each text must be at most {MAX_CHARS} characters")
        return self


class ClassifyResponse(BaseModel):
    results: list[Result]


class ErrorResponse(BaseModel):
    detail: str
