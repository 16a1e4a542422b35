"""The one scoring core: messages in (an opened export, or plain texts), typed scored rows out.

batch, report, review, the web API and the Spark engine all score through here:

- :func:`open_input` opens an export and finds its text, date, id and sender columns;
- :func:`score_rows` streams an opened export through the model chunk by chunk (in this process,
  or in worker processes from :func:`scorer`) and yields one :class:`ScoredRow` per input row, in
  order, never dropping one: a row that cannot be scored carries its ``error``;
- :func:`score_texts` scores a list of texts (the web API, ``classify``, one Spark partition);
- :func:`message_json` builds the JSON result of one message (the model part from
  ``schema.prediction_json`` and the legal part from one call into legal/ (``legal_result``), merged here only).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import multiprocessing
import os
import sys
import weakref
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from ..files.messages import DIRECTION_COLUMN_NAMES, SENT_NOTE, is_sent
from ..files.tabular import (
    DATE_COLUMN_NAMES,
    ID_COLUMN_NAMES,
    SENDER_COLUMN_NAMES,
    TEXT_COLUMN_NAMES,
    InputError,
    Row,
    Source,
    find_column,
    fix_width,
    open_source,
    parse_date,
    parse_datetime,
)
from ..labels import TAG_NAMES, TAG_SEPARATOR, UNLAWFUL_TAGS
from ..modeling.context import (
    CONTEXT_COLUMN_NAMES,
    CONTEXT_HELP,
    CONVERSATION_COLUMN_NAMES,
    PRIVATE,
    ContextError,
    DebtConversations,
    debt_mentions,
    decide,
    parse_context,
)
from ..modeling.results import MAX_CHARS, Prediction, evidence_text, failed
from ..schema import BATCH_COLUMNS, SCORE_COLUMNS, prediction_json
from .unique import CellCache, ResultCache, predict_unique, unique_bases

CHUNK_ROWS = 300  # rows per task: bounds the workers' transient memory (peak < 400 MB in all on 1M rows)
#: Which tags get evidence phrases: the unlawful ones (the rows someone must act on), all, or none.
EVIDENCE_SCOPES: dict[str, tuple[str, ...]] = {"unlawful": UNLAWFUL_TAGS, "all": TAG_NAMES, "none": ()}
#: Per loaded model, the results of recently seen normalized texts (so a file's repeated templates are scored once).
_RESULT_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Per loaded model and evidence scope, batch's output cells of recently seen normalized texts.
_CELL_CACHES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass
class ScoredRow:
    """One input row and its result. ``cells`` are the batch columns (``schema.BATCH_COLUMNS``)."""

    row_number: int  # 1-based data row (the header is not counted)
    values: list  # the row's original values, as read
    text: object  # the message cell
    cells: dict[str, object]
    prediction: Prediction | None = None  # None when scored in worker processes (batch keeps only cells)
    date: dt.date | None = None
    when: dt.datetime | None = None
    sender: str = ""
    id: str = ""
    warning: str = ""
    raw: object = None  # JSON Lines: the original object, written back as is

    @property
    def error(self) -> str:
        """Why the row could not be scored; empty when it was."""
        return "" if self.cells["primary_label"] else str(self.cells["error"])

    @property
    def primary_label(self) -> str:
        return str(self.cells["primary_label"])

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(t for t in str(self.cells["tags"]).split(TAG_SEPARATOR) if t)

    @property
    def unlawful(self) -> bool:
        return any(t in UNLAWFUL_TAGS for t in self.tags)


# --- opening an input ------------------------------------------------------------------------------

def open_input(path: str, *, text_column: str | None = None, date_column: str | None = None,
               id_column: str | None = None, sender_column: str | None = None, me: str | None = None,
               **read_options) -> Source:
    """Open an export and find its columns (``Source.roles``: text, date, id, sender, direction, context,
    conversation). Raises InputError.

    A named column must exist; unnamed ones are found by their usual names (see files.tabular).
    Rows the user sent (a direction column says so, or the sender equals ``me``) are kept but never
    scored: :func:`score_rows` gives them ``files.messages.SENT_NOTE`` in ``error``.
    """
    src = open_source(path, **read_options)
    try:
        text_idx = find_column(src.columns, text_column, TEXT_COLUMN_NAMES, "text", path)
    except InputError:
        if src.text_guess is None or text_column is not None:
            raise
        text_idx = src.text_guess
        src.notes.append(f"no header: taking {src.columns[text_idx]!r} as the text column (it has the most Chinese text)")
    src.roles = {
        "text": text_idx,
        "date": find_column(src.columns, date_column, DATE_COLUMN_NAMES, "date", path, required=date_column is not None),
        "id": find_column(src.columns, id_column, ID_COLUMN_NAMES, "id", path, required=id_column is not None),
        "sender": find_column(src.columns, sender_column, SENDER_COLUMN_NAMES, "sender", path,
                              required=sender_column is not None),
        "direction": find_column(src.columns, None, DIRECTION_COLUMN_NAMES, "direction", path, required=False),
    }
    # where each message was posted, and its conversation (a thread column, else the sender): exact names only
    src.roles["context"] = _exact_column(src.columns, CONTEXT_COLUMN_NAMES, text_idx)
    conversation = _exact_column(src.columns, CONVERSATION_COLUMN_NAMES, text_idx)
    src.roles["conversation"] = conversation if conversation is not None else src.roles["sender"]
    if src.format != "image" and path != "-" and isinstance(path, str | os.PathLike):
        # the conversation rule reads the file twice (modeling.context.DebtConversations)
        src.reopen = functools.partial(open_input, path, text_column=text_column, date_column=date_column,
                                       id_column=id_column, sender_column=sender_column, me=me, **read_options)
    if me and src.roles["sender"] is None:
        raise InputError(f"{path}: --me needs a sender column (name it with --sender-column)")
    src.me = me
    return src


def _exact_column(columns: list, names: tuple[str, ...], text_idx: int) -> int | None:
    low = [str(c).strip().lower() for c in columns]
    return next((low.index(n) for n in names if n in low and low.index(n) != text_idx), None)


def describe_input(src: Source) -> str:
    """One line: what was read and which columns were taken (for the batch summary)."""
    named = "; ".join(f"{role} column {src.columns[i]!r}" for role, i in src.roles.items()
                      if i is not None and role not in ("sender", "conversation"))
    if src.roles.get("conversation") is not None:
        named += f"; conversations by column {src.columns[src.roles['conversation']]!r}"
    if src.roles.get("direction") is not None:
        named += " (rows you sent are not scored)"
    return (f"read {src.format}" + (f", encoding {src.encoding}" if src.encoding else "") +
            (f", delimiter {src.delimiter!r}" if src.delimiter else "") + f"; {named}")


# --- scoring texts -----------------------------------------------------------------------------------

def _unscorable(t: object) -> str:
    if not isinstance(t, str):
        if t is None or t == "":
            return "empty text"
        return ""  # numbers etc. from spreadsheets are scored as text
    if not t.strip():
        return "empty text"
    if "\ufffd" in t:
        return "undecodable bytes in the text (wrong encoding? try --encoding gb18030)"
    return ""


def _error_cells(reason: str) -> list[object]:
    return [""] * (len(BATCH_COLUMNS) - 1) + [reason]


#: The batch columns that depend on the row itself (its date, the numbers in its text, its length); every
#: other column depends only on the prediction of its normalized text and the row's context and
#: conversation (see :func:`_model_cells`).
ROW_COLUMNS = ("statutes", "error")
_STATUTES, _ERROR = (BATCH_COLUMNS.index(c) for c in ROW_COLUMNS)
_ROW_BLANK = dict.fromkeys(ROW_COLUMNS, "")
_SCORE_TAGS = tuple(zip(SCORE_COLUMNS, TAG_NAMES, strict=True))


def _model_cells(pred: Prediction) -> list[object]:
    """The cells of a scored (and decided) prediction in ``BATCH_COLUMNS`` order, ``ROW_COLUMNS`` left empty.

    The one place that fills the model's batch columns: a column added to ``schema.BATCH_COLUMNS`` goes
    here (or in ``ROW_COLUMNS``), else every batch fails on the KeyError at once."""
    cells = {"primary_label": pred.primary_label, "tags": TAG_SEPARATOR.join(pred.tags),
             "evidence": " | ".join([evidence_text(ev) for ev in pred.evidence]),
             "unsure": "yes" if pred.unsure else "no", "decided_by": pred.decided_by, **_ROW_BLANK}
    scores = pred.scores
    for c, t in _SCORE_TAGS:
        cells[c] = round(scores[t], 4)
    return [cells[c] for c in BATCH_COLUMNS]


def _note(truncated: bool) -> str:
    return f"text longer than {MAX_CHARS} characters: scored on the first {MAX_CHARS}" if truncated else ""


def _cells(pred: Prediction) -> list[object]:  # in BATCH_COLUMNS order
    from ..legal import batch_citations

    if pred.error:
        return _error_cells(pred.error)
    cells = _model_cells(pred)
    cells[_STATUTES] = batch_citations(pred)
    cells[_ERROR] = _note(pred.truncated)
    return cells


def _predict_cells(classifier, texts: Sequence[object], dates: Sequence[dt.date | None], evidence: str,
                   contexts: Sequence[str] | None = None,
                   conversation_debt: Sequence[bool | None] | None = None) -> list[list]:
    """Batch cells of each text, in order: what ``_predict(..., explain="fast")`` gives, built faster.

    A one-line message's cells are those of its normalized text in its context and conversation (built
    once, remembered across chunks) with only ``ROW_COLUMNS`` filled per row: the statutes from the
    normalized text's reason codes (found once), the numeric ones in the row's own text, and its date.
    """
    from ..legal.reasons import in_order, norm_codes, raw_codes, shared_context_hit
    from ..legal.result import batch_statutes  # not the package's lazy wrapper: this runs per row

    texts = [str(t) if not isinstance(t, str) and t not in (None, "") else t for t in texts]
    out: list[list | None] = [None] * len(texts)
    todo: list[int] = []
    for i, t in enumerate(texts):
        reason = _unscorable(t)
        if reason:
            out[i] = _error_cells(reason)
        else:
            todo.append(i)
    if not todo:
        return out  # type: ignore[return-value]
    scope = EVIDENCE_SCOPES[evidence]
    thresholds = classifier.thresholds
    cache = _CELL_CACHES.setdefault(classifier, {}).setdefault(evidence, CellCache())
    rows, cut, made_before = unique_bases(classifier, [texts[i] for i in todo], [dates[i] for i in todo],
                                          evidence_tags=scope, explain=bool(scope), known=cache)
    made_now: dict[str, tuple] = {}
    for k, (i, r) in enumerate(zip(todo, rows, strict=True)):
        ctx = contexts[i] if contexts is not None else PRIVATE
        conv = conversation_debt[i] if conversation_debt is not None else None
        if not isinstance(r, tuple) or not r[1]:  # a transcript, or nothing left after normalization: on its own
            if isinstance(r, tuple):
                b = r[0] if r[0] is not None else made_before[r[1]][0]
                r = Prediction(b.primary_label, b.tags, b.scores, b.evidence, date=dates[i],
                               truncated=len(texts[i]) > MAX_CHARS, text=cut[k], norm=r[1])
            out[i] = _cells(decide(r, thresholds, ctx, conv))
            continue
        base, norm = r
        entry = made_before.get(norm) if base is None else made_now.get(norm)
        if entry is None:
            entry = made_now[norm] = (base, {})
            cache.put(norm, entry)
        made = entry[1].get((ctx, conv))
        if made is None:  # this text in this context and conversation: decided, its cells and codes
            pred = decide(entry[0], thresholds, ctx, conv)
            codes = norm_codes(norm, pred.tags)
            shared = shared_context_hit(pred)
            made = entry[1][(ctx, conv)] = (_model_cells(pred), pred.tags, codes, in_order(codes),
                                            (shared.code,) if shared is not None else ())
        template, tags, codes, ordered, shared = made
        extra = raw_codes(cut[k], tags)
        found = in_order(codes | extra) if extra else ordered
        cells = list(template)
        cells[_STATUTES] = batch_statutes(tags, found + shared if shared else found, dates[i])
        if len(texts[i]) > MAX_CHARS:
            cells[_ERROR] = _note(True)
        out[i] = cells
    return out  # type: ignore[return-value]


def _predict(classifier, texts: Sequence[object], dates: Sequence[dt.date | None] | None, evidence: str,
             explain: str | bool, contexts: Sequence[str] | None = None,
             conversation_debt: Sequence[bool | None] | None = None) -> list[tuple[list[object], Prediction]]:
    """Cells and prediction of each text, in order; unscorable cells get an error, not a score.

    The model's answer then goes through ``modeling.context.decide`` (context, conversation, unsure):
    ``contexts`` per text (default private), ``conversation_debt`` per text (default: no conversation).
    """
    dates = list(dates) if dates is not None else [None] * len(texts)
    texts = [str(t) if not isinstance(t, str) and t not in (None, "") else t for t in texts]
    out: list[tuple[list[object], Prediction] | None] = [None] * len(texts)
    todo: list[int] = []
    for i, t in enumerate(texts):
        reason = _unscorable(t)
        if reason:
            out[i] = (_error_cells(reason), failed(reason))
        else:
            todo.append(i)
    scope = EVIDENCE_SCOPES[evidence]
    if explain == "fast":  # batch: each distinct normalized text scored (and explained) once
        preds = predict_unique(classifier, [texts[i] for i in todo], [dates[i] for i in todo], evidence_tags=scope,
                               explain=bool(scope), cache=_RESULT_CACHES.setdefault(classifier, ResultCache()))
    else:
        preds = classifier.predict_many([texts[i] for i in todo], [dates[i] for i in todo],
                                        explain_evidence=explain if scope else False, evidence_tags=scope)
    built: dict[int, list[object]] = {}  # rows with the same text and date share one Prediction: build cells once
    thresholds = classifier.thresholds
    for i, pred in zip(todo, preds, strict=True):
        pred = decide(pred, thresholds, contexts[i] if contexts is not None else PRIVATE,
                      conversation_debt[i] if conversation_debt is not None else None)
        cells = built.get(id(pred))
        if cells is None:
            cells = built[id(pred)] = _cells(pred)
        out[i] = (list(cells), pred)
    return out  # type: ignore[return-value]


def score_texts(classifier, texts: Sequence[object], dates: Sequence[dt.date | None] | None = None, *,
                evidence: str = "unlawful", explain: str | bool = "fast",
                context: str | Sequence[str] = PRIVATE) -> list[ScoredRow]:
    """Score plain texts; one :class:`ScoredRow` per text, in order (``row_number`` from 1).

    ``evidence``: which tags get evidence phrases ("unlawful", "all" or "none"). ``explain``: "fast"
    gives them in normalized form for a whole chunk at once (batch), True/"full" as spans of the
    original text (classify, web, report). Non-text, empty and undecodable cells get an ``error``.
    ``context``: where the messages were posted (``modeling.context``; any accepted spelling), one for
    all texts or one per text. An unknown value raises ``ContextError``.
    """
    dates = list(dates) if dates is not None else [None] * len(texts)
    ctx = [parse_context(context)] * len(texts) if isinstance(context, str) else [parse_context(c) for c in context]
    return [ScoredRow(i + 1, [t], t, dict(zip(BATCH_COLUMNS, cells, strict=True)), pred, date=d)
            for i, (t, d, (cells, pred)) in enumerate(zip(texts, dates, _predict(classifier, texts, dates, evidence,
                                                                                    explain, ctx), strict=True))]


def message_json(pred: Prediction, model_info: dict) -> dict:
    """The JSON result of one message (schema.Result): the model's part, the legal part, the model."""
    from ..legal import legal_result

    return {**prediction_json(pred), **legal_result(pred), "model": model_info}


