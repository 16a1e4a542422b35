"""Batch scoring of exports: every input row, in order, original columns unchanged, plus the schema columns.

Rows stream through in chunks. Scoring runs in worker processes (one per core by default, each
loading the model once); at most two chunks per worker are in flight, so memory is bounded by the
chunk size, not the file. ``score_texts`` is the one scoring function, shared with the Spark engine.
"""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..files.tabular import (
    DATE_COLUMN_NAMES,
    ID_COLUMN_NAMES,
    TEXT_COLUMN_NAMES,
    InputError,
    Source,
    Writer,
    find_column,
    fix_width,
    open_source,
    output_format,
    parse_date,
)
from ..labels import PRECEDENCE, TAG_NAMES, TAG_SEPARATOR, UNLAWFUL_TAGS
from ..modeling.predict import MAX_CHARS  # longer cells: scored on their start, flagged
from ..schema import BATCH_COLUMNS
from ..text.lexicon import PRIVATE, ContextError, parse_context

#: Input columns that give each row's context (private message, group chat, public post).
CONTEXT_COLUMN_NAMES = ("context", "场景")

CHUNK_ROWS = 300  # rows per task: bounds the workers' transient memory (peak < 400 MB in all on 1M rows)


def _evidence_cell(pred) -> str:
    parts = []
    for ev in pred.evidence:
        where = f" (turn {ev.turn + 1}{' ' + ev.speaker if ev.speaker else ''})" if ev.turn is not None else ""
        parts.append(f"{ev.tag}{where}: " + ", ".join(p.text for p in ev.phrases))
    return " | ".join(parts)


EVIDENCE_SCOPES = {"unlawful": UNLAWFUL_TAGS, "all": TAG_NAMES, "none": ()}


def score_texts(classifier, texts: Sequence[object], dates: Sequence[dt.date | None] | None = None,
                evidence: str = "unlawful", contexts: Sequence[str] | None = None) -> list[list[object]]:
    """Score messages; one list of ``schema.BATCH_COLUMNS`` values per input, in order.

    ``evidence``: which tags get evidence phrases: "unlawful" (harassment, threat, third-party
    contact; the default, since those are the rows someone must act on), "all", or "none".
    Non-text, empty and undecodable cells get an ``error`` and empty scores; they are not scored.
    """
    from ..legal.statutes import batch_citations

    dates = list(dates) if dates is not None else [None] * len(texts)
    contexts = list(contexts) if contexts is not None else ["private"] * len(texts)
    out: list[list[object] | None] = [None] * len(texts)
    todo, todo_idx = [], []
    for i, t in enumerate(texts):
        reason = _unscorable(t)
        if reason:
            out[i] = [""] * (len(BATCH_COLUMNS) - 1) + [reason]
        else:
            todo.append(t)
            todo_idx.append(i)
    scope = EVIDENCE_SCOPES[evidence]
    preds = classifier.predict_many(todo, [dates[i] for i in todo_idx], explain_evidence="fast" if scope else False,
                                    evidence_tags=scope, contexts=[contexts[i] for i in todo_idx])
    for i, pred in zip(todo_idx, preds, strict=True):
        if pred.error:
            out[i] = [""] * (len(BATCH_COLUMNS) - 1) + [pred.error]
            continue
        note = f"text longer than {MAX_CHARS} characters: scored on the first {MAX_CHARS}" if pred.truncated else ""
        out[i] = [pred.primary_label, TAG_SEPARATOR.join(pred.tags),
                  *(round(pred.scores[t], 4) for t in TAG_NAMES),
                  batch_citations(pred), _evidence_cell(pred), "true" if pred.unsure else "false", note]
    return out  # type: ignore[return-value]


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


# --- worker processes ----------------------------------------------------------------------------

_WORKER_CLF = None


def _worker_init(model_dir: str | None, trust: bool) -> None:
    global _WORKER_CLF
    if _WORKER_CLF is None:  # not inherited through fork: load it
        from ..modeling.predict import Classifier

        _WORKER_CLF = Classifier.load(model_dir, trust=trust)


def _make_pool(n_workers: int, classifier, model_dir, trust: bool) -> ProcessPoolExecutor:
    """Worker processes; on Linux they are forked and inherit the loaded model (copy-on-write)."""
    global _WORKER_CLF
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform.startswith("linux"):
        _WORKER_CLF = classifier
        ctx = multiprocessing.get_context("fork")
        gc.freeze()  # keep the collector from touching (and so copying) the shared objects in each worker
    else:
        ctx = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(str(model_dir) if model_dir else None, trust))


def _worker_score(texts: list, dates: list, evidence: str, contexts: list | None = None) -> list[list[object]]:
    return score_texts(_WORKER_CLF, [str(t) if not isinstance(t, str) and t != "" else t for t in texts],
                       dates, evidence, contexts)


