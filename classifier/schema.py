"""The one output schema shared by ``classify --json``, batch columns, the web API and the report.

JSON (one object per message), ``schema_version`` "1.0":

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
- ``model``: model id and sha256; ``error``: null, or why the message could not be scored

Batch output adds exactly these columns (same names and meanings):
``primary_label``, ``tags`` (``;``-separated), ``score_<tag>`` for each tag, ``statutes`` (short
citations of the top three provisions, with condition markers such as ``（限非法债务）``), ``evidence`` (``tag: phrase, phrase | tag: …``, with the turn for transcripts),
``error`` (empty unless the row could not be scored).
"""

from __future__ import annotations

from .labels import TAG_NAMES

SCHEMA_VERSION = "1.0"

SCORE_COLUMNS: tuple[str, ...] = tuple(f"score_{t}" for t in TAG_NAMES)
BATCH_COLUMNS: tuple[str, ...] = ("primary_label", "tags", *SCORE_COLUMNS, "statutes", "evidence", "error")