# --- worker processes ------------------------------------------------------------------------------

_WORKER_CLF = None


def _worker_init(model_dir: str | None, trust: bool) -> None:
    global _WORKER_CLF
    if _WORKER_CLF is None:  # not inherited through fork: load it
        from ..modeling.predict import Classifier

        _WORKER_CLF = Classifier.load(model_dir, trust=trust)


def _worker_score(texts: list, dates: list, evidence: str, contexts: list | None = None,
                  conversation_debt: list | None = None) -> list[list[object]]:
    # only the cells travel back: a Prediction is much larger to pickle, and batch needs only cells
    return [cells for cells, _ in _predict(_WORKER_CLF, texts, dates, evidence, "fast", contexts, conversation_debt)]


def _worker_cells(texts: list, date_values: list, evidence: str, contexts: list | None = None,
                  conversation_debt: list | None = None) -> list[list[object]]:
    # batch: the dates are parsed here too, in parallel, rather than in the process that reads and writes
    return _predict_cells(_WORKER_CLF, texts, [parse_date(v) for v in date_values], evidence, contexts,
                          conversation_debt)


@dataclass
class Scorer:
    """Where scoring runs: ``classifier`` in this process, or ``pool`` worker processes."""

    classifier: object = None
    pool: ProcessPoolExecutor | None = None
    workers: int = 0


