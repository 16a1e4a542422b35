"""Batch scoring on Apache Spark, for data lakes: the same model and the same scoring function
(``scoring.core.score_texts``) as the single-machine scorer, run by ``mapInPandas`` on every
partition, with the same output columns (renamed the same way when the input already has one).

Spark's Python workers run the interpreter running this command unless ``PYSPARK_PYTHON`` says
otherwise (a virtual environment need not be activated).

The model directory is shipped to the executors with ``SparkContext.addFile`` (checked against its
manifest on the driver and again where it is loaded), so nothing but the package has to be installed
on the cluster (ship it as a wheel with ``--py-files`` or in the executors' environment).

Row order is not kept across partitions; every output row carries the input's id column, or
``row_id``: the row's 0-based position in the input, assigned before scoring with ``zipWithIndex``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import config
from ..files.tabular import DATE_COLUMN_NAMES, TEXT_COLUMN_NAMES, InputError, find_column, parse_date
from ..modeling.context import CONTEXT_COLUMN_NAMES
from ..schema import BATCH_COLUMNS, SCORE_COLUMNS, result_columns

ROW_ID = "row_id"
INSTALL_HINT = "Spark support is an optional extra: pip install -e '.[spark]' (it also needs Java 17+)"


def _require_spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        raise InputError("Spark needs Java (17 or newer) on PATH or JAVA_HOME; install a JDK and retry")


@contextlib.contextmanager
def _workers_run_this_python():
    """While the SparkContext starts: unless ``PYSPARK_PYTHON`` is set, point it at this interpreter.

    PySpark reads it once, when the context starts; without it, workers start the first "python3"
    on PATH, which lacks the project unless the virtual environment is activated.
    """
    if os.environ.get("PYSPARK_PYTHON"):
        yield
        return
    os.environ["PYSPARK_PYTHON"] = sys.executable
    try:
        yield
    finally:
        del os.environ["PYSPARK_PYTHON"]


_EXECUTOR_CLF: dict[str, object] = {}


def _classifier_on_executor(model_name: str):
    """Load the model once per Python worker, from the copy Spark shipped to this machine."""
    clf = _EXECUTOR_CLF.get(model_name)
    if clf is None:
        from pyspark import SparkFiles

        from ..modeling.predict import Classifier

        clf = Classifier.load(SparkFiles.get(model_name), trust=True)  # the runtime model when present; checked
        _EXECUTOR_CLF[model_name] = clf
    return clf


def make_scorer(model_name: str, text_col: str, date_col: str | None, evidence: str, names: list[str],
                context_col: str | None = None) -> Callable[[Iterator], Iterator]:
    """The ``mapInPandas`` function: pandas chunks in, the same chunks plus the result columns
    (``names``: ``schema.result_columns`` of the input's columns) out. ``context_col``: each row's
    context (``modeling.context``; an unknown value is scored as private and named in ``error``).
    No conversation rule here: a conversation may span partitions."""

    def score(chunks):
        import pandas as pd

        from ..modeling.context import CONTEXT_HELP, PRIVATE, ContextError, parse_context
        from ..scoring.core import score_texts

        clf = _classifier_on_executor(model_name)
        for pdf in chunks:
            texts = pdf[text_col].where(pdf[text_col].notna(), "").tolist()
            dates = [parse_date(d) for d in pdf[date_col]] if date_col else None
            contexts, bad = [], {}
            for k, v in enumerate(pdf[context_col].tolist() if context_col else []):
                try:
                    contexts.append(parse_context(v))
                except ContextError:
                    contexts.append(PRIVATE)
                    bad[k] = (f"column {context_col!r}: unknown context {str(v)[:40]!r} (use {CONTEXT_HELP}); "
                              "scored as private")
            rows = score_texts(clf, texts, dates, evidence=evidence, context=contexts if context_col else PRIVATE)
            cells = [list(r.cells.values()) for r in rows]
            for k, note in bad.items():
                if cells[k][0]:  # scored (an error row keeps its error)
                    cells[k][-1] = "; ".join(x for x in (str(cells[k][-1] or ""), note) if x)
            res = pd.DataFrame(cells, columns=names, index=pdf.index)
            for name, column in zip(names, BATCH_COLUMNS, strict=True):
                if column in SCORE_COLUMNS:
                    res[name] = pd.to_numeric(res[name], errors="coerce")
            yield pd.concat([pdf, res], axis=1)

    return score


def run_spark(input_path: str, output: str, *, text_column: str | None = None, date_column: str | None = None,
              id_column: str | None = None, master: str = "local[*]", model_dir=None, trust_model: bool = False,
              out_format: str | None = None, evidence: str = "unlawful", encoding: str | None = None,
              log: Callable[[str], None] | None = print, spark=None) -> dict:
    """Score ``input_path`` (CSV or Parquet, any path Spark reads) into the folder ``output``."""
    _require_spark()
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F  # noqa: N812
    from pyspark.sql import types as T  # noqa: N812

    from ..modeling.predict import Classifier

    model_path = Path(model_dir) if model_dir else config.default_model_dir()
    Classifier.load(model_path, trust=trust_model)  # refuse a bad or untrusted model before starting executors
    fmt = out_format or "parquet"
    if fmt not in ("parquet", "csv"):
        raise InputError(f"--engine spark writes parquet or csv, not {fmt}")
    if "://" not in output and Path(output).exists():
        raise InputError(f"{output}: already exists; Spark writes a new folder (choose another -o)")
    own = spark is None
    if own:
        with _workers_run_this_python():
            spark = (SparkSession.builder.master(master).appName("cuishou-batch")
                     .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                     .config("spark.ui.enabled", "false").getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
    start = time.perf_counter()
    try:
        reader = spark.read
        if input_path.rstrip("/").endswith(".parquet") or (Path(input_path).is_dir() and any(Path(input_path).glob("*.parquet"))):
            df = reader.parquet(input_path)
        else:
            opts = {"header": "true", "multiLine": "true", "escape": '"', "mode": "PERMISSIVE"}
            if encoding:
                opts["encoding"] = encoding
            df = reader.options(**opts).csv(input_path)
        columns = df.columns
        text_col = columns[find_column(columns, text_column, TEXT_COLUMN_NAMES, "text", input_path)]
        d_idx = find_column(columns, date_column, DATE_COLUMN_NAMES, "date", input_path, required=date_column is not None)
        date_col = columns[d_idx] if d_idx is not None else None
        context_col = next((c for c in columns if str(c).strip().lower() in CONTEXT_COLUMN_NAMES and c != text_col), None)
        if id_column:
            find_column(columns, id_column, (), "id", input_path)  # must exist
        else:  # a stable id: the row's position in the input
            indexed = df.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1]))
            df = spark.createDataFrame(indexed, T.StructType([*df.schema.fields, T.StructField(ROW_ID, T.LongType())]))
        n_in = df.count()
        names = result_columns(df.columns)
        out_fields = [*df.schema.fields]
        for name, c in zip(names, BATCH_COLUMNS, strict=True):
            out_fields.append(T.StructField(name, T.DoubleType() if c in SCORE_COLUMNS else T.StringType()))
        spark.sparkContext.addFile(str(model_path.resolve()), recursive=True)
        scored = df.select(*[F.col(c) for c in df.columns]).mapInPandas(
            make_scorer(model_path.resolve().name, text_col, date_col, evidence, names, context_col),
            schema=T.StructType(out_fields))
        writer = scored.write.mode("errorifexists")
        if fmt == "csv":
            writer.option("header", "true").option("escape", '"').csv(output)
        else:
            writer.parquet(output)
        written = spark.read.parquet(output) if fmt == "parquet" else spark.read.option("header", "true") \
            .option("multiLine", "true").option("escape", '"').csv(output)
        n_out = written.count()
        label = names[BATCH_COLUMNS.index("primary_label")]
        counts = {r[label] or "(error)": r["count"] for r in written.groupBy(label).count().collect()}
    finally:
        if own:
            spark.stop()
    result = {"input_rows": n_in, "output_rows": n_out, "rows_match": n_in == n_out, "primary_label": counts,
              "seconds": round(time.perf_counter() - start, 1), "output": output, "format": fmt,
              "id_column": id_column or ROW_ID}
    if n_in != n_out:
        raise InputError(f"row count mismatch: {n_in} rows in, {n_out} out")
    if log:
        log(f"{n_in} rows in, {n_out} rows out (all kept); ids in column {result['id_column']!r}; "
            f"order across partitions is not preserved")
    return result
