"""Project paths. Every other module takes its paths from here; importing this has no side effects."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJ_ROOT = PACKAGE_DIR.parent
RESOURCES_DIR = PACKAGE_DIR / "resources"

DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
WRITTEN_DIR = RAW_DIR / "written"
REAL_DIR = RAW_DIR / "real"
INTERIM_DIR = DATA_DIR / "interim"
PROCESSED_DIR = DATA_DIR / "processed"

MODELS_DIR = PROJ_ROOT / "models"
SHIPPED_MODEL_DIR = MODELS_DIR / "shipped"
REPORTS_DIR = PROJ_ROOT / "reports"

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"

#: Environment variable that points every command at another model directory.
MODEL_ENV = "CUISHOU_MODEL"


def default_model_dir() -> Path:
    """The model directory to use: ``$CUISHOU_MODEL`` if set, else the shipped model.

    The shipped model lives in the checkout's ``models/``; when the package is installed without
    ``-e``, ``models/shipped`` under the current directory is used instead.
    """
    override = os.environ.get(MODEL_ENV)
    if override:
        return Path(override)
    return project_models_dir() / "shipped"


def project_models_dir() -> Path:
    """This project's ``models/`` folder (the checkout's, or the current directory's)."""
    return MODELS_DIR if MODELS_DIR.exists() else Path.cwd() / "models"
