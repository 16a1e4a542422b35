"""The one output schema shared by ``classify --json``, batch columns, the web API and the report.

JSON (one object per message), ``schema_version`` "1.0", declared by :class:`Result` (which is
also the web API's response model) and built by :func:`prediction_json` plus the legal part
(``scoring.core.message_json`` merges the two, in one place):

- ``primary_label``: most serious tag (labels.PRECEDENCE); ``primary_label_zh``: its Chinese name
- ``tags``: every tag the message carries, most serious first
- ``scores``: calibrated probability per tag (all five; they need not sum to 1)
- ``evidence``: per positive tag, the phrases that pushed it (``text``, ``start``, ``end`` in the
  original message, ``weight``) and, for transcripts, the ``turn`` (index, speaker) it came from
- ``turns``: for call transcripts and chat logs, each turn with its speaker, role and tags
- ``reasons``: reason codes found in the text (what the message does; legal.reasons), each with its span
- ``provisions``: what the message may violate, strongest first: ``rank``, ``group`` (刑事 /
  治安管理处罚（行政）/ 个人信息保护（行政）/ 民事 / 行业规范), ``citation``, ``short_citation`` (with
  its condition marker), ``why`` (one line), ``condition``, exact ``text``, version, dates, source;
  empty for lawful reminders (unless their loan terms show illegal-debt markers) and non-collection
- ``provision_groups``: the same provisions by group; ``legal_basis``: a lawful reminder's basis
- ``advice``: what to do; ``disclaimer``: the not-legal-advice line
- ``context``: where the message was posted, as given (``private`` by default, ``group``, ``post``)
- ``decided_by``: what set the tags: ``model``, ``context`` (a group chat or public post about the
  debt: ``third_party_contact`` added) or ``conversation`` (a short or unsure message in a
  conversation that never mentions a debt: ``not_collection``); see ``modeling.context``
- ``unsure``: true when no tag is clearly above its threshold (read the message yourself)
- ``model``: model id and sha256; ``error``: null, or why the message could not be scored

Batch output adds exactly these columns (same names and meanings):
``primary_label``, ``tags`` (``;``-separated), ``score_<tag>`` for each tag, ``statutes`` (short
citations of the top three provisions, with condition markers such as ``（限非法债务）``), ``evidence`` (``tag: phrase, phrase | tag: …``, with the turn for transcripts),
``unsure`` (``yes`` / ``no``), ``decided_by`` (``model`` / ``context`` / ``conversation``),
``error`` (empty unless the row could not be scored; also notes such as a bad ``context`` cell).
"""

from __future__ import annotations

from .labels import TAG_NAMES

SCHEMA_VERSION = "1.0"

SCORE_COLUMNS: tuple[str, ...] = tuple(f"score_{t}" for t in TAG_NAMES)
#: ``error`` stays last (scoring.core appends notes to it).
BATCH_COLUMNS: tuple[str, ...] = ("primary_label", "tags", *SCORE_COLUMNS, "statutes", "evidence", "unsure", "decided_by",
                                  "error")
#: Suffix of a result column whose name the input already uses (an input ``tags`` column stays).
CLASH_SUFFIX = "_cuishou"


def result_columns(input_columns: list[str]) -> list[str]:
    """Names of the batch columns added to an input with these columns: clashing names get ``_cuishou``."""
    taken = set(input_columns)
    out = []
    for c in BATCH_COLUMNS:
        name, k = c, 1
        while name in taken:  # "error" and "error_cuishou" both in the input: error_cuishou_2
            name = f"{c}{CLASH_SUFFIX}" if k == 1 else f"{c}{CLASH_SUFFIX}_{k}"
            k += 1
        taken.add(name)
        out.append(name)
    return out


def prediction_json(pred) -> dict:
    """The model's part of the JSON result of one message (a ``modeling.results.Prediction``)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "primary_label": pred.primary_label or None,
        "primary_label_zh": pred.primary_label_zh or None,
        "tags": list(pred.tags),
        "scores": {k: round(v, 4) for k, v in pred.scores.items()},
        "evidence": [{"tag": e.tag, "phrases": [p.to_dict() for p in e.phrases], "turn": e.turn,
                      "speaker": e.speaker} for e in pred.evidence],
        "turns": [{"index": t.index, "speaker": t.speaker, "role": t.role, "start": t.start, "end": t.end,
                   "scored": t.scored, "tags": list(t.tags), "scores": {k: round(v, 4) for k, v in t.scores.items()}}
                  for t in pred.turns],
        "truncated": pred.truncated,
        "date": pred.date.isoformat() if pred.date else None,
        "context": pred.context,
        "decided_by": pred.decided_by if not pred.error else None,
        "unsure": pred.unsure,
        "error": pred.error,
    }


# --- the same schema as pydantic models (the web API's response model) live in ``schema_models``, so that
# scoring never imports pydantic (~0.08 s of every cold start); ``schema.Result`` etc. still work.

_MODELS = ("Phrase", "Evidence", "Turn", "Result")


def __getattr__(name: str):
    if name in _MODELS:
        from . import schema_models

        return getattr(schema_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
