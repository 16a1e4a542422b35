"""Routes: the page (GET /), the JSON API (POST /api/classify, /api/batch, /api/report)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from starlette.background import BackgroundTask

from ... import __version__
from ...labels import TAGS, tags_for_display
from ...legal.advice import DISCLAIMER
from ...modeling.predict import Classifier
from ...scoring.core import message_json, score_texts
from .deps import Upload, get_classifier, remove, saved_upload
from .jobs import run_job, summary_header
from .schemas import ClassifyRequest, ClassifyResponse, ErrorResponse

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
MEDIA = {"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "jsonl": "application/x-ndjson; charset=utf-8", "parquet": "application/vnd.apache.parquet",
         "html": "text/html; charset=utf-8"}
FILE_ERRORS = {413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request, clf: Classifier = Depends(get_classifier)) -> HTMLResponse:
    return templates.TemplateResponse(request, "index.html", {
        "version": __version__, "model": clf.model_info, "tags": TAGS,
        "tags_json": json.dumps(tags_for_display(), ensure_ascii=False), "disclaimer": DISCLAIMER})


@router.post("/api/classify", response_model=ClassifyResponse, tags=["api"],
             responses={413: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
def classify(req: ClassifyRequest, clf: Classifier = Depends(get_classifier)) -> dict:
    """Classify one message (``text``) or many (``texts``): tags, scores, evidence, provisions, advice."""
    texts = [req.text] if req.text is not None else list(req.texts or [])
    rows = score_texts(clf, texts, [req.date] * len(texts), evidence="all", explain=req.evidence, context=req.context)
    return {"results": [message_json(r.prediction, clf.model_info) for r in rows]}


@router.post("/api/batch", tags=["api"], response_class=FileResponse,
             responses={200: {"description": "The scored file; summary counts in the X-Cuishou-Summary header (JSON)."},
                        **FILE_ERRORS})
def batch(upload: Upload = Depends(saved_upload),
          text_column: str | None = Query(None), date_column: str | None = Query(None),
          encoding: str | None = Query(None), format: str | None = Query(None, pattern="^(csv|xlsx|jsonl|parquet)$"),
          clf: Classifier = Depends(get_classifier)) -> FileResponse:
    """Score every row of an uploaded export and return the scored file (nothing is kept on the server)."""
    from ...scoring.batch import run_batch
    from .deps import UPLOAD_TYPES

    kind = UPLOAD_TYPES[upload.suffix]
    fmt = format or (kind if kind in ("xlsx", "jsonl", "parquet") else "csv")
    fd, out = tempfile.mkstemp(prefix="cuishou-scored-", suffix=f".{fmt}")
    os.close(fd)
    try:
        summary = run_job(run_batch, upload.path, out, text_column=text_column, date_column=date_column,
                          encoding=encoding, out_format=fmt, classifier=clf)
    except BaseException:
        remove(out)
        raise
    headers = {"X-Cuishou-Summary": summary_header(summary.to_dict())}
    return FileResponse(out, media_type=MEDIA[fmt], filename=f"{upload.stem}.scored.{fmt}", headers=headers,
                        background=BackgroundTask(remove, out))


@router.post("/api/report", tags=["api"], response_class=HTMLResponse,
             responses={200: {"description": "A self-contained HTML evidence report."}, **FILE_ERRORS})
def report(upload: Upload = Depends(saved_upload),
           text_column: str | None = Query(None), date_column: str | None = Query(None),
           sender_column: str | None = Query(None), mask: bool = Query(True), include_all: bool = Query(False),
           clf: Classifier = Depends(get_classifier)) -> HTMLResponse:
    """The evidence report (summary, charts, flagged messages, provisions, what to do) as one HTML page."""
    from ..report import build_report

    fd, out = tempfile.mkstemp(prefix="cuishou-report-", suffix=".html")
    os.close(fd)
    try:
        run_job(build_report, upload.path, out, mask=mask, include_all=include_all, text_column=text_column,
                date_column=date_column, sender_column=sender_column, classifier=clf)
        html = Path(out).read_text(encoding="utf-8").replace(Path(upload.path).name, str(escape(upload.name)))
    finally:
        remove(out)
    return HTMLResponse(html, headers={"Content-Disposition": f"inline; filename*=UTF-8''{quote(upload.stem)}.report.html"})


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, clf: Classifier = Depends(get_classifier)) -> HTMLResponse:
    return templates.TemplateResponse(request, "review.html", {
        "version": __version__, "model": clf.model_info, "tags": TAGS,
        "tags_json": json.dumps(tags_for_display(), ensure_ascii=False)})


@router.post("/api/review", tags=["api"], responses=FILE_ERRORS)
def review_list(upload: Upload = Depends(saved_upload), n: int = Query(100, ge=1, le=1000),
                text_column: str | None = Query(None), clf: Classifier = Depends(get_classifier)) -> dict:
    """The rows most worth a human look (see ``cuishou review``), as JSON for the review page."""
    from ...scoring.review import select_for_review

    found = run_job(select_for_review, clf, upload.path, n=n, text_column=text_column)
    col = {c: i for i, c in enumerate(found.columns)}
    return {"rows": [{"row": r[col["review_row"]], "text": str(r[found.text_index]), "reason": r[col["review_reason"]],
                      "margin": r[col["review_margin"]], "predicted_tags": r[col["predicted_tags"]]}
                     for r in found.rows],
            "skipped": found.skipped}
