"""The model: normalize -> [TF-IDF over word/char/pinyin n-grams | domain concepts] -> one logistic regression per tag.

``MultiTagClassifier`` fits one L2 logistic regression per tag (one-vs-rest), calibrates each with
Platt scaling on out-of-fold decision values (folds split by template family, so calibration is
not fooled by near-duplicates), and keeps only plain arrays: coefficients, intercepts and the two
Platt parameters per tag. Scoring all tags is then one sparse matrix product, and the fitted model
holds no training text.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, cross_val_predict
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from ..labels import TAG_NAMES
from ..text.features import ConceptFeatures, NgramHasher, load_user_words
from ..text.normalizer_step import TextNormalizer
from .decoding import N_TAGS, UNLAWFUL_IDX, decode, logit, tags_of, tags_of_rows  # noqa: F401 (re-exported)


class MultiTagClassifier(ClassifierMixin, BaseEstimator):
    """One calibrated logistic regression per tag; ``predict`` applies the tag-set rules.

    ``fit(X, Y, groups=None)`` takes a binary indicator matrix ``Y`` with one column per tag in
    ``labels.TAG_NAMES`` order.

    ``thresholds`` (one probability per tag, default 0.5) decide the tags of a message;
    ``turn_thresholds`` (default: ``thresholds``) those of one turn of a call transcript. They are
    parameters, not learned state: training tunes them on the dev split and sets them with
    ``set_params`` (see ``modeling.train``); changing them needs no refit.
    """

    def __init__(self, C: float = 8.0, class_weight: str | None = "balanced", cv: int = 5,
                 max_iter: int = 5000, random_state: int = 0, thresholds=None, turn_thresholds=None):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state
        self.thresholds = thresholds
        self.turn_thresholds = turn_thresholds

    def decision_thresholds(self, turn: bool = False) -> np.ndarray:
        """Per-tag thresholds as an array: ``thresholds`` (0.5 if unset), or for ``turn`` the turn ones."""
        base = np.full(N_TAGS, 0.5) if self.thresholds is None else np.asarray(self.thresholds, dtype=float)
        if turn and self.turn_thresholds is not None:
            return np.asarray(self.turn_thresholds, dtype=float)
        return base

    def _lr(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                  max_iter=self.max_iter, random_state=self.random_state)

    def fit(self, X, Y, groups=None):
        Y = np.asarray(Y).astype(int)
        if Y.ndim != 2 or Y.shape[1] != N_TAGS:
            raise ValueError(f"Y must have one column per tag ({N_TAGS}), got shape {Y.shape}")
        if groups is not None:
            splits = list(GroupKFold(n_splits=self.cv).split(X, Y, groups))
        else:
            splits = list(KFold(n_splits=self.cv, shuffle=True, random_state=self.random_state).split(X))
        n_features = X.shape[1]
        self.coef_ = np.zeros((N_TAGS, n_features), dtype=np.float64)
        self.intercept_ = np.zeros(N_TAGS)
        self.calibration_ = np.zeros((N_TAGS, 2))  # p = sigmoid(a * f + b)
        for j in range(N_TAGS):
            y = Y[:, j]
            if y.min() == y.max():
                raise ValueError(f"tag {TAG_NAMES[j]} has only one class in the training data")
            lr = self._lr().fit(X, y)
            self.coef_[j] = lr.coef_[0]
            self.intercept_[j] = lr.intercept_[0]
            oof = cross_val_predict(self._lr(), X, y, cv=splits, method="decision_function")
            platt = LogisticRegression(C=1e4, solver="lbfgs").fit(oof.reshape(-1, 1), y)
            self.calibration_[j] = (platt.coef_[0, 0], platt.intercept_[0])
        self.classes_ = np.array(TAG_NAMES)
        self.n_features_in_ = n_features
        return self

    def decision_function(self, X) -> np.ndarray:
        check_is_fitted(self)
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probability of each tag (columns in ``classes_`` order; they need not sum to 1)."""
        f = self.decision_function(X)
        z = f * self.calibration_[:, 0] + self.calibration_[:, 1]
        return 1.0 / (1.0 + np.exp(-z))

    def predict(self, X) -> np.ndarray:
        """Boolean tag matrix obeying the tag-set rules (see :func:`decode`)."""
        return decode(self.predict_proba(X), self.decision_thresholds())

    def contributions(self, x_row: sparse.spmatrix, tag_index: int) -> tuple[np.ndarray, np.ndarray]:
        """Feature indices of one row and their contribution (tf-idf x coefficient) to one tag."""
        x_row = sparse.csr_matrix(x_row)
        return x_row.indices, x_row.data * self.coef_[tag_index, x_row.indices]

    def compact(self) -> MultiTagClassifier:
        """Store coefficients as float32 (halves the model; scores change by < 1e-5)."""
        self.coef_ = self.coef_.astype(np.float32)
        return self


def build_pipeline(backend: str = "rjieba", C: float = 8.0, min_df: int = 2, n_features: int = 2**20,
                   char_ngram_range: tuple[int, int] = (1, 3), pinyin_ngram_range: tuple[int, int] = (2, 3),
                   word_ngram_max: int = 2, concept_weight: float | None = 0.3) -> Pipeline:
    """The untrained model. ``min_df=2`` gives no weight to one-off strings (names, numbers).

    The n-gram block learns the wording of the training messages; the concept block (the domain lexicon
    of ``text.concepts``) says what a message talks about in words the training text may never use, which
    is what carries over to real collectors' messages. ``concept_weight=None`` leaves it out.
    """
    ngrams = Pipeline([
        ("hash", NgramHasher(n_features=n_features, word_ngram_max=word_ngram_max, char_ngram_range=char_ngram_range,
                             pinyin_ngram_range=pinyin_ngram_range, backend=backend, user_words=load_user_words(),
                             min_df=min_df)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])
    blocks = [("ngrams", ngrams)]
    if concept_weight is not None:
        blocks.append(("concepts", ConceptFeatures(weight=concept_weight)))
    return Pipeline([
        ("normalize", TextNormalizer()),
        ("features", FeatureUnion(blocks)),
        ("clf", MultiTagClassifier(C=C)),
    ])


class Parts(NamedTuple):
    """The fitted pieces of a pipeline, whatever its layout: the n-gram hasher, TF-IDF, the concept block
    (``None`` if the model has none) and the classifier. Column order: n-gram buckets, then concepts."""

    hasher: NgramHasher
    tfidf: TfidfTransformer
    concepts: ConceptFeatures | None
    clf: MultiTagClassifier


def parts(pipeline: Pipeline) -> Parts:
    """The one place that knows where each piece sits (models saved before the concept block had a flat
    ``normalize, ngrams, tfidf, clf`` layout; they still load)."""
    steps = dict(pipeline.steps)
    if "features" in steps:
        blocks = dict(steps["features"].transformer_list)
        ngrams = dict(blocks["ngrams"].steps)
        return Parts(ngrams["hash"], ngrams["tfidf"], blocks.get("concepts"), steps["clf"])
    return Parts(steps["ngrams"], steps["tfidf"], None, steps["clf"])


def features(pipeline: Pipeline, norms: list[str]):
    """The feature matrix of normalized messages (what ``clf`` scores)."""
    p = parts(pipeline)
    X = p.tfidf.transform(p.hasher.transform(norms))
    if p.concepts is not None:
        X = sparse.hstack([X, p.concepts.transform(norms)], format="csr")
    return X
