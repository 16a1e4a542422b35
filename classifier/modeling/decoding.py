"""From per-tag probabilities to tag sets (the guide's rules); plain numpy, shared by every scoring path."""

from __future__ import annotations

import numpy as np

from ..labels import LAWFUL_REMINDER, NOT_COLLECTION, PRECEDENCE, TAG_NAMES, UNLAWFUL_TAGS

N_TAGS = len(TAG_NAMES)
#: Column indices of the unlawful tags (harassment, threat, third-party contact).
UNLAWFUL_IDX = np.array([TAG_NAMES.index(t) for t in UNLAWFUL_TAGS])
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
    unlawful = proba[:, UNLAWFUL_IDX] >= thresholds[UNLAWFUL_IDX]
    out[:, UNLAWFUL_IDX] = unlawful
    none = ~unlawful.any(axis=1)
    lr_margin = logit(proba[:, _LR_IDX]) - logit(thresholds[_LR_IDX])
    nc_margin = logit(proba[:, _NC_IDX]) - logit(thresholds[_NC_IDX])
    out[:, _LR_IDX] = none & (lr_margin > nc_margin)
    out[:, _NC_IDX] = none & (lr_margin <= nc_margin)
    return out


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