@contextlib.contextmanager
def scorer(classifier=None, *, model_dir=None, trust_model: bool = False, workers: int | None = None
           ) -> Iterator[Scorer]:
    """A scorer for :func:`score_rows`. Given a ``classifier``, score in this process; otherwise load
    the model here (so a bad model fails before any work) and start ``workers`` processes (default:
    one per core; 0 = this process). On Linux they are forked and share the loaded model's memory."""
    if classifier is not None:
        yield Scorer(classifier)
        return
    from ..modeling.predict import Classifier

    clf = Classifier.load(model_dir, trust=trust_model)
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n <= 0:
        # what is loaded by now (the model, its tables, the modules) lives as long as the run: frozen, the
        # collector stops scanning it again and again as each chunk allocates (~7% of a distinct-text batch)
        gc.freeze()
        try:
            yield Scorer(clf)
        finally:
            gc.unfreeze()
        return
    global _WORKER_CLF
    clf.predict("预热 warm-up 还钱", explain_evidence=False)  # warm caches before forking, so workers share them
    if clf.runtime is not None:
        clf.runtime.warm_up(compile_apart=True)  # compiled kernels loaded once here, shared by the forked workers
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux"):
        _WORKER_CLF = clf
        ctx = multiprocessing.get_context("fork")
        gc.freeze()  # keep the collector from touching (and so copying) the shared objects in each worker
    else:
        ctx = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init,
                               initargs=(str(model_dir) if model_dir else None, trust_model))
    try:
        yield Scorer(None, pool, n)
    finally:
        pool.shutdown(cancel_futures=True)
        _WORKER_CLF = None
        gc.unfreeze()


