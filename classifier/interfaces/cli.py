"""Command line: ``python -m classifier`` or ``cuishou``. Thin: parse, call the library, format."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import __version__, config
from ..labels import TAG_NAMES
from ..modeling.context import CONTEXT_HELP

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _load_classifier(model: Path | None, trust_model: bool):
    from ..modeling.predict import Classifier, ModelError

    try:
        return Classifier.load(model, trust=trust_model)
    except ModelError as e:
        raise click.ClickException(str(e)) from None


def model_options(f):
    f = click.option("--trust-model", is_flag=True,
                     help="Allow a model directory outside this project's models/ (model files can run code).")(f)
    f = click.option("--model", "model", type=click.Path(path_type=Path, file_okay=False),
                     help=f"Model directory (default: ${config.MODEL_ENV} or models/shipped).")(f)
    return f


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="cuishou")
def cli() -> None:
    """Label debt-collection messages and call transcripts: lawful reminder, harassment, threat,
    third-party contact (爆通讯录) or not collection, with the PRC provisions they may violate.

    Output is information, not legal advice.
    """


def _check_context(ctx, param, value):
    from ..modeling.context import ContextError, parse_context

    try:
        return parse_context(value)
    except ContextError as e:
        raise click.BadParameter(str(e)) from None


@cli.command()
@click.argument("texts", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per message (schema: classifier/schema.py).")
@click.option("--whole", is_flag=True, help="With '-' or piped input: treat all input as ONE message (a transcript).")
@click.option("--date", "date_", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Date the message was received (YYYY-MM-DD): picks the law in force then.")
@click.option("--no-evidence", is_flag=True, help="Skip the evidence phrases (faster).")
@click.option("--full", is_flag=True,
              help="Show every provision (not only the three most relevant), each with its exact text.")
@click.option("--image", "images", multiple=True, type=click.Path(exists=True),
              help="A screenshot (PNG/JPG/WebP) or a folder of them: OCR, then classify each received message.")
@click.option("--context", "context", default="private", show_default=True, callback=_check_context,
              help="Where the message was posted: " + CONTEXT_HELP + ". A group message or public post "
                   "about a debt tells others about it (third-party contact).")
@model_options
def classify(texts: tuple[str, ...], as_json: bool, whole: bool, date_, no_evidence: bool, full: bool, images,
             context: str, model, trust_model) -> None:
    """Classify messages given as arguments, from stdin ('-'), or pasted one per line.

    \b
    Examples:
      cuishou classify "再不还钱，明天就把你欠钱的事发给你通讯录里所有人"
      echo "【某银行】您尾号1234的信用卡已逾期3天，请尽快还款。" | cuishou classify -
      cuishou classify --whole - < call_transcript.txt
      cuishou classify --json "..."
      cuishou classify --context group "@所有人 张三欠钱不还，大家注意"
      cuishou classify --image screenshot.png
      cuishou classify            (on a terminal: paste messages one per line, Ctrl-D to end)
    """
    from ..legal import legal_result
    from ..scoring.core import message_json, score_texts
    from .render import render_legal, render_prediction

    clf = _load_classifier(model, trust_model)
    date = date_.date() if date_ else None
    if images:
        from .image_classify import classify_images

        classify_images(clf, list(images), as_json=as_json, date=date, evidence=not no_evidence, full=full)
        return

    def emit(batch: list[str]) -> None:
        for row in score_texts(clf, batch, [date] * len(batch), evidence="all", explain=not no_evidence,
                               context=context):
            if as_json:
                click.echo(json.dumps(message_json(row.prediction, clf.model_info), ensure_ascii=False))
            else:
                legal = render_legal(legal_result(row.prediction), full=full)
                click.echo(render_prediction(row.prediction, {"legal": legal}))
                click.echo("")

    if texts and texts != ("-",):
        emit(list(texts))
        return
    stream = sys.stdin
    if not texts and stream.isatty():
        click.echo("Paste messages, one per line; Ctrl-D to end.  粘贴短信，每行一条，Ctrl-D 结束。", err=True)
        for line in stream:
            if line.strip():
                emit([line.rstrip("\n")])
        return
    data = stream.read()
    if whole:
        emit([data])
    else:
        lines = [line for line in data.splitlines() if line.strip()]
        if not lines:
            raise click.ClickException("no input: give a message as an argument, or pipe text in")
        emit(lines)


def _set_limits(ctx, param, value):
    from ..files import limits

    if value:
        try:
            limits.configure(limits.parse(value))
        except ValueError as e:
            raise click.BadParameter(str(e)) from None
    return value


def _raw_cells(value: bool) -> None:
    if value:
        from ..files import limits

        limits.configure(raw_cells=True)


def limits_option(f):
    """``--limits NAME=N,…``: raise the limits on untrusted input (see files/limits.py, README Security)."""
    from ..files.limits import LIMITS_HELP

    return click.option("--limits", "limits_spec", callback=_set_limits, expose_value=False, metavar="NAME=N,…",
                        help=LIMITS_HELP)(f)


def input_options(f):
    """Options shared by the commands that read an export (batch, report, review)."""
    for opt in reversed([
        click.option("--text-column", help="Column with the message text (name or 1-based number); default: found by name."),
        click.option("--date-column", help="Column with the date (feeds the law in force then); default: found by name."),
        click.option("--id-column", help="Column with a row id (kept; the Spark engine's id, shown for each message "
                                          "in the report)."),
        click.option("--encoding", help="Input encoding (default: detected; Chinese exports are often gb18030 or utf-16)."),
        click.option("--delimiter", help="Field delimiter (default: sniffed)."),
        click.option("--no-header", is_flag=True, help="The first row is data; columns are named column_1, column_2 …"),
        click.option("--sheet", help="XLSX: sheet name (default: the first)."),
        click.option("--me", help="Your own name or number in the sender column (e.g. your WeChat nickname): "
                                  "those messages are kept but not scored."),
        limits_option,
    ]):
        f = opt(f)
    return f


@cli.command()
@click.argument("input_paths", metavar="INPUT...", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="Output file (.csv, .tsv, .xlsx, .jsonl, .parquet; '-' = CSV on stdout), or a folder with "
                   "--engine spark.")
@click.option("--format", "out_format", type=click.Choice(["csv", "tsv", "xlsx", "jsonl", "parquet"]),
              help="Output format (default: from the -o extension).")
@input_options
@click.option("--workers", type=int, default=None, help="Scoring processes (default: one per core; 0 = in this process).")
@click.option("--evidence", type=click.Choice(["unlawful", "all", "none"]), default="unlawful", show_default=True,
              help="Which tags get evidence phrases (all is about 2x slower on a large file).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="local: this machine; spark: Apache Spark (pip install '.[spark]').")
@click.option("--master", default="local[*]", show_default=True, help="Spark master URL (with --engine spark).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--raw-cells", is_flag=True, expose_value=False, callback=lambda c, p, v: _raw_cells(v),
              help="CSV/TSV output: write cells starting with = + - @ as they are (default: prefixed with ' so "
                   "spreadsheets show them as text, not run them as formulas).")
@model_options
def batch(input_paths, output, out_format, text_column, date_column, id_column, encoding, delimiter, no_header,
          sheet, me, workers, evidence, engine, master, quiet, model, trust_model) -> None:
    """Score every row of a CSV/TSV/XLSX/JSON Lines/Parquet export; keep every row and column, add the results.

    Also reads screenshots (PNG/JPG/WebP: one, several, or a folder; one row per message bubble),
    Android SMS Backup & Restore XML, the iPhone's sms.db and WeChat exports (text or CSV). Messages
    you sent are kept, marked "not scored: sent by you", and never earn a tag.

    Added columns (same names and meanings as `classify --json`): primary_label, tags,
    score_<tag> for each of the five tags, statutes, evidence, unsure, decided_by, error.
    A `context` or `场景` column says where each message was posted (private, group, post); with a
    conversation or sender column, short or unsure messages are judged with their conversation.

    \b
    Examples:
      cuishou batch sms_export.csv -o scored.csv
      cuishou batch outbound_log.xlsx -o scored.xlsx --text-column 短信内容 --date-column 发送时间
      cuishou batch messages.csv -o - --quiet | head
      cuishou batch screenshots/ -o scored.csv
      cuishou batch sms-20260301.xml -o scored.csv
      cuishou batch lake_export.parquet -o scored.parquet
    """
    from ..files.tabular import InputError
    from ..modeling.predict import ModelError
    from ..scoring.batch import run_batch, stderr_progress

    input_path = input_paths[0] if len(input_paths) == 1 else list(input_paths)
    if engine == "spark" and me:
        raise click.ClickException("--me is not supported with --engine spark")
    if engine == "spark" and not isinstance(input_path, str):
        raise click.ClickException("--engine spark reads one path (a file or folder of CSV/Parquet)")
    if engine == "spark":
        from .spark import run_spark

        try:
            result = run_spark(input_path, output, text_column=text_column, date_column=date_column,
                               id_column=id_column, master=master, model_dir=model, trust_model=trust_model,
                               out_format=out_format, evidence=evidence, log=None if quiet else
                               (lambda m: click.echo(m, err=True)))
        except (InputError, ModelError) as e:
            raise click.ClickException(str(e)) from None
        if not quiet:
            click.echo(json.dumps(result, ensure_ascii=False), err=True)
        return
    size = Path(input_path).stat().st_size if isinstance(input_path, str) and input_path != "-" \
        and Path(input_path).is_file() else None
    try:
        summary = run_batch(input_path, output, text_column=text_column, date_column=date_column, id_column=id_column,
                            encoding=encoding, delimiter=delimiter, no_header=no_header, sheet=sheet,
                            out_format=out_format, model_dir=model, trust_model=trust_model, workers=workers,
                            evidence=evidence, progress=stderr_progress(quiet, size), me=me)
    except (InputError, ModelError) as e:
        raise click.ClickException(str(e)) from None
    if not quiet:
        click.echo(summary.table(), err=True)
        if output != "-":
            click.echo(f"written to {output}", err=True)


@cli.command()
@click.argument("input_paths", metavar="INPUT...", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@input_options
@click.option("--sender-column", help="Column with the sender's number or name; default: found by name.")
@click.option("--no-mask", is_flag=True, help="Show phone, ID and card numbers in full (default: masked).")
@click.option("--all", "include_all", is_flag=True, help="List lawful and unrelated messages too (default: count only).")
@model_options
def report(input_paths, output, text_column, date_column, id_column, encoding, delimiter, no_header, sheet, me,
           sender_column, no_mask, include_all, model, trust_model) -> None:
    """Write a self-contained HTML evidence report for one person's messages (prints to PDF from a browser).

    \b
    Examples:
      cuishou report sms_export.csv -o report.html
      cuishou report sms_export.xlsx -o report.html --sender-column 号码 --all
      cuishou report screenshots/ -o report.html     (each flagged message with its screenshot crop)
    """
    from ..files.tabular import InputError
    from ..modeling.predict import ModelError
    from .report import build_report

    input_path = input_paths[0] if len(input_paths) == 1 else list(input_paths)
    if any(Path(output).resolve() == Path(p).resolve() for p in input_paths):
        raise click.ClickException("refusing to overwrite the input file; choose another -o")
    try:
        summary = build_report(input_path, output, mask=not no_mask, include_all=include_all, text_column=text_column,
                               date_column=date_column, sender_column=sender_column, id_column=id_column,
                               encoding=encoding,
                               delimiter=delimiter, no_header=no_header, sheet=sheet, model_dir=model,
                               trust_model=trust_model, me=me)
    except (InputError, ModelError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{summary['rows']} messages, {summary['flagged_listed']} listed; written to {output}", err=True)


@cli.command()
@click.option("--backend", type=click.Choice(["rjieba", "jieba"]), default="rjieba", show_default=True,
              help="Word segmenter (jieba dictionary either way); recorded in the manifest.")
@click.option("--extra", "extras", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Your own labelled rows (a filled-in review file: text + gold_tags); repeatable.")
@click.option("--holdout", default=0.25, show_default=True, type=float,
              help="With --extra: share of your rows held out to measure the change.")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the model and manifest (default: models/shipped; with --extra: required).")
@click.option("--data", "data_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=config.PROCESSED_DIR, show_default=True, help="Folder with train.csv, dev.csv, test.csv.")
@click.option("--no-real", is_flag=True, help="Leave the real train part (real_train.csv) out of training.")
@model_options
def train(backend: str, extras: tuple[str, ...], holdout: float, out_dir: Path | None, data_dir: Path, no_real: bool,
          model, trust_model) -> None:
    """Train the model from data/processed, tune on dev, evaluate on test, save with a manifest.

    With --extra, retrain with your own labelled messages added (on this machine; nothing is sent),
    and print before/after metrics on the project's test split and on your held-out rows.

    \b
    Examples:
      cuishou data build && cuishou train
      cuishou train --extra labelled.csv -o models/local
      cuishou classify --model models/local "..."
    """
    from ..modeling.train import train as run

    log = lambda m: click.echo(m, err=True)  # noqa: E731
    if not extras:
        manifest = run(processed_dir=data_dir, out_dir=out_dir or config.SHIPPED_MODEL_DIR, backend=backend,
                       use_real=not no_real, log=log)
        click.echo(json.dumps({k: manifest[k] for k in ("model_id", "sha256", "test_metrics")}, indent=2,
                              ensure_ascii=False))
        return
    from ..files.tabular import InputError
    from ..modeling.train import retrain_with_user_rows

    if out_dir is None:
        raise click.ClickException("--extra needs -o (for example -o models/local): the shipped model is never replaced")
    if out_dir.resolve() == config.SHIPPED_MODEL_DIR.resolve():
        raise click.ClickException("refusing to overwrite the shipped model; choose another -o (e.g. models/local)")
    before = _load_classifier(model, trust_model)
    try:
        result = retrain_with_user_rows(extras, out_dir, before, data_dir, holdout=holdout, backend=backend, log=log)
    except InputError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{result['user_rows']} labelled rows: {result['user_train']} added to training, "
               f"{result['user_heldout']} held out")
    click.echo(f"{'':<22}{'before':>10}{'after':>10}")
    for name, m in result["metrics"].items():
        click.echo(f"{name:<22}{m['before']['macro_f1']:>10.3f}{m['after']['macro_f1']:>10.3f}   macro-F1")
        click.echo(f"{'':<22}{m['before']['primary_accuracy']:>10.3f}{m['after']['primary_accuracy']:>10.3f}"
                   "   primary-label accuracy")
    click.echo(f"new model {result['model_id']} in {out_dir}; use it with --model {out_dir}")


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The review CSV to write.")
@click.option("--n", "n", default=200, show_default=True, type=int, help="How many rows to pick.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--text-column", help="Column with the message text; default: found by name.")
@click.option("--encoding", help="Input encoding (default: detected).")
@limits_option
@model_options
def review(input_path, output, n, seed, text_column, encoding, model, trust_model) -> None:
    """Pick the rows most worth a human look and write them with an empty gold_tags column to fill in.

    Rows closest to a decision threshold come first, then call transcripts whose turns and whole
    disagree, then a sample of confident rows to check. Fill in gold_tags (e.g. "threat;harassment")
    in Excel or on the web page (/review), then: cuishou train --extra FILE -o models/local

    \b
    Example:
      cuishou review scored.csv -o to_label.csv --n 200
    """
    from ..files.tabular import InputError
    from ..scoring.review import select_for_review, write_review

    if Path(output).resolve() == Path(input_path).resolve():
        raise click.ClickException("refusing to overwrite the input file; choose another -o")
    clf = _load_classifier(model, trust_model)
    try:
        found = select_for_review(clf, input_path, n=n, seed=seed, text_column=text_column, encoding=encoding)
    except InputError as e:
        raise click.ClickException(str(e)) from None
    write_review(found.columns, found.rows, output)
    from collections import Counter

    reasons = Counter(r[found.columns.index("review_reason")] for r in found.rows)
    click.echo(f"{len(found.rows)} rows to review ({', '.join(f'{k} {v}' for k, v in reasons.items())}); "
               f"written to {output}", err=True)
    if found.skipped:
        more = f" … and {len(found.skipped) - 10} more" if len(found.skipped) > 10 else ""
        click.echo(f"{len(found.skipped)} rows could not be scored and are not in the list: "
                   + "; ".join(found.skipped[:10]) + more, err=True)


@cli.command()
@click.option("--split", type=click.Choice(["test", "dev"]), default="test", show_default=True)
@click.option("--perturbed", is_flag=True, help="Also score a perturbed copy (evasion tricks) and compare.")
@click.option("--cross-author", is_flag=True, help="Leave-one-writer-out evaluation (retrains 14 times; minutes).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=config.REPORTS_DIR / "metrics.json", show_default=True)
@click.option("--no-real", is_flag=True, help="Skip the real sets (real collection test part, everyday SMS, chat).")
@model_options
def evaluate(split: str, perturbed: bool, cross_author: bool, output: Path, no_real: bool, model, trust_model) -> None:
    """Metrics on the untouched test split, next to a keyword-rule baseline; writes reports/metrics.json.

    Also reports, each on its own, the real collection messages' test part (never trained on), real
    everyday SMS and real personal chat lines (their test parts; see data/README.md).

    \b
    Examples:
      cuishou evaluate
      cuishou evaluate --perturbed        (clean vs evasion-perturbed test split)
      cuishou evaluate --cross-author     (how the model does on writers it has never seen)
    """
    from ..modeling.dataset import load_split
    from ..modeling.evaluate import evaluate as run
    from ..modeling.evaluate import format_report

    clf = _load_classifier(model, trust_model)
    df = load_split(split)
    df["source_kind"] = df["source"].str.split(":").str[0]
    report = {"split": split, "model_info": clf.model_info, **run(clf, df, by=("channel", "source_kind"))}
    click.echo(format_report(report, split))
    if perturbed:
        from ..text.perturb import perturb_frame

        train = load_split("train")
        pert = perturb_frame(df, seed=0, common_text="".join(train["text"]))
        report["perturbed"] = run(clf, pert, by=("perturbation",))
        clean, noisy = report["model"]["macro_f1"], report["perturbed"]["model"]["macro_f1"]
        report["perturbed_gap"] = round(clean - noisy, 4)
        click.echo(format_report(report["perturbed"], f"{split}, perturbed copy"))
        click.echo(f"macro-F1 clean {clean:.3f}  perturbed {noisy:.3f}  gap {clean - noisy:+.3f}")
    if not no_real:
        from ..modeling.real import evaluate_real, format_real

        report["real"] = evaluate_real(clf)
        click.echo(format_real(report["real"]))
    if cross_author:
        import numpy as np

        from ..modeling.cross_author import cross_author as run_cross

        th = np.array([clf.manifest["thresholds"][t] for t in TAG_NAMES])
        report["cross_author"] = run_cross(clf.manifest["params"]["C"], th, log=lambda m: click.echo(m))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"written to {output}", err=True)


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False))
@click.option("--text-column", default="text", show_default=True)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--rate", default=1.0, show_default=True, type=float, help="Share of rows to perturb.")
@click.option("--trick", "tricks", multiple=True, help="Only these tricks (default: all).")
def perturb(input_path, output, text_column, seed, rate, tricks) -> None:
    """Write a copy of a labelled CSV with collectors' evasion tricks applied (labels unchanged).

    \b
    Tricks: homophone, pinyin, separator, traditional, emoji, fullwidth, digits.
    Example:
      cuishou perturb data/processed/test.csv -o reports/test.perturbed.csv
    """
    import pandas as pd

    from ..text.perturb import TRICKS, perturb_frame

    bad = set(tricks) - set(TRICKS)
    if bad:
        raise click.ClickException(f"unknown trick(s) {', '.join(sorted(bad))}; choose from {', '.join(TRICKS)}")
    df = pd.read_csv(input_path, keep_default_na=False, dtype=str)
    if text_column not in df:
        raise click.ClickException(f"{input_path}: no column {text_column!r}; columns are: {', '.join(df.columns)}")
    out = perturb_frame(df, text_column, seed=seed, rate=rate, tricks=tuple(tricks) or TRICKS)
    out.to_csv(output, index=False, encoding="utf-8")
    click.echo(f"{len(out)} rows, {int((out['perturbation'] != '').sum())} perturbed; written to {output}", err=True)


@cli.command("legal-eval")
@click.option("--cases", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="JSON Lines test set (default: tests/data/legal_cases.jsonl).")
@click.option("--predicted", is_flag=True, help="Use the model's predicted tags instead of the gold tags.")
@click.option("-v", "--verbose", is_flag=True, help="Also print every case with a miss or a forbidden citation.")
@model_options
def legal_eval(cases: Path | None, predicted: bool, verbose: bool, model, trust_model) -> None:
    """Score the legal layer on messages cited the way a careful lawyer would.

    Prints the share of must-cite provisions among the first three and anywhere, and the number of
    messages with a forbidden citation (see classifier/legal/evaluate.py). Gold tags measure the
    legal layer alone; --predicted measures it behind the model.
    """
    from ..legal.evaluate import CASES_PATH, evaluate, load_cases

    path = cases or CASES_PATH
    if not path.exists():
        raise click.ClickException(f"no test set at {path} (it ships with the source checkout); pass --cases FILE")
    try:
        loaded = load_cases(path)
    except (ValueError, KeyError) as e:
        raise click.ClickException(f"{path}: {e}") from None
    clf = _load_classifier(model, trust_model) if predicted else None
    score = evaluate(loaded, classifier=clf)
    click.echo(json.dumps({"tags": "predicted" if predicted else "gold", **score.summary()}, ensure_ascii=False))
    if verbose:
        for c in score.cases:
            if c["missed"] or c["forbidden"] or len(c["top3"]) < len(c["anywhere"]):
                click.echo(json.dumps(c, ensure_ascii=False))


@cli.command()
@click.argument("provision", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def statutes(provision: str | None, as_json: bool) -> None:
    """List every provision the tool can cite, or show one with its exact text.

    \b
    Examples:
      cuishou statutes
      cuishou statutes 治安管理处罚法:50
      cuishou statutes 治安管理处罚法@2012:42     (the 2012 text, for messages before 2026-01-01)
    """
    from ..legal.statutes import DISCLAIMER, citation, lookup, provisions

    if provision:
        p = lookup(provision)
        if p is None:
            raise click.ClickException(f"no provision {provision!r}; run `cuishou statutes` for the list")
        if as_json:
            click.echo(json.dumps(p, ensure_ascii=False, indent=2))
            return
        click.echo(f"{citation(p)}  {p.get('title', '')}")
        click.echo(f"{p['law']} · {p['version']} · 引用措辞自 {p['effective_from']} 施行" +
                   (f" 至 {p['effective_to']}" if p["effective_to"] else "（现行）") +
                   (f" · 本条自 {p['article_effective_from']} 起存在" if p.get("article_effective_from") else ""))
        if p.get("dates_note"):
            click.echo(p["dates_note"])
        if p.get("replaces"):
            click.echo(f"修订前文本对应条文 earlier text: {p['replaces']}")
        if p.get("replaced_by"):
            click.echo(f"2026-01-01起由 {p['replaced_by']} 取代")
        click.echo(f"核对 verification: {p['verification']} · 来源 source: {p['source']}")
        if p["kind"] == "guidance":
            click.echo("注意：这是监管/行业规则的二手转述，不是法律原文。")
        click.echo("")
        click.echo(p["text"])
        click.echo("")
        click.echo(DISCLAIMER)
        return
    rows = list(provisions().values())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for p in rows:
        start = p.get("article_effective_from") or p["effective_from"]
        status = f"{start}–{p['effective_to']}" if p["effective_to"] else f"{start}起"
        click.echo(f"{p['id']:<28} {citation(p):<30} {p['verification']:<3} {status:<24} {p.get('title', '')}")
    click.echo(f"\n{len(rows)} provisions. Show one: cuishou statutes ID", err=True)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. The default keeps the page on this computer; 0.0.0.0 exposes it to the network.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--max-upload-mb", default=50, show_default=True, type=int, help="Largest upload accepted.")
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="Log each request's method, path and status (never bodies).")
@limits_option
@model_options
def serve(host: str, port: int, max_upload_mb: int, access_log: bool, model, trust_model) -> None:
    """Start the local web page and JSON API (FastAPI + uvicorn).

    \b
    Examples:
      cuishou serve                 (then open http://127.0.0.1:8000)
      cuishou serve --port 8080
    """
    import uvicorn

    from .web.app import create_app

    _load_classifier(model, trust_model)  # fail here, with a clear message, if the model is unusable
    app = create_app(model, trust_model=trust_model, max_upload_mb=max_upload_mb, host=host)
    click.echo(f"cuishou is running at http://{host}:{port}  (API docs: http://{host}:{port}/docs; Ctrl-C stops)", err=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo("warning: bound to a network address; anyone who can reach it can use it", err=True)
    from .web.jobs import private_tempdir

    # on SIGTERM/Ctrl-C, requests get 3 s to finish; then running jobs are stopped and temp files removed
    with private_tempdir():
        uvicorn.run(app, host=host, port=port, access_log=access_log, log_level="warning", timeout_graceful_shutdown=3)


@cli.group()
def data() -> None:
    """Build the corpus: import real public text, validate and split into data/processed."""


@data.command("build")
def data_build() -> None:
    """Validate data/raw, drop duplicates, split by group into data/processed/{train,dev,test}.csv."""
    from ..modeling.dataset import CorpusError, build

    try:
        summary = build()
    except CorpusError as e:
        raise click.ClickException(str(e)) from None
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


@data.command("import-real")
@click.option("--shared", type=click.Path(path_type=Path, file_okay=False, exists=True), default=Path("../shared"),
              show_default=True, help="Folder holding data/cold and data/swsr.")
def data_import_real(shared: Path) -> None:
    """Copy the seeded sample of COLD / SWSR rows into data/raw/real (run once; the result is committed)."""
    from ..modeling.dataset import import_real

    click.echo(json.dumps(import_real(shared)))


@data.command("import-public")
@click.option("--lccc", "lccc_valid", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="data/toy_valid.txt of a thu-coai/CDial-GPT checkout.")
@click.option("--lccc-commit", default="", help="Its commit, recorded in each row's source.")
@click.option("--autorule", "autorule_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="src/rule of an AutoAccountingOrg/AutoRule checkout.")
@click.option("--autorule-commit", default="", help="Its commit, recorded in each row's source.")
def data_import_public(lccc_valid, lccc_commit, autorule_dir, autorule_commit) -> None:
    """Re-import the LCCC chat sample and the AutoRule bank SMS into data/raw/real (run once; committed)."""
    from ..modeling import real

    chat = real.import_lccc(lccc_valid, lccc_commit) if lccc_valid else None
    sms = real.import_autorule_sms(autorule_dir, autorule_commit) if autorule_dir else None
    click.echo(json.dumps(real.write_imported(chat, sms)))


def main() -> None:  # pragma: no cover - console-script entry
    cli(prog_name="cuishou")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
