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

    The shipped model is found from the code, never from the current directory: a ``models/shipped``
    planted where the tool is run must not be loaded (a model file can run code).
    """
    override = os.environ.get(MODEL_ENV)
    if override:
        return Path(override)
    return project_models_dir() / "shipped"


def project_models_dir() -> Path:
    """This project's ``models/`` folder: the checkout's (also an editable install), else the installed package's.

    Installed from a wheel, the code lives in site-packages, which holds no ``models/`` of ours, so the
    package's own ``classifier/models`` is used (package data when a wheel ships the model).
    """
    if MODELS_DIR.exists() and (PROJ_ROOT / "pyproject.toml").exists():
        return MODELS_DIR
    return PACKAGE_DIR / "models"