# --- streaming an export ----------------------------------------------------------------------------

@dataclass
class _Chunk:
    rows: list[Row]
    texts: list[object]
    dates: list[dt.date | None]
    whens: list[dt.datetime | None]
    result: Future | list = field(default_factory=list)
    bad_context: dict[int, str] = field(default_factory=dict)  # row in chunk -> the unusable context cell


def _row_chunks(src: Source, chunk_rows: int) -> Iterator[list[Row]]:
    """The export's rows in chunks: width repaired, rows the user sent marked ``skip``."""
    roles = src.roles
    text_idx = roles["text"]
    width = len(src.columns)
    delimiter = src.delimiter or ","
    check_sent = roles.get("direction") is not None or (bool(src.me) and roles.get("sender") is not None)
    chunk: list[Row] = []
    for row in src.rows:
        if row.ragged:
            row = fix_width(row, width, text_idx, delimiter, src.stats)
        if check_sent and not row.error and not row.skip and _sent_by_user(src, row):
            row.skip = SENT_NOTE
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _in_order(chunks: Iterator[list[Row]], submit, run: Scorer) -> Iterator[tuple[list[Row], object]]:
    """Each chunk with its submitted result, in input order; with worker processes, at most two chunks
    per worker in flight (so memory is bounded by the chunk size, not the file)."""
    limit = 2 * max(run.workers, 1) if run.pool is not None else 0
    pending: deque[tuple[list[Row], object]] = deque()
    for rows in chunks:
        pending.append((rows, submit(rows)))
        while len(pending) > limit:
            yield pending.popleft()
    while pending:
        yield pending.popleft()


