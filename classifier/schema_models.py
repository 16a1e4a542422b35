"""The output schema of ``schema.py`` as pydantic models: the web API's response model and its OpenAPI docs.

Kept apart from ``schema.py`` so that scoring (``classify``, ``batch``) never imports pydantic; the fields
follow ``schema.prediction_json`` plus the legal part (a test compares them).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


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


class Turn(BaseModel):
    index: int
    speaker: str
    role: str
    start: int
    end: int
    scored: bool
    tags: list[str]
    scores: dict[str, float]


class Result(BaseModel):
    """Same fields as ``cuishou classify --json`` (schema_version 1.0).

    The legal part (``reasons``, ``provisions``, ``advice``, ``disclaimer`` and any key legal/ adds)
    is whatever the legal package returns for the message, so extra keys pass through.
    """

    model_config = ConfigDict(extra="allow")

    schema_version: str
    primary_label: str | None
    primary_label_zh: str | None
    tags: list[str]
    scores: dict[str, float]
    evidence: list[Evidence]
    turns: list[Turn]
    reasons: list[dict[str, Any]]
    provisions: list[dict[str, Any]]
    provision_groups: list[dict[str, Any]] = []
    legal_basis: list[dict[str, Any]] = []
    advice: dict[str, Any]
    disclaimer: str
    truncated: bool
    date: str | None
    context: str = "private"
    decided_by: str | None = "model"
    unsure: bool = False
    error: str | None
    model: dict[str, Any]
