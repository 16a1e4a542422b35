"""What scoring returns: ``Prediction`` for one message, with its ``Evidence`` and ``TurnResult``s.

Plain data, no model: importing this module loads neither scikit-learn nor OpenCC. The JSON form
of a result is built by ``schema.prediction_json`` (the one place that spells the schema out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..labels import TAG_BY_NAME
from ..schema import prediction_json
from ..text.masking import mask_pii

#: Longest text scored, in characters. Longer input is cut here (and the result says so): scoring
#: time and memory are linear in length, and no real SMS, chat or call transcript comes close.
MAX_CHARS = 20_000


@dataclass(frozen=True)
class Phrase:
    text: str
    start: int  # span in the original message (batch: in the normalized text)
    end: int
    weight: float  # summed contribution to the tag's logit

    def to_dict(self) -> dict:
        """The phrase for output; phone, ID and card numbers masked (same length, so spans stay right)."""
        return {"text": mask_pii(self.text), "start": self.start, "end": self.end, "weight": round(self.weight, 4)}


@dataclass
class Evidence:
    tag: str
    phrases: list[Phrase]
    turn: int | None = None
    speaker: str | None = None

    def summary(self) -> str:
        return evidence_text(self)


def evidence_text(ev: Evidence, *, quoted: bool = False, label: str | None = None, mask: bool = False) -> str:
    """One line of evidence: the tag, the turn it came from, its phrases.

    Plain (``tag (turn 2 催收员): a, b``) for batch cells; ``quoted`` (``tag（第2轮 催收员）: 「a」、「b」``)
    for people reading the terminal or the report. ``mask`` masks phone, ID and card numbers.
    """
    name = label or ev.tag
    texts = [mask_pii(p.text) if mask else p.text for p in ev.phrases]
    speaker = f" {ev.speaker}" if ev.speaker else ""
    if not quoted:
        where = f" (turn {ev.turn + 1}{speaker})" if ev.turn is not None else ""
        return f"{name}{where}: " + ", ".join(texts)
    where = f"（第{ev.turn + 1}轮{speaker}）" if ev.turn is not None else ""
    return f"{name}{where}: " + ("、".join(f"「{t}」" for t in texts) or "—")


@dataclass
class TurnResult:
    index: int
    speaker: str
    role: str
    start: int
    end: int
    scored: bool
    tags: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)


@dataclass
class Prediction:
    """The result for one message. ``to_dict`` gives the documented JSON schema (see ``schema``)."""

    primary_label: str
    tags: tuple[str, ...]
    scores: dict[str, float]
    evidence: list[Evidence] = field(default_factory=list)
    turns: list[TurnResult] = field(default_factory=list)
    truncated: bool = False
    date: dt.date | None = None
    error: str | None = None
    text: str = field(default="", repr=False)  # kept for evidence and reasons; never serialized
    norm: str = field(default="", repr=False)  # normalized text of the scored part (collector turns)
    context: str = "private"  # where it was posted: private / group / post (modeling.context)
    decided_by: str = "model"  # what set the tags: the model, or the context / conversation rule
    unsure: bool = False  # no tag clearly above its threshold (modeling.context.is_unsure)

    @property
    def primary_label_zh(self) -> str:
        return TAG_BY_NAME[self.primary_label].zh if self.primary_label else ""

    def to_dict(self) -> dict:
        """The model's part of the JSON result (without the legal part): see ``schema.prediction_json``."""
        return prediction_json(self)


def failed(reason: str) -> Prediction:
    return Prediction(primary_label="", tags=(), scores={}, error=reason)