def _row_cells(row: Row, cells: list, note: str = "") -> list:
    """A row's cells, or why it was not scored (a row the reader could not use; a message the user sent);
    the reader's warning and ``note`` (a bad context cell) are added to the error cell."""
    if row.error:  # a row the reader could not use: keep it, say why
        return _error_cells(row.error)
    if row.skip:  # kept, never scored (a message the user sent)
        return _error_cells(row.skip)
    notes = [cells[-1], row.warning, note]
    if any(notes[1:]):
        return [*cells[:-1], "; ".join(str(x) for x in notes if x)]
    return cells


def score_cells(src: Source, scoring: Scorer | object, *, evidence: str = "unlawful",
                chunk_rows: int = CHUNK_ROWS) -> Iterator[tuple[Row, list]]:
    """Batch's path through an export: each input row, in order, with its cells (``BATCH_COLUMNS`` order).

    The same cells as :func:`score_rows` (``explain="fast"``; contexts and conversations alike), with
    less work per row: no Prediction or :class:`ScoredRow` is built, dates are parsed where the text
    is scored, and a repeated normalized text's cells are built once (``_predict_cells``).
    """
    run = scoring if isinstance(scoring, Scorer) else Scorer(scoring)
    roles = src.roles
    text_idx, date_idx = roles["text"], roles.get("date")
    ctx_idx, conv_idx = roles.get("context"), roles.get("conversation")
    conversations = debt_conversations(src, run) if conv_idx is not None else None

    def submit(rows: list[Row]):
        texts = [r.values[text_idx] if not r.error and not r.skip else "" for r in rows]
        values = [r.values[date_idx] if not r.error else None for r in rows] if date_idx is not None else [None] * len(rows)
        contexts, conv, bad = _chunk_context(rows, ctx_idx, conv_idx, conversations)
        if run.pool is not None:
            return run.pool.submit(_worker_cells, texts, values, evidence, contexts, conv), bad
        return _predict_cells(run.classifier, texts, [parse_date(v) for v in values], evidence, contexts, conv), bad

    row_number = 0
    for rows, (result, bad) in _in_order(_row_chunks(src, chunk_rows), submit, run):
        results = result.result() if isinstance(result, Future) else result
        for k, (row, cells) in enumerate(zip(rows, results, strict=True)):
            row_number += 1
            if row.error or row.skip or row.warning or bad:
                cells = _row_cells(row, cells, bad_context_note(src, row_number, bad[k])
                                   if k in bad and not (row.error or row.skip) else "")
            yield row, cells


