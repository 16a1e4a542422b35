"""Dependencies handed to the routes (replaceable in tests through ``app.dependency_overrides``)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi import File, HTTPException, Request, UploadFile

from ...files.tabular import InputError
from ...modeling.predict import Classifier

#: File types the page accepts, by suffix, and the format each is read as.
UPLOAD_TYPES = {".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl",
                ".parquet": "parquet",
                # screenshots, SMS Backup & Restore XML, iPhone sms.db (recognized by content; scored to CSV)
                ".png": "csv", ".jpg": "csv", ".jpeg": "csv", ".webp": "csv", ".xml": "csv", ".db": "csv",
                ".sqlite": "csv"}


def get_classifier(request: Request) -> Classifier:
    """The classifier loaded once at start-up (see ``app.lifespan``)."""
    return request.app.state.classifier


@dataclass(frozen=True)
class Upload:
    """An uploaded export saved to a temporary file (``path``) under the user's file ``name``."""

    path: str
    name: str
    suffix: str

    @property
    def stem(self) -> str:
        return Path(self.name or "messages").stem


def saved_upload(file: UploadFile = File(..., description="CSV/TSV/XLSX/JSON Lines/Parquet export, screenshot, "
                                                          "SMS backup XML or iPhone sms.db")
                 ) -> Iterator[Upload]:
    """Save the upload, hand it to the route, delete it afterwards whatever happens.

    Unsupported types get 415; an ``InputError`` raised while the route reads the file becomes 422,
    naming the user's file, never the temporary path.
    """
    name = file.filename or ""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise HTTPException(415, f"unsupported file type {suffix or '(none)'}: upload "
                                 f"{', '.join(sorted(UPLOAD_TYPES))}")
    fd, path = tempfile.mkstemp(prefix="cuishou-upload-", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            while block := file.file.read(1 << 20):
                out.write(block)
        yield Upload(path, name or "upload", suffix)
    except InputError as e:
        raise HTTPException(422, str(e).replace(path, name or "upload")) from None
    finally:
        remove(path)


def remove(*paths: str) -> None:
    """Delete files that may already be gone."""
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(p)
