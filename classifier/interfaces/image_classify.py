"""``cuishou classify --image``: OCR screenshots, then classify each received message in the terminal."""

from __future__ import annotations

import datetime as dt
import json

import click

from ..files.messages import SENT, SENT_NOTE


def classify_images(clf, paths: list[str], *, as_json: bool = False, date: dt.date | None = None,
                    evidence: bool = True, full: bool = False) -> None:
    """Print every message read from the screenshots; received ones with their labels and provisions."""
    from ..files.images import list_images, read_screenshot
    from ..files.tabular import InputError, parse_date
    from ..legal import legal_result
    from .render import render_legal, render_prediction

    try:
        files = list_images(paths)
    except InputError as e:
        raise click.ClickException(str(e)) from None
    failed = 0
    for f in files:
        try:
            screen = read_screenshot(f)
        except InputError as e:
            failed += 1
            click.echo(f"error: {e}", err=True)
            continue
        received = [m for m in screen.messages if m.direction != SENT]
        dates = [parse_date(m.time) or date for m in received]
        preds = iter(clf.predict_many([m.text for m in received], dates, explain_evidence=evidence))
        if not as_json:
            click.echo(f"== {f} · 发送方 sender: {screen.sender or '—'} · {len(screen.messages)} messages")
        for i, m in enumerate(screen.messages, 1):
            where = {"file": f, "bubble": i, "time": m.time, "sender": "我" if m.direction == SENT else (m.sender or screen.sender),
                     "direction": m.direction, "bbox": list(m.bbox)}
            if m.direction == SENT:
                if as_json:
                    click.echo(json.dumps({**where, "text": m.text, "primary_label": None, "tags": [],
                                           "error": SENT_NOTE}, ensure_ascii=False))
                else:
                    click.echo(f"#{i} {m.time or ''} 我发出的 sent by you — {SENT_NOTE}\n    {m.text}\n")
                continue
            pred = next(preds)
            legal = legal_result(pred)
            if as_json:
                click.echo(json.dumps({**where, **pred.to_dict(), **legal, "model": clf.model_info},
                                      ensure_ascii=False))
            else:
                click.echo(f"#{i} {m.time or '时间未知'} 收到 received\n    {m.text}")
                click.echo(render_prediction(pred, {"legal": render_legal(legal, full=full)}))
                click.echo("")
    if failed == len(files):
        raise click.ClickException("no messages could be read from the image(s)")