def score_rows(src: Source, scoring: Scorer | object, *, evidence: str = "unlawful", explain: str | bool = "fast",
               chunk_rows: int = CHUNK_ROWS) -> Iterator[ScoredRow]:
    """Score an export opened with :func:`open_input`: one ScoredRow per input row, in input order.

    ``scoring`` is a :class:`Scorer` or a Classifier (scored in this process). With worker
    processes, at most two chunks per worker are in flight, so memory is bounded by the chunk size,
    not the file; their rows carry ``cells`` but no ``prediction``.

    A ``context`` column gives each row's context (a bad value: scored as private, said in ``error``).
    With a conversation (or sender) column, the file is read twice: first to learn which
    conversations mention a debt (``modeling.context.DebtConversations``), then to score.
    """
    run = scoring if isinstance(scoring, Scorer) else Scorer(scoring)
    roles = src.roles
    text_idx, date_idx = roles["text"], roles.get("date")
    ctx_idx, conv_idx = roles.get("context"), roles.get("conversation")
    conversations = debt_conversations(src, run) if conv_idx is not None else None
    row_number = 0

    def submit(rows: list[Row]) -> _Chunk:
        texts = [r.values[text_idx] if not r.error and not r.skip else "" for r in rows]
        whens = [parse_datetime(r.values[date_idx]) if date_idx is not None and not r.error else None for r in rows]
        dates = [w.date() if w else None for w in whens]
        chunk = _Chunk(rows, texts, dates, whens)
        contexts, conv, chunk.bad_context = _chunk_context(rows, ctx_idx, conv_idx, conversations)
        if run.pool is not None:
            chunk.result = run.pool.submit(_worker_score, texts, dates, evidence, contexts, conv)
        else:
            chunk.result = _predict(run.classifier, texts, dates, evidence, explain, contexts, conv)
        return chunk

    for _, chunk in _in_order(_row_chunks(src, chunk_rows), submit, run):
        results = chunk.result.result() if isinstance(chunk.result, Future) else chunk.result
        for k, (row, res) in enumerate(zip(chunk.rows, results, strict=True)):
            row_number += 1
            cells, pred = res if isinstance(res, tuple) else (res, None)
            if row.error or row.skip:
                pred = None
            cells = _row_cells(row, cells, bad_context_note(src, row_number, chunk.bad_context[k])
                               if k in chunk.bad_context and not (row.error or row.skip) else "")
            yield ScoredRow(row_number, list(row.values), chunk.texts[k], dict(zip(BATCH_COLUMNS, cells, strict=True)),
                            pred, date=chunk.dates[k], when=chunk.whens[k], sender=_cell(row, roles.get("sender")),
                            id=_cell(row, roles.get("id")), warning=row.warning, raw=row.raw)


