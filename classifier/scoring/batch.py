"""Batch scoring of exports: every input row, in order, original columns unchanged, plus the schema columns.

Rows stream through ``scoring.core`` in chunks. Scoring runs in worker processes (one per core by
default, each sharing the model loaded once); at most two chunks per worker are in flight, so memory
is bounded by the chunk size, not the file.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..files.messages import NOT_SCORED, SENT_NOTE
from ..files.tabular import InputError, Source, Writer, arrow_schema, output_format
from ..labels import PRECEDENCE, TAG_SEPARATOR
from ..schema import BATCH_COLUMNS, SCORE_COLUMNS, result_columns
from .core import CHUNK_ROWS, ScoredRow, describe_input, open_input, score_cells, score_texts, scorer

_PRIMARY, _TAGS, _ERROR = (BATCH_COLUMNS.index(c) for c in ("primary_label", "tags", "error"))


@dataclass
class Summary:
    rows: int = 0
    scored: int = 0
    errors: int = 0
    not_scored: int = 0  # kept but not scored: messages the user sent
    primary: Counter = field(default_factory=Counter)
    _tags: Counter = field(default_factory=Counter, repr=False)
    _tag_cells: Counter = field(default_factory=Counter, repr=False)
    error_reasons: Counter = field(default_factory=Counter)
    error_rows: list[int] = field(default_factory=list)
    repaired_rows: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, row: ScoredRow) -> None:
        self.add_cells(list(row.cells.values()), row.row_number)

    def add_cells(self, cells: list, row_number: int) -> None:
        """Count one row from its batch cells (``BATCH_COLUMNS`` order); ``row_number`` is 1-based."""
        self.rows += 1
        primary = cells[_PRIMARY]
        if primary:
            self.scored += 1
            self.primary[primary] += 1
            self._tag_cells[cells[_TAGS]] += 1  # counted per tag when read (most rows repeat a few tag sets)
            return
        error = str(cells[_ERROR])
        if error.startswith(NOT_SCORED):
            self.not_scored += 1
        elif error:
            self.errors += 1
            self.error_reasons[error.split(" (")[0]] += 1
            if len(self.error_rows) < 20:
                self.error_rows.append(row_number)

    @property
    def tags(self) -> Counter:
        """Rows per tag."""
        for cell, n in self._tag_cells.items():
            for t in str(cell).split(TAG_SEPARATOR):
                if t:
                    self._tags[t] += n
        self._tag_cells.clear()
        return self._tags

    def finish(self, src: Source, seconds: float) -> None:
        """Add what the reader noticed on the way (repaired rows, mixed encodings, NUL bytes)."""
        self.seconds = seconds
        self.repaired_rows = src.stats.get("repaired_rows", 0)
        mixed = src.stats.get("fallback_lines") or {}
        if mixed.get("utf-8") and mixed.get("gb18030"):
            self.notes.append(f"the file mixes encodings: {mixed['utf-8']} lines were UTF-8, {mixed['gb18030']} GB18030")
        if src.stats.get("nul_bytes"):
            self.notes.append(f"{src.stats['nul_bytes']} NUL bytes were removed from the input")
        if src.stats.get("bad_context_rows"):  # each such row says which value, in its error cell
            self.notes.append(f"{src.stats['bad_context_rows']} rows had an unknown context: scored as private "
                              "(see their error cells)")
        if src.stats.get("conversation_note"):
            self.notes.append(str(src.stats["conversation_note"]))

    def table(self) -> str:
        lines = [f"{self.rows} rows, {self.scored} scored, {self.errors} with errors "
                 f"({self.seconds:.1f} s, {self.rows / max(self.seconds, 1e-9):,.0f} rows/s)"]
        if self.not_scored:
            lines.append(f"{self.not_scored} rows you sent were kept but not scored ({SENT_NOTE})")
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
                "not_scored": self.not_scored, "primary_label": dict(self.primary), "tags": dict(self.tags),
                "error_reasons": dict(self.error_reasons), "repaired_rows": self.repaired_rows}


def run_batch(input_path: str, output: str, *, text_column: str | None = None, date_column: str | None = None,
              id_column: str | None = None, encoding: str | None = None, delimiter: str | None = None,
              no_header: bool = False, sheet: str | None = None, out_format: str | None = None,
              model_dir: str | None = None, trust_model: bool = False, workers: int | None = None,
              chunk_rows: int = CHUNK_ROWS, evidence: str = "unlawful", classifier=None,
              progress: Callable[[int, int | None], None] | None = None, me: str | None = None) -> Summary:
    """Score ``input_path`` into ``output``; return the summary. Raises InputError for unusable input.

    ``classifier``: score in this process with this Classifier (tests, web); otherwise worker processes
    share the model loaded from ``model_dir``. ``input_path`` may be a list of files (screenshots).
    ``me``: the user's own name or number; rows whose sender column equals it are kept, not scored.
    """
    inputs = input_path if isinstance(input_path, list | tuple) else [input_path]
    if output != "-" and Path(output).exists() and any(i != "-" and Path(output).resolve() == Path(i).resolve()
                                                       for i in inputs):
        raise InputError(f"{output}: refusing to overwrite the input file; choose another -o")
    fmt = output_format(output, out_format)
    src = open_input(input_path, text_column=text_column, date_column=date_column, id_column=id_column,
                     encoding=encoding, delimiter=delimiter, no_header=no_header, sheet=sheet, me=me)
    summary = Summary(notes=[describe_input(src), *src.notes])
    names = result_columns(src.columns)
    scores = tuple(n for n, c in zip(names, BATCH_COLUMNS, strict=True) if c in SCORE_COLUMNS)
    columns = list(src.columns) + names
    writer = None
    try:
        with scorer(classifier, model_dir=model_dir, trust_model=trust_model, workers=workers) as scoring:
            # the output is opened once the model has loaded: a bad model leaves no half-written file
            writer = Writer(output, fmt, columns, delimiter=src.delimiter or ",",
                            schema=arrow_schema(columns, src.arrow_schema, scores) if fmt == "parquet" else None)
            start = time.perf_counter()  # after loading the model, as the rows/s figure is about scoring
            keyed = fmt == "jsonl"  # only JSON Lines writes the result cells by name
            for row, cells in score_cells(src, scoring, evidence=evidence, chunk_rows=chunk_rows):
                writer.write(row.values + cells, raw=row.raw,
                             extra=dict(zip(names, cells, strict=True)) if keyed else None)
                summary.add_cells(cells, summary.rows + 1)
                if progress and summary.rows % chunk_rows == 0:
                    progress(summary.rows, src.progress() if src.progress else None)
        writer.close()
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if progress:
        progress(summary.rows, src.progress() if src.progress else None)
    summary.finish(src, time.perf_counter() - start)
    return summary


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
