"""An evidence report for complaints: one person's messages as a single self-contained HTML page.

``build_report`` scores an export in one pass through the scoring core (the same rows and counts as
``batch``, with evidence spans of the original text for the messages it lists), and renders one HTML
file with inline CSS and charts (matplotlib, PNG embedded as data URIs) that prints cleanly to PDF
from a browser. Personal numbers are masked by default everywhere the report shows them; the input
file is only read.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from .. import __version__
from ..files.digest import sha256_file
from ..files.limits import current as current_limits
from ..files.limits import hint as limit_hint
from ..files.tabular import InputError
from ..labels import PRECEDENCE, TAG_BY_NAME, TAGS, UNLAWFUL_TAGS
from ..legal import legal_result
from ..legal.advice import DISCLAIMER, advice_for
from ..legal.reasons import BY_CODE
from ..modeling.results import evidence_text
from ..text.masking import mask_pii

TEMPLATES = Path(__file__).parent / "templates"
COLORS = {t.name: t.color for t in TAGS}


@dataclass
class Item:
    """One message as the report shows it (``sender`` and ``id`` as read; ``shown_*`` masked if asked)."""

    row: int
    when: dt.datetime | None
    sender: str
    text: str
    primary: str
    tags: tuple[str, ...]
    error: str = ""
    id: str = ""
    shown_sender: str = ""
    shown_id: str = ""
    highlighted: Markup = field(default_factory=Markup)
    evidence: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)
    provisions: list[dict] = field(default_factory=list)  # ranked; the template shows 3 and folds the rest
    legal_basis: list[dict] = field(default_factory=list)  # lawful reminders only
    image: tuple[str, str, str] | None = None  # screenshots: (file path, bbox, number boxes)
    crop: str = ""  # the message's region of its screenshot, as a PNG data URI (numbers covered if masked)
    where: str = ""  # screenshots: file name and bubble number
    notes: list[str] = field(default_factory=list)  # unsure, or tags set by the context / conversation rule


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """HTML of ``text`` with ``spans`` (start, end, tag) wrapped in <mark>; everything escaped."""
    owner: list[str | None] = [None] * len(text)
    for a, b, tag in spans:
        for i in range(max(a, 0), min(b, len(text))):
            if owner[i] is None or PRECEDENCE.index(tag) < PRECEDENCE.index(owner[i]):
                owner[i] = tag
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i]:
            j += 1
        piece = escape(text[i:j])
        out.append(f'<mark class="t-{owner[i]}">{piece}</mark>' if owner[i] else str(piece))
        i = j
    return Markup("".join(out))


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    for f in font_manager.fontManager.ttflist:
        if any(k in f.name for k in ("Noto Sans CJK", "Noto Serif CJK", "WenQuanYi", "Source Han", "SimHei",
                                     "PingFang", "Microsoft YaHei")):
            return f.name
    return None


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def label(value: object) -> str:
    """A sender name as shown: cut to ``limits.label_chars`` characters, with … (a 2-million-character
    "name" would otherwise be laid out by matplotlib for minutes)."""
    text = str(value)
    n = current_limits().label_chars
    return text if len(text) <= n else text[: n - 1] + "…"


def check_span(items: list[Item], path: str) -> None:
    """Refuse a report whose dates span more than ``limits.report_days`` (0001-01-01 … 9999-12-31)."""
    dated = [it for it in items if it.when]
    if not dated:
        return
    first = min(dated, key=lambda it: it.when)
    last = max(dated, key=lambda it: it.when)
    days = (last.when - first.when).days
    if days > current_limits().report_days:
        raise InputError(f"{path}: the dates span {days:,} days, from data row {first.row} (year {first.when.year}) "
                         f"to data row {last.row} (year {last.when.year}); check those dates "
                         f"{limit_hint('report_days')}")


def charts(items: list[Item], mask: bool) -> dict[str, str]:
    """The three charts as PNG data URIs (empty when there is nothing dated to draw).

    Labels are never read as mathtext (a sender named ``$\\frac{1}{$`` would stop the report), and
    matplotlib's missing-glyph warnings are silenced: they spell the label, a sender's name, into
    stderr one character at a time.
    """
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        font_log = logging.getLogger("matplotlib.font_manager")
        level = font_log.level
        font_log.setLevel(logging.ERROR)
        try:
            return _charts(items, mask)
        finally:
            font_log.setLevel(level)


def _charts(items: list[Item], mask: bool) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    font = _cjk_font()
    name = (lambda t: TAG_BY_NAME[t].zh) if font else (lambda t: t)
    rc = {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.unicode_minus": False,
          "text.parse_math": False}
    out: dict[str, str] = {}
    dated = [it for it in items if it.when and it.primary]
    with plt.rc_context(rc):
        if dated:
            days = sorted({it.when.date() for it in dated})
            first, last = days[0], days[-1]
            span = [first + dt.timedelta(d) for d in range((last - first).days + 1)]
            if len(span) > 400 * 7:  # very long exports: by month
                span = sorted({d.replace(day=1) for d in days})
                span = [dt.date(y, m, 1) for y in range(span[0].year, span[-1].year + 1) for m in range(1, 13)
                        if span[0] <= dt.date(y, m, 1) <= span[-1]]
                key = lambda d: d.replace(day=1)  # noqa: E731
            elif len(span) > 400:  # long exports: by week
                span = sorted({d - dt.timedelta(d.weekday()) for d in span})
                key = lambda d: d - dt.timedelta(d.weekday())  # noqa: E731
            else:
                key = lambda d: d  # noqa: E731
            pos = {d: i for i, d in enumerate(span)}
            fig, ax = plt.subplots(figsize=(9, 3.2))
            bottom = [0] * len(span)
            for tag in reversed(PRECEDENCE):
                counts = [0] * len(span)
                for it in dated:
                    if it.primary == tag:
                        counts[pos[key(it.when.date())]] += 1
                if any(counts):
                    ax.bar(range(len(span)), counts, bottom=bottom, color=COLORS[tag], label=name(tag), width=0.9)
                    bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
            step = max(1, len(span) // 10)
            ax.set_xticks(range(0, len(span), step), [span[i].strftime("%m-%d") for i in range(0, len(span), step)])
            ax.set_ylabel("条数 messages" if font else "messages")
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.legend(fontsize=8, ncol=5, loc="upper left", frameon=False)
            ax.spines[["top", "right"]].set_visible(False)
            out["per_day"] = _png(fig)
            plt.close(fig)

            fig, ax = plt.subplots(figsize=(9, 2.8))
            hours_all = Counter(it.when.hour for it in dated)
            hours_bad = Counter(it.when.hour for it in dated if set(it.tags) & set(UNLAWFUL_TAGS))
            ax.axvspan(-0.5, 7.5, color="#34495e", alpha=0.12)
            ax.axvspan(21.5, 23.5, color="#34495e", alpha=0.12)
            ax.bar(range(24), [hours_all.get(h, 0) for h in range(24)], color="#bdc3c7",
                   label="全部 all" if font else "all")
            ax.bar(range(24), [hours_bad.get(h, 0) for h in range(24)], color="#c0392b",
                   label="违规 unlawful" if font else "unlawful")
            ax.set_xticks(range(0, 24, 2))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlabel("时 hour (22:00–08:00 阴影 shaded)" if font else "hour (22:00-08:00 shaded)")
            ax.legend(fontsize=8, frameon=False)
            ax.spines[["top", "right"]].set_visible(False)
            out["per_hour"] = _png(fig)
            plt.close(fig)
        bad = Counter(it.sender for it in items if it.sender and set(it.tags) & set(UNLAWFUL_TAGS))
        if bad:
            top = bad.most_common(10)[::-1]
            fig, ax = plt.subplots(figsize=(9, 0.35 * len(top) + 0.8))
            ax.barh([mask_pii(s) if mask else s for s, _ in top], [c for _, c in top], color="#c0392b")
            ax.set_xlabel("违规消息条数 unlawful messages" if font else "unlawful messages")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.spines[["top", "right"]].set_visible(False)
            out["senders"] = _png(fig)
            plt.close(fig)
    return out


def build_report(input_path: str, output: str, *, mask: bool = True, include_all: bool = False,
                 text_column: str | None = None, date_column: str | None = None, sender_column: str | None = None,
                 id_column: str | None = None, encoding: str | None = None, delimiter: str | None = None,
                 no_header: bool = False, sheet: str | None = None, classifier=None, model_dir=None,
                 trust_model: bool = False, me: str | None = None) -> dict:
    """Write the HTML report for an export; return its summary (the same counts as ``batch``)."""
    import os
    import time

    from ..modeling.predict import Classifier
    from ..scoring.batch import Summary
    from ..scoring.core import describe_input, open_input, score_rows

    clf = classifier or Classifier.load(model_dir, trust=trust_model)
    src = open_input(input_path, text_column=text_column, date_column=date_column, id_column=id_column,
                     sender_column=sender_column, encoding=encoding, delimiter=delimiter, no_header=no_header,
                     sheet=sheet, me=me)
    summary = Summary(notes=[describe_input(src), *src.notes])
    show = (lambda t: mask_pii(t)) if mask else (lambda t: t)
    items: list[Item] = []
    shown: list[Item] = []
    input_files: dict[str, str] = {}
    provisions_by_tag: dict[str, dict[str, dict]] = {t: {} for t in UNLAWFUL_TAGS}
    start = time.perf_counter()
    # one pass: evidence spans only for the messages listed (the unlawful ones, or all with --all)
    for row in score_rows(src, clf, evidence="all" if include_all else "unlawful", explain="full"):
        summary.add(row)
        sender = label(row.sender)
        it = Item(row.row_number, row.when, sender, "" if row.text is None else str(row.text), row.primary_label,
                  row.tags, row.error, row.id, show(sender), show(label(row.id)))
        items.append(it)
        if src.format == "image" and row.values and row.values[0] in getattr(src, "files", {}):
            it.image = (src.files[row.values[0]], str(row.values[6]), str(row.values[7]))
            it.where = f"{row.values[0]} · 第{row.values[1]}条"
            input_files[row.values[0]] = src.files[row.values[0]]
        if not it.primary or not (include_all or row.unlawful):
            continue
        pred = row.prediction
        legal = legal_result(pred)
        spans = [(p.start, p.end, ev.tag) for ev in pred.evidence for p in ev.phrases]
        it.highlighted = highlight(show(pred.text), spans)
        it.evidence = [evidence_text(ev, quoted=True, label=TAG_BY_NAME[ev.tag].zh, mask=mask) for ev in pred.evidence]
        it.citations = [p["citation"] for p in legal["provisions"] if p["kind"] != "guidance"]
        it.provisions, it.legal_basis = legal["provisions"], legal["legal_basis"]
        it.notes = _notes(pred)
        if it.image:
            from ..files.images import crop

            it.crop = "data:image/png;base64," + base64.b64encode(crop(*it.image, mask=mask)).decode("ascii")
        for p in legal["provisions"]:
            for code in p["because"]:
                for part in code.split("+"):
                    tag = part.split(":", 1)[1] if part.startswith("fallback:") else BY_CODE[part].family
                    if tag in provisions_by_tag:
                        provisions_by_tag[tag].setdefault(p["id"] + p["items"], p)
        shown.append(it)
    summary.finish(src, time.perf_counter() - start)
    check_span(items, input_path)
    shown.sort(key=lambda it: (it.when is None, it.when or dt.datetime.min, it.row))
    when = [it.when for it in items if it.when]
    senders = {it.sender for it in items if it.sender}  # as read: a number counts once, masked or not
    counts = {"primary": {t: summary.primary.get(t, 0) for t in PRECEDENCE},
              "tags": {t: summary.tags.get(t, 0) for t in PRECEDENCE}}
    manifest = clf.manifest
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    html = env.get_template("report.html.j2").render(
        title="催收消息证据报告 Evidence report", items=shown, include_all=include_all,
        summary=summary, counts=counts, tags=[TAG_BY_NAME[t] for t in PRECEDENCE], colors=COLORS,
        date_from=min(when).strftime("%Y-%m-%d %H:%M") if when else "—",
        date_to=max(when).strftime("%Y-%m-%d %H:%M") if when else "—",
        n_senders=len(senders), charts=charts(items, mask), mask=mask,
        n_unlawful=sum(1 for it in items if set(it.tags) & set(UNLAWFUL_TAGS)),
        sections=[{"tag": TAG_BY_NAME[t],
                   "provisions": sorted(provisions_by_tag[t].values(), key=lambda p: -p["weight"]),
                   "advice": advice_for((t,)), "count": counts["tags"][t]}
                  for t in UNLAWFUL_TAGS if counts["tags"][t]],
        footer={"version": __version__, "model_id": manifest.get("model_id"), "model_sha256": manifest.get("sha256"),
                **_input_footer(input_path, input_files),
                "generated": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")},
        disclaimer=DISCLAIMER,
    )
    tmp = f"{output}.part"
    try:
        Path(tmp).write_text(html, encoding="utf-8")
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {**summary.to_dict(), "flagged_listed": len(shown)}


def _notes(pred) -> list[str]:
    notes = []
    if pred.unsure:
        notes.append("不确定：没有哪个标签明显超过阈值，请自己阅读判断。 Uncertain — read it yourself.")
    if pred.decided_by == "context":
        notes.append("由场景判断：群聊或公开发布且提及债务，视为告知他人。 Decided by the context: posted where others read it.")
    return notes


def _input_footer(input_path, files: dict[str, str]) -> dict:
    """Name and sha256 of the input; for several screenshots (or a folder), of each file."""
    if isinstance(input_path, str) and Path(input_path).is_file():
        return {"input_name": Path(input_path).name, "input_sha256": sha256_file(Path(input_path)), "input_files": []}
    names = [input_path] if isinstance(input_path, str) else input_path
    return {"input_name": ", ".join(Path(p).name for p in names), "input_sha256": "",
            "input_files": [{"name": n, "sha256": sha256_file(Path(f))} for n, f in files.items()]}
