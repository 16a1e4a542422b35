"""Shared fixtures. Unit tests use a small model fitted here; only tests marked as using the shipped
model read ``models/shipped``."""

from __future__ import annotations

import os

import pytest

from classifier import config
from classifier.modeling.dataset import load_split, tag_matrix
from classifier.modeling.pipeline import build_pipeline
from classifier.modeling.predict import Classifier

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")


@pytest.fixture(scope="session")
def small_train():
    """A fixed, label-balanced slice of the training split (enough for a usable small model)."""
    df = load_split("train")
    parts = [df[df["tags"] == t].head(60) for t in sorted(df["tags"].unique())]
    import pandas as pd

    return pd.concat(parts).sort_values("id").reset_index(drop=True)


@pytest.fixture(scope="session")
def small_pipeline(small_train):
    # 2**15 hashed features (shipped: 2**20) and 3 calibration folds (shipped: 5): the same pipeline,
    # fitted in seconds, so the fast suite stays fast
    pipe = build_pipeline(C=4.0, n_features=2**15)
    pipe.set_params(clf__cv=3)
    pipe.fit(small_train["text"].tolist(), tag_matrix(small_train["tags"]), clf__groups=small_train["group"].to_numpy())
    return pipe


@pytest.fixture(scope="session")
def small_classifier(small_pipeline):
    return Classifier(small_pipeline, {"model_id": "test-small", "sha256": "0" * 64})


@pytest.fixture(scope="session")
def shipped():
    """The shipped model (its manifest checked on load)."""
    return Classifier.load(config.SHIPPED_MODEL_DIR)
