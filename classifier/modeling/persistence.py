"""Loading a model directory, the one place that does: checks before unpickling, clear errors."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from .. import config
from ..files.digest import sha256_file
from ..labels import TAG_NAMES


class ModelError(RuntimeError):
    """The model cannot be loaded: missing, tampered with, untrusted, or from another library version."""


def _is_shipped(model_dir: Path) -> bool:
    try:
        return model_dir.resolve().parent == config.project_models_dir().resolve()
    except OSError:
        return False


def load_model(model_dir: Path | None = None, *, trust: bool = False):
    """Load ``(pipeline, manifest)`` from a model directory, after checking it.

    joblib files are pickles, and unpickling can run code, so a file is only unpickled after its
    sha256 matches the manifest beside it. Directories outside the project's ``models/`` also need
    ``trust=True`` (the CLI's ``--trust-model``): only load models you made or got from a source you trust.
    """
    model_dir = Path(model_dir) if model_dir else config.default_model_dir()
    model_path, manifest_path = model_dir / config.MODEL_FILE, model_dir / config.MANIFEST_FILE
    if not model_path.exists() or not manifest_path.exists():
        raise ModelError(f"no model in {model_dir} (need {config.MODEL_FILE} and {config.MANIFEST_FILE}); "
                         "train one with `python -m classifier train`")
    if not _is_shipped(model_dir) and not trust:
        raise ModelError(f"{model_dir} is outside this project's models/ folder. A model file can run code when "
                         "loaded; if you trust it, pass --trust-model (or trust=True)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ModelError(f"unreadable manifest {manifest_path}: {e}") from e
    import joblib  # only the pickle path needs joblib and scikit-learn (about a second to import)
    import sklearn

    expected = manifest.get("sha256")
    actual = sha256_file(model_path)
    if expected != actual:
        raise ModelError(f"{model_path} does not match its manifest (sha256 {actual[:12]}… != {str(expected)[:12]}…); "
                         "refusing to load it. Retrain with `python -m classifier train` or restore the file")
    trained_with = manifest.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelError(f"the model was trained with scikit-learn {trained_with}, this is {sklearn.__version__}; "
                         f"install scikit-learn=={trained_with} (the project pins it) or retrain")
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=sklearn.exceptions.InconsistentVersionWarning)
        try:
            pipeline = joblib.load(model_path)
        except sklearn.exceptions.InconsistentVersionWarning as e:
            raise ModelError(f"model/library version mismatch: {e}") from e
    labels = list(dict(pipeline.steps)["clf"].classes_)
    if labels != list(TAG_NAMES):
        raise ModelError(f"the model predicts {labels}, this version of the tool expects {list(TAG_NAMES)}")
    return pipeline, manifest


def load_runtime_manifest(model_dir: Path) -> dict:
    """The manifest of a runtime model directory: ``manifest.json`` if present (plain JSON), else ``runtime.json``'s."""
    path = model_dir / config.MANIFEST_FILE
    if path.exists():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ModelError(f"unreadable manifest {path}: {e}") from e
    try:
        spec = json.loads((model_dir / "runtime.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"unreadable runtime model in {model_dir}: {e}") from e
    return {"model_id": spec.get("model_id") if isinstance(spec, dict) else None,
            "sha256": (spec.get("files") or {}).get("runtime.npz") if isinstance(spec, dict) else None}
