"""Routes: the page (GET /), the JSON API (POST /api/classify, /api/batch, /api/report)."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from ... import __version__
from ...files.tabular import InputError
from ...labels import TAGS, tags_for_display
from ...legal.statutes import DISCLAIMER, attach
from ...modeling.predict import Classifier
from .deps import get_classifier
from .schemas import ClassifyRequest, ClassifyResponse, ErrorResponse

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
UPLOAD_TYPES = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl"}
MEDIA = {"csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "jsonl": "application/x-ndjson; charset=utf-8", "html": "text/html; charset=utf-8"}


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
    preds = clf.predict_many(texts, [req.date] * len(texts), explain_evidence=req.evidence,
                             contexts=[req.context] * len(texts))
    return {"results": [{**p.to_dict(), **attach(p), "model": clf.model_info} for p in preds]}


def _save_upload(upload: UploadFile) -> tuple[str, str]:
    name = upload.filename or ""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise HTTPException(415, f"unsupported file type {suffix or '(none)'}: upload .csv, .tsv, .txt, .xlsx or .jsonl")
    fd, path = tempfile.mkstemp(prefix="cuishou-upload-", suffix=suffix)
    with os.fdopen(fd, "wb") as out:
        while block := upload.file.read(1 << 20):
            out.write(block)
    return path, suffix


def _cleanup(*paths: str) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)


@router.post("/api/batch", tags=["api"], response_class=FileResponse,
             responses={200: {"description": "The scored file; summary counts in the X-Cuishou-Summary header (JSON)."},
                        413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
def batch(file: UploadFile = File(..., description="CSV/TSV/XLSX/JSON Lines export"),
          text_column: str | None = Query(None), date_column: str | None = Query(None),
          encoding: str | None = Query(None), format: str | None = Query(None, pattern="^(csv|xlsx|jsonl)$"),
          clf: Classifier = Depends(get_classifier)) -> FileResponse:
    """Score every row of an uploaded export and return the scored file (nothing is kept on the server)."""
    from ...scoring.batch import run_batch

    src, suffix = _save_upload(file)
    fmt = format or ("xlsx" if suffix == ".xlsx" else "jsonl" if UPLOAD_TYPES[suffix] == "jsonl" else "csv")
    fd, out = tempfile.mkstemp(prefix="cuishou-scored-", suffix=f".{fmt}")
    os.close(fd)
    try:
        summary = run_batch(src, out, text_column=text_column, date_column=date_column, encoding=encoding,
                            out_format=fmt, classifier=clf)
    except InputError as e:
        _cleanup(src, out)
        raise HTTPException(422, str(e).replace(src, file.filename or "upload")) from None
    except BaseException:
        _cleanup(src, out)
        raise
    _cleanup(src)
    stem = Path(file.filename or "messages").stem
    headers = {"X-Cuishou-Summary": json.dumps(summary.to_dict(), ensure_ascii=True)}
    return FileResponse(out, media_type=MEDIA[fmt], filename=f"{stem}.scored.{fmt}", headers=headers,
                        background=BackgroundTask(_cleanup, out))


@router.post("/api/report", tags=["api"], response_class=HTMLResponse,
             responses={200: {"description": "A self-contained HTML evidence report."},
                        413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
def report(file: UploadFile = File(..., description="CSV/TSV/XLSX/JSON Lines export of one person's messages"),
           text_column: str | None = Query(None), date_column: str | None = Query(None),
           sender_column: str | None = Query(None), mask: bool = Query(True), include_all: bool = Query(False),
           clf: Classifier = Depends(get_classifier)) -> HTMLResponse:
    """The evidence report (summary, charts, flagged messages, provisions, what to do) as one HTML page."""
    from ..report import build_report

    src, _ = _save_upload(file)
    fd, out = tempfile.mkstemp(prefix="cuishou-report-", suffix=".html")
    os.close(fd)
    try:
        build_report(src, out, mask=mask, include_all=include_all, text_column=text_column, date_column=date_column,
                     sender_column=sender_column, classifier=clf)
        html = Path(out).read_text(encoding="utf-8").replace(Path(src).name, file.filename or "upload")
    except InputError as e:
        raise HTTPException(422, str(e).replace(src, file.filename or "upload")) from None
    finally:
        _cleanup(src, out)
    stem = quote(Path(file.filename or "messages").stem)
    return HTMLResponse(html, headers={"Content-Disposition": f"inline; filename*=UTF-8''{stem}.report.html"})


@router.get("/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(request: Request, clf: Classifier = Depends(get_classifier)) -> HTMLResponse:
    return templates.TemplateResponse(request, "review.html", {
        "version": __version__, "model": clf.model_info, "tags": TAGS,
        "tags_json": json.dumps(tags_for_display(), ensure_ascii=False)})


@router.post("/api/review", tags=["api"], responses={415: {"model": ErrorResponse}, 422: {"model": ErrorResponse}})
def review_list(file: UploadFile = File(..., description="An export or a scored file"),
                n: int = Query(100, ge=1, le=1000), text_column: str | None = Query(None),
                clf: Classifier = Depends(get_classifier)) -> dict:
    """The rows most worth a human look (see ``cuishou review``), as JSON for the review page."""
    from ...files.tabular import TEXT_COLUMN_NAMES, find_column
    from ...scoring.review import select_for_review

    src, _ = _save_upload(file)
    try:
        columns, rows = select_for_review(clf, src, n=n, text_column=text_column)
        t_idx = find_column(columns, text_column, TEXT_COLUMN_NAMES, "text", src)
    except InputError as e:
        raise HTTPException(422, str(e).replace(src, file.filename or "upload")) from None
    finally:
        _cleanup(src)
    col = {c: i for i, c in enumerate(columns)}
    return {"rows": [{"row": r[col["review_row"]], "text": str(r[t_idx]), "reason": r[col["review_reason"]],
                      "margin": r[col["review_margin"]], "predicted_tags": r[col["predicted_tags"]]} for r in rows]}
