"""The model: normalize -> TF-IDF over word/char/pinyin n-grams -> one logistic regression per tag.

``MultiTagClassifier`` fits one L2 logistic regression per tag (one-vs-rest), calibrates each with
Platt scaling on out-of-fold decision values (folds split by template family, so calibration is
not fooled by near-duplicates), and keeps only plain arrays: coefficients, intercepts and the two
Platt parameters per tag. Scoring all tags is then one sparse matrix product, and the fitted model
holds no training text.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from ..labels import LAWFUL_REMINDER, NOT_COLLECTION, PRECEDENCE, TAG_NAMES, UNLAWFUL_TAGS
from ..text.features import NgramHasher, load_user_words
from ..text.normalize import TextNormalizer

N_TAGS = len(TAG_NAMES)
_UNLAWFUL_IDX = np.array([TAG_NAMES.index(t) for t in UNLAWFUL_TAGS])
_LR_IDX = TAG_NAMES.index(LAWFUL_REMINDER)
_NC_IDX = TAG_NAMES.index(NOT_COLLECTION)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def decode(proba: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Turn per-tag probabilities into tag sets that obey the guide's rules.

    Unlawful tags are on when their probability reaches their threshold, and then they are the
    whole set. Otherwise exactly one of ``lawful_reminder`` / ``not_collection`` is chosen: the one
    whose probability is further above (or less below) its own threshold, on the logit scale.
    """
    proba = np.atleast_2d(proba)
    out = np.zeros(proba.shape, dtype=bool)
    unlawful = proba[:, _UNLAWFUL_IDX] >= thresholds[_UNLAWFUL_IDX]
    out[:, _UNLAWFUL_IDX] = unlawful
    none = ~unlawful.any(axis=1)
    lr_margin = logit(proba[:, _LR_IDX]) - logit(thresholds[_LR_IDX])
    nc_margin = logit(proba[:, _NC_IDX]) - logit(thresholds[_NC_IDX])
    out[:, _LR_IDX] = none & (lr_margin > nc_margin)
    out[:, _NC_IDX] = none & (lr_margin <= nc_margin)
    return out


#: Default band for :func:`unsure` (logit units) when a model does not carry its own ``unsure_margin_``.
UNSURE_MARGIN = 1.0


def unsure(proba: np.ndarray, thresholds: np.ndarray, margin: float = UNSURE_MARGIN) -> np.ndarray:
    """Rows whose tag set is not clear: "clearly" means at least ``margin`` away on the logit scale.

    A row is unsure when some unlawful tag's calibrated score lies within ``margin`` of its
    threshold (on either side: a tag just above is doubtful, and one just below is a near miss), or,
    when no unlawful tag is on, when the lawful-reminder / not-collection choice of :func:`decode` is
    decided by less than ``margin``. ``margin`` 1.0 is a factor e (2.7) in the odds, e.g. with a
    threshold of 0.5 the band is 0.27–0.73.
    """
    proba = np.atleast_2d(proba)
    d = logit(proba) - logit(thresholds)
    near = (np.abs(d[:, _UNLAWFUL_IDX]) < margin).any(axis=1)
    none = (d[:, _UNLAWFUL_IDX] < 0).all(axis=1)
    close_call = none & (np.abs(d[:, _LR_IDX] - d[:, _NC_IDX]) < margin)
    return near | close_call


def _tags_of_bits(bits: int) -> tuple[str, ...]:
    on = {TAG_NAMES[i] for i in range(N_TAGS) if bits >> i & 1}
    return tuple(t for t in PRECEDENCE if t in on)


_TAGS_BY_BITS = [_tags_of_bits(b) for b in range(1 << N_TAGS)]
_BIT_WEIGHTS = 1 << np.arange(N_TAGS)


def tags_of(row: np.ndarray) -> tuple[str, ...]:
    """Tag names of one boolean row of :func:`decode`, most serious first."""
    return _TAGS_BY_BITS[int(row @ _BIT_WEIGHTS)]


def tags_of_rows(rows: np.ndarray) -> list[tuple[str, ...]]:
    """:func:`tags_of` for every row at once."""
    return [_TAGS_BY_BITS[b] for b in (rows.astype(np.int64) @ _BIT_WEIGHTS).tolist()]


class MultiTagClassifier(ClassifierMixin, BaseEstimator):
    """One calibrated logistic regression per tag; ``predict`` applies the tag-set rules.

    ``fit(X, Y, groups=None)`` takes a binary indicator matrix ``Y`` with one column per tag in
    ``labels.TAG_NAMES`` order. ``thresholds_`` start at 0.5; training sets them from the dev split.
    """

    def __init__(self, C: float = 8.0, class_weight: str | None = "balanced", cv: int = 5,
                 max_iter: int = 5000, random_state: int = 0):
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state

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
        self.thresholds_ = np.full(N_TAGS, 0.5)
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
        return decode(self.predict_proba(X), self.thresholds_)

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
                   word_ngram_max: int = 2, concepts: bool = True) -> Pipeline:
    """The untrained model. ``min_df=2`` gives no weight to one-off strings (names, numbers).

    ``concepts``: add the domain lexicon's concept and context tokens (``text.lexicon``) to the n-grams.
    """
    return Pipeline([
        ("normalize", TextNormalizer()),
        ("ngrams", NgramHasher(n_features=n_features, word_ngram_max=word_ngram_max, char_ngram_range=char_ngram_range,
                               pinyin_ngram_range=pinyin_ngram_range, backend=backend, user_words=load_user_words(),
                               min_df=min_df, concepts=concepts)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
        ("clf", MultiTagClassifier(C=C)),
    ])