# --- the run -------------------------------------------------------------------------------------

@dataclass
class Summary:
    rows: int = 0
    scored: int = 0
    errors: int = 0
    primary: Counter = field(default_factory=Counter)
    tags: Counter = field(default_factory=Counter)
    error_reasons: Counter = field(default_factory=Counter)
    error_rows: list[int] = field(default_factory=list)
    repaired_rows: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, row_number: int, cols: list[object]) -> None:
        self.rows += 1
        primary, tags, err = cols[0], cols[1], cols[-1]
        if primary:
            self.scored += 1
            self.primary[primary] += 1
            for t in str(tags).split(TAG_SEPARATOR):
                self.tags[t] += 1
        if err and not primary:
            self.errors += 1
            self.error_reasons[str(err).split(" (")[0]] += 1
            if len(self.error_rows) < 20:
                self.error_rows.append(row_number)

    def table(self) -> str:
        lines = [f"{self.rows} rows, {self.scored} scored, {self.errors} with errors "
                 f"({self.seconds:.1f} s, {self.rows / max(self.seconds, 1e-9):,.0f} rows/s)"]
        lines.append(f"{'primary label':<24}{'rows':>8}     {'tag':<22}{'rows':>8}")
        for t in PRECEDENCE[::-1]:
            lines.append(f"{t:<24}{self.primary.get(t, 0):>8}     {t:<22}{self.tags.get(t, 0):>8}")
        if self.errors:
            lines.append("errors: " + "; ".join(f"{k} ×{v}" for k, v in self.error_reasons.most_common(5)) +
                         f" (data rows {', '.join(map(str, self.error_rows))}{' …' if self.errors > 20 else ''})")
        if self.repaired_rows:
            lines.append(f"{self.repaired_rows} rows had a different number of fields than the header; extra fields "
                         "were read as delimiters inside the message text (check those rows)")
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"rows": self.rows, "scored": self.scored, "errors": self.errors,
                "primary_label": dict(self.primary), "tags": dict(self.tags),
                "error_reasons": dict(self.error_reasons), "repaired_rows": self.repaired_rows}


def _result_columns(columns: list[str]) -> list[str]:
    taken = set(columns)
    return [c if c not in taken else f"{c}_cuishou" for c in BATCH_COLUMNS]


