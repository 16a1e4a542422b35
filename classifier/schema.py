"""The one output schema shared by ``classify --json``, batch columns, the web API and the report.

JSON (one object per message), ``schema_version`` "1.0":

- ``primary_label``: most serious tag (labels.PRECEDENCE); ``primary_label_zh``: its Chinese name
- ``tags``: every tag the message carries, most serious first
- ``scores``: calibrated probability per tag (all five; they need not sum to 1)
- ``evidence``: per positive tag, the phrases that pushed it (``text``, ``start``, ``end`` in the
  original message, ``weight``) and, for transcripts, the ``turn`` (index, speaker) it came from
- ``turns``: for call transcripts and chat logs, each turn with its speaker, role and tags
- ``reasons``: finer reason codes found in the text (see statutes.REASONS), each with its span
- ``provisions``: the statutes the message may violate, with exact text and conditions
- ``advice``: what to do; ``disclaimer``: the not-legal-advice line
- ``unsure``: true when no tag is clearly decided (a score within the model's margin of its
  threshold; see ``modeling.pipeline.unsure``): the labels are still given, but a person should look
- ``context``: where the message was seen, as given: "private" (default), "group" or "post"
- ``model``: model id and sha256; ``error``: null, or why the message could not be scored

Batch output adds exactly these columns (same names and meanings):
``primary_label``, ``tags`` (``;``-separated), ``score_<tag>`` for each tag, ``statutes`` (short
citations), ``evidence`` (``tag: phrase, phrase | tag: …``, with the turn for transcripts),
``unsure`` ("true"/"false", see above), ``error`` (empty unless the row could not be scored).
An input column named ``context`` or ``场景`` gives each row's context (private / group / post).
"""

from __future__ import annotations

from .labels import TAG_NAMES

SCHEMA_VERSION = "1.0"

SCORE_COLUMNS: tuple[str, ...] = tuple(f"score_{t}" for t in TAG_NAMES)
BATCH_COLUMNS: tuple[str, ...] = ("primary_label", "tags", *SCORE_COLUMNS, "statutes", "evidence", "unsure", "error")
