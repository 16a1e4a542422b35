"""Request and response models of the JSON API (they also make the OpenAPI docs at /docs)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from ...modeling.predict import MAX_CHARS

MAX_TEXTS = 1000


class ClassifyRequest(BaseModel):
    """One message (``text``) or many (``texts``). A call transcript is one message with line breaks."""

    text: str | None = Field(None, max_length=MAX_CHARS, description="One message or call transcript.")
    texts: list[str] | None = Field(None, max_length=MAX_TEXTS, description=f"Up to {MAX_TEXTS} messages.")
    date: dt.date | None = Field(None, description="Date received (picks the law in force then); default: today.")
    evidence: bool = Field(True, description="Include evidence phrases (spans of the original text).")
    context: Literal["private", "group", "post"] = Field(
        "private", description="Where the message(s) were seen: a private message (default), a group chat, or a "
                               "public post / comment / notice (a post about someone's debt tells others of it).")

    @model_validator(mode="after")
    def one_of(self) -> ClassifyRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("give exactly one of 'text' or 'texts'")
        for t in self.texts or []:
            if len(t) > MAX_CHARS:
                raise ValueError(f"each text must be at most {MAX_CHARS} characters")
        return self


class Phrase(BaseModel):
    text: str
    start: int
    end: int
    weight: float


class Evidence(BaseModel):
    tag: str
    phrases: list[Phrase]
    turn: int | None
    speaker: str | None


class Result(BaseModel):
    """Same fields as ``cuishou classify --json`` (schema_version 1.0)."""

    schema_version: str
    primary_label: str | None
    primary_label_zh: str | None
    tags: list[str]
    scores: dict[str, float]
    evidence: list[Evidence]
    turns: list[dict]
    reasons: list[dict]
    provisions: list[dict]
    advice: dict
    disclaimer: str
    truncated: bool
    unsure: bool
    context: str
    date: str | None
    error: str | None
    model: dict


class ClassifyResponse(BaseModel):
    results: list[Result]


class ErrorResponse(BaseModel):
    detail: str