def run_batch(input_path: str, output: str, *, text_column: str | None = None, date_column: str | None = None,
              id_column: str | None = None, encoding: str | None = None, delimiter: str | None = None,
              no_header: bool = False, sheet: str | None = None, out_format: str | None = None,
              model_dir: str | None = None, trust_model: bool = False, workers: int | None = None,
              chunk_rows: int = CHUNK_ROWS, evidence: str = "unlawful", classifier=None,
              progress: Callable[[int, int | None], None] | None = None,
              on_row: Callable[[int, Source, list, list], None] | None = None,
              context_column: str | None = None) -> Summary:
    """Score ``input_path`` into ``output``; return the summary. Raises InputError for unusable input.

    ``classifier``: score in this process with this Classifier (tests, web); otherwise worker processes
    load the model from ``model_dir``. ``on_row(row_number, source, values, result)`` sees every row.
    """
    if output != "-" and input_path != "-" and Path(output).exists() and Path(output).resolve() == Path(input_path).resolve():
        raise InputError(f"{output}: refusing to overwrite the input file; choose another -o")
    fmt = output_format(output, out_format)
    src = open_source(input_path, encoding=encoding, delimiter=delimiter, no_header=no_header, sheet=sheet)
    try:
        text_idx = find_column(src.columns, text_column, TEXT_COLUMN_NAMES, "text", input_path)
    except InputError:
        if src.text_guess is None or text_column is not None:
            raise
        text_idx = src.text_guess
        src.notes.append(f"no header: taking {src.columns[text_idx]!r} as the text column (it has the most Chinese text)")
    date_idx = find_column(src.columns, date_column, DATE_COLUMN_NAMES, "date", input_path, required=date_column is not None)
    id_idx = find_column(src.columns, id_column, ID_COLUMN_NAMES, "id", input_path, required=id_column is not None)
    ctx_idx = find_column(src.columns, context_column, CONTEXT_COLUMN_NAMES, "context", input_path,
                          required=context_column is not None)
    src.roles = {"text": text_idx, "date": date_idx, "id": id_idx, "context": ctx_idx}
    summary = Summary(notes=list(src.notes))
    summary.notes.insert(0, f"read {src.format}" + (f", encoding {src.encoding}" if src.encoding else "") +
                         (f", delimiter {src.delimiter!r}" if src.delimiter else "") +
                         f"; text column {src.columns[text_idx]!r}" +
                         (f"; date column {src.columns[date_idx]!r}" if date_idx is not None else "") +
                         (f"; id column {src.columns[id_idx]!r}" if id_idx is not None else "") +
                         (f"; context column {src.columns[ctx_idx]!r}" if ctx_idx is not None else ""))
    writer = Writer(output, fmt, list(src.columns) + _result_columns(src.columns),
                    delimiter=src.delimiter or ",")
    result_names = _result_columns(src.columns)
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    pool = None
    if classifier is None:
        # Load (and check) the model here, so a bad model fails before any work, and warm it up so
        # forked workers share its memory instead of each loading a copy.
        from ..modeling.predict import Classifier

        classifier = Classifier.load(model_dir, trust=trust_model)
        if n_workers > 0:
            classifier.predict("预热 warm-up 还钱", explain_evidence=False)
            pool = _make_pool(n_workers, classifier, model_dir, trust_model)
            classifier = None
    start = time.perf_counter()
    pending: deque[tuple[list, Future | list]] = deque()
    row_number = 0

    def flush_one() -> None:
        nonlocal row_number
        rows, fut = pending.popleft()
        results = fut.result() if isinstance(fut, Future) else fut
        for row, res in zip(rows, results, strict=True):
            row_number += 1
            if row.error:  # a row the reader could not use: keep it, say why
                res = [""] * (len(BATCH_COLUMNS) - 1) + [row.error]
            elif row.warning:
                res = [*res[:-1], "; ".join(x for x in (res[-1], row.warning) if x)]
            values = list(row.values)
            writer.write(values + res, raw=row.raw, extra=dict(zip(result_names, res, strict=True)))
            summary.add(row_number, res)
            if on_row:
                on_row(row_number, src, values, res)
        if progress:
            progress(summary.rows, src.progress() if src.progress else None)

    try:
        chunk: list = []
        for row in _rows(src, text_idx):
            chunk.append(row)
            if len(chunk) >= chunk_rows:
                pending.append((chunk, _submit(pool, classifier, chunk, text_idx, date_idx, evidence, ctx_idx)))
                chunk = []
                while len(pending) > 2 * max(n_workers, 1) or (pool is None and pending):
                    flush_one()
        if chunk:
            pending.append((chunk, _submit(pool, classifier, chunk, text_idx, date_idx, evidence, ctx_idx)))
        while pending:
            flush_one()
        writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
            global _WORKER_CLF
            _WORKER_CLF = None
            gc.unfreeze()
    summary.seconds = time.perf_counter() - start
    summary.repaired_rows = src.stats.get("repaired_rows", 0)
    mixed = src.stats.get("fallback_lines") or {}
    if mixed.get("utf-8") and mixed.get("gb18030"):
        summary.notes.append(f"the file mixes encodings: {mixed['utf-8']} lines were UTF-8, {mixed['gb18030']} GB18030")
    if src.stats.get("nul_bytes"):
        summary.notes.append(f"{src.stats['nul_bytes']} NUL bytes were removed from the input")
    return summary


def _rows(src: Source, text_idx: int):
    width = len(src.columns)
    for row in src.rows:
        yield fix_width(row, width, text_idx, src.delimiter or ",", src.stats)


def _submit(pool, classifier, chunk: list, text_idx: int, date_idx: int | None, evidence: str,
            ctx_idx: int | None = None):
    contexts = None
    if ctx_idx is not None:
        contexts = []
        for r in chunk:
            try:
                contexts.append(parse_context(r.values[ctx_idx]) if not r.error else PRIVATE)
            except ContextError as e:  # the row is kept, unscored, with the reason
                r.error = f"column {ctx_idx + 1}: {e}"
                contexts.append(PRIVATE)
    texts = [r.values[text_idx] if not r.error else "" for r in chunk]
    dates = [parse_date(r.values[date_idx]) if date_idx is not None and not r.error else None for r in chunk]
    if pool is None:
        return score_texts(classifier, [str(t) if not isinstance(t, str) and t != "" else t for t in texts],
                           dates, evidence, contexts)
    return pool.submit(_worker_score, texts, dates, evidence, contexts)


def stderr_progress(quiet: bool, total_bytes: int | None = None) -> Callable[[int, int | None], None] | None:
    """A tqdm bar on stderr (bytes read with ETA, rows and rows/s), or None when quiet or not a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=total_bytes, unit="B", unit_scale=True, file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
    start = time.perf_counter()

    def update(rows: int, done_bytes: int | None) -> None:
        if done_bytes is not None:
            bar.update(max(0, min(done_bytes, total_bytes or done_bytes) - bar.n))
        rate = rows / max(time.perf_counter() - start, 1e-9)
        bar.set_postfix_str(f"{rows:,} rows, {rate:,.0f} rows/s")

    return update


__all__ = ["InputError", "Summary", "run_batch", "score_texts"]