def _chunk_context(rows: list[Row], ctx_idx: int | None, conv_idx: int | None,
                   conversations: DebtConversations | None) -> tuple[list[str] | None, list | None, dict[int, str]]:
    """Per row of a chunk: its context (None without a context column), whether its conversation mentions a
    debt (None without conversations), and the bad context cells by position (those rows are scored as private)."""
    contexts, bad = None, {}
    if ctx_idx is not None:
        contexts = []
        for k, r in enumerate(rows):
            try:
                contexts.append(parse_context(_cell(r, ctx_idx)))
            except ContextError:
                contexts.append(PRIVATE)
                bad[k] = _cell(r, ctx_idx)
    conv = [conversations.about_debt(_cell(r, conv_idx)) for r in rows] if conversations is not None else None
    return contexts, conv, bad


def bad_context_note(src: Source, row_number: int, value: object) -> str:
    """What the error cell says of a context cell that is none of the contexts (the row is still scored)."""
    src.stats["bad_context_rows"] = src.stats.get("bad_context_rows", 0) + 1
    column = src.columns[src.roles["context"]]
    return (f"data row {row_number}, column {column!r}: unknown context {str(value)[:40]!r} "
            f"(use {CONTEXT_HELP}); scored as private")


def _debt_hashes(hashes: list[int], texts: list) -> list[int]:
    """The conversation key hash of each message that mentions a debt, in order (in a worker, or in this
    process; the process that reads the file notes them in file order, so the result is the same)."""
    return [h for h, hit in zip(hashes, debt_mentions(texts), strict=True) if hit]


def debt_conversations(src: Source, run: Scorer | None = None, chunk_rows: int = 2000) -> DebtConversations | None:
    """First pass over the export (opened again): which conversations mention a debt somewhere.

    Memory is bounded: only 8-byte hashes of the keys of conversations with a debt are kept, and
    a conversation already known is not normalized again. None when the input cannot be read twice
    (standard input, screenshots): then no conversation rule applies, and the batch says so.
    """
    reopen = getattr(src, "reopen", None)
    if reopen is None:
        src.stats["conversation_note"] = ("conversation column found, but this input cannot be read twice "
                                          "(standard input or screenshots): messages judged alone")
        return None
    found = DebtConversations()
    first = reopen()
    text_idx, conv_idx, width = first.roles["text"], first.roles["conversation"], len(first.columns)
    hashes: list[int] = []  # each key is hashed once here: to ask whether it is known, then to note it
    texts: list[object] = []
    known, key_hash = found.keys, found.key_hash

    pool = run.pool if run is not None else None
    pending: deque = deque()  # worker processes: at most two chunks each in flight, noted in file order

    def note(hits: list[int]) -> None:
        for h in hits:
            found.add_hash(h)

    def flush() -> None:
        if pool is None:
            note(_debt_hashes(hashes, texts))
        elif hashes:
            pending.append(pool.submit(_debt_hashes, list(hashes), list(texts)))
            while len(pending) > 2 * run.workers:
                note(pending.popleft().result())
        hashes.clear()
        texts.clear()

    for row in first.rows:
        if row.ragged:
            row = fix_width(row, width, text_idx, first.delimiter or ",", Counter())  # its stats: counted in pass 2
        if row.error:
            continue
        values = row.values  # what _cell reads, inlined (this runs per row)
        h = key_hash(values[conv_idx] if conv_idx is not None and conv_idx < len(values) else None)
        if h is None or h in known:  # no key, or a conversation already known to mention a debt
            continue
        hashes.append(h)
        text = values[text_idx] if text_idx < len(values) else None
        texts.append("" if text is None else str(text))
        if len(hashes) >= chunk_rows:
            flush()
    flush()
    while pending:
        note(pending.popleft().result())
    if found.full:
        src.stats["conversation_note"] = (f"more than {found.max_keys:,} conversations mention a debt: the others "
                                          "were judged alone")
    return found


def _sent_by_user(src: Source, row: Row) -> bool:
    """The direction column says the user sent it, or its sender is the user's own name (``--me``)."""
    d, s = src.roles.get("direction"), src.roles.get("sender")
    if d is not None and d < len(row.values) and is_sent(src.columns[d], row.values[d]):
        return True
    return bool(src.me) and s is not None and _cell(row, s).strip() == src.me


def _cell(row: Row, idx: int | None) -> str:
    if idx is None or idx >= len(row.values):
        return ""
    v = row.values[idx]
    return "" if v is None else str(v)
