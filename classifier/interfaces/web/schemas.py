"""Request and response models of the JSON API (they also make the OpenAPI docs at /docs).

A result is ``schema.Result``: the same model that declares the ``classify --json`` output.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, Field, field_validator, model_validator

from ...files.limits import current, hint
from ...modeling.context import CONTEXT_HELP, PRIVATE, ContextError, parse_context
from ...modeling.results import MAX_CHARS
from ...schema import Result

MAX_TEXTS = 1000  # the default of limits.api_texts
_SURROGATE = re.compile("[\ud800-\udfff]")


class ClassifyRequest(BaseModel):
    """One message (``text``) or many (``texts``). A call transcript is one message with line breaks."""

    text: str | None = Field(None, max_length=MAX_CHARS, description="One message or call transcript.")
    texts: list[str] | None = Field(None, description=f"Up to {MAX_TEXTS} messages (limit api_texts), "
                                                      "200,000 characters in all (limit api_chars).")
    date: dt.date | None = Field(None, description="Date received (picks the law in force then); default: today.")
    evidence: bool = Field(True, description="Include evidence phrases (spans of the original text).")
    context: str = Field(PRIVATE, max_length=40, description="Where the message was posted: " + CONTEXT_HELP + ". "
                         "A group message or public post about a debt gets third_party_contact.")

    @field_validator("context")
    @classmethod
    def known_context(cls, value: str) -> str:
        try:
            return parse_context(value)
        except ContextError as e:
            raise ValueError(str(e)) from None

    @model_validator(mode="after")
    def one_of(self) -> ClassifyRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' or 'texts'")
        lim = current()
        texts = [self.text] if self.text is not None else self.texts or []
        if len(texts) > lim.api_texts:
            raise ValueError(f"at most {lim.api_texts} texts per request {hint('api_texts')}")
        for t in texts:
            if len(t) > MAX_CHARS:
                raise ValueError(f"each text must be at most {MAX_CHARS} characters")
            if _SURROGATE.search(t):
                raise ValueError("a text contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode")
        if sum(map(len, texts)) > lim.api_chars:
            raise ValueError(f"at most {lim.api_chars:,} characters in all texts of one request {hint('api_chars')}")
        return self


class ClassifyResponse(BaseModel):
    results: list[Result]


class ErrorResponse(BaseModel):
    detail: str
