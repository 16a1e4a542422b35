"""The normalization step of the scikit-learn pipeline (kept out of ``normalize`` so scoring needs no scikit-learn)."""

from __future__ import annotations

from sklearn.base import BaseEstimator, TransformerMixin

from .normalize import normalize


class TextNormalizer(TransformerMixin, BaseEstimator):
    """Pipeline step wrapping :func:`normalize`; stateless, so ``fit`` learns nothing.

    Non-strings (NaN from pandas) become "".
    """

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return [normalize(x) if isinstance(x, str) else "" for x in X]

    def __sklearn_is_fitted__(self) -> bool:
        return True
