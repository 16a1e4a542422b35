"""Features: jieba word n-grams, character n-grams and pinyin n-grams of normalized text, hashed.

Word segmentation uses jieba's dictionary and algorithm. The default backend is rjieba, the Rust
port of jieba (same dictionary and HMM), because pure-Python jieba tokenizes about 7,800 messages/s
here and was most of the cost of scoring; the backend is a model parameter recorded in the model
manifest, so training and scoring always use the same one. Pure-Python jieba stays available
(``backend="jieba"``) for comparison.

Pinyin features come from pypinyin's character dictionary (toneless, first reading, with a few
domain overrides such as 还 -> huan), so homophone tricks (环钱, 通迅录) and typed pinyin
("huan qian", "tongxunlu") land on the same features as the characters they stand for.

``NgramHasher`` turns a batch of messages into n-gram counts in one vectorized pass: the batch is
joined into one string, segmented by one jieba call, turned into code points with numpy, and every
n-gram is hashed (a fixed 64-bit polynomial hash, stable across processes and machines) into
``n_features`` buckets, like scikit-learn's HashingVectorizer but without a Python loop over
n-grams. TF-IDF weighting is scikit-learn's ``TfidfTransformer`` on these counts. The model stores
no vocabulary, so it holds none of the training text. ``occurrences`` returns where in each message
every n-gram sits, which is how evidence is traced back to words.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .concepts import MODEL_CONCEPTS, concept_values
from .ngram_core import (  # noqa: F401 (re-exported: features.X keeps working)
    _WORD_IDS,
    BACKENDS,
    BOUNDARY,
    DOC_SEP,
    SYLLABLE_IDS,
    SYLLABLE_NAMES,
    SYLLABLE_TABLE_PATH,
    USER_DICT_PATH,
    _ngram_hashes,
    _syllables,
    _tokenizer,
    build_syllable_table,
    load_user_words,
    pinyin_syllables,
)


class NgramHasher(TransformerMixin, BaseEstimator):
    """Counts of hashed word, character and pinyin n-grams (rows = messages, columns = buckets).

    ``fit`` learns which buckets occur in at least ``min_df`` training messages (``keep_``); the rest
    are dropped at transform time, so one-off strings (names, numbers) carry no weight.
    """

    def __init__(self, n_features: int = 2**20, word_ngram_max: int = 2, char_ngram_range: tuple[int, int] = (1, 3),
                 pinyin_ngram_range: tuple[int, int] = (2, 3), backend: str = "rjieba",
                 user_words: tuple[str, ...] = (), min_df: int = 2):
        self.n_features = n_features
        self.word_ngram_max = word_ngram_max
        self.char_ngram_range = char_ngram_range
        self.pinyin_ngram_range = pinyin_ngram_range
        self.backend = backend
        self.user_words = user_words
        self.min_df = min_df

    def fit(self, X, y=None):
        if self.n_features & (self.n_features - 1):
            raise ValueError(f"n_features must be a power of two, got {self.n_features}")
        counts = self._counts(list(X))
        df = np.bincount(counts.indices, minlength=self.n_features)
        self.keep_ = df >= self.min_df
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        check_is_fitted(self)
        return self._mask(self._counts(list(X)))

    def occurrences(self, docs: list[str]) -> tuple[sparse.csr_matrix, dict[str, np.ndarray]]:
        """Counts plus every kept n-gram occurrence: ``doc``, ``bucket``, ``start``, ``end`` (in each doc)."""
        check_is_fitted(self)
        counts, occ = self._counts(docs, positions=True)
        keep = self.keep_[occ["bucket"]]
        return self._mask(counts), {k: v[keep] for k, v in occ.items()}

    def _mask(self, counts: sparse.csr_matrix) -> sparse.csr_matrix:
        counts.data[~self.keep_[counts.indices]] = 0
        counts.eliminate_zeros()
        return counts

    def _counts(self, docs: list[str], positions: bool = False):
        docs = [d if isinstance(d, str) else "" for d in docs]
        n_docs = len(docs)
        mask = self.n_features - 1
        big = DOC_SEP.join(docs)
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=n_docs)
        doc_start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]) if n_docs else np.zeros(0, np.int64)
        n_chars = len(big)
        doc_of = np.repeat(np.arange(n_docs), lengths + 1)[:n_chars] if n_docs else np.zeros(0, np.int64)
        parts_b, parts_s, parts_e = [], [], []
        # characters
        cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        brk = (cp == 0x20) | (cp == 0x0A) | (cp == 0x1E)
        lo, hi = self.char_ngram_range
        b, st, sz = _ngram_hashes(cp, brk, lo, hi, "char", mask)
        for bb, ss, kk in zip(b, st, sz, strict=True):
            parts_b.append(bb)
            parts_s.append(ss)
            parts_e.append(ss + kk)
        # pinyin
        lo, hi = self.pinyin_ngram_range
        if hi >= lo:
            syl, pos = _syllables(docs, big)
            b, st, sz = _ngram_hashes(syl, syl < 0, lo, hi, "pinyin", mask)
            for bb, ss, kk in zip(b, st, sz, strict=True):
                parts_b.append(bb)
                parts_s.append(pos[ss])
                parts_e.append(pos[ss + kk - 1] + 1)
        # words
        tok = _tokenizer(self.backend, tuple(self.user_words))
        toks = tok.lcut(big) if hasattr(tok, "lcut") else tok.cut(big)  # jieba.cut is a generator
        tok_len = np.fromiter(map(len, toks), dtype=np.int64, count=len(toks))
        tok_start = np.concatenate([[0], np.cumsum(tok_len)[:-1]]) if len(toks) else np.zeros(0, np.int64)
        tok_id = np.fromiter(map(_WORD_IDS.__getitem__, toks), dtype=np.int64, count=len(toks))
        kept = tok_id != 0
        ids, starts, ends = tok_id[kept], tok_start[kept], (tok_start + tok_len)[kept]
        b, st, sz = _ngram_hashes(ids, ids < 0, 1, self.word_ngram_max, "word", mask)
        for bb, ss, kk in zip(b, st, sz, strict=True):
            parts_b.append(bb)
            parts_s.append(starts[ss])
            parts_e.append(ends[ss + kk - 1])
        bucket = np.concatenate(parts_b) if parts_b else np.zeros(0, np.int64)
        start = np.concatenate(parts_s) if parts_s else np.zeros(0, np.int64)
        doc = doc_of[start] if len(start) else np.zeros(0, np.int64)
        counts = sparse.csr_matrix((np.ones(len(bucket), dtype=np.float32), (doc, bucket)),
                                   shape=(n_docs, self.n_features))
        counts.sum_duplicates()
        if not positions:
            return counts
        end = np.concatenate(parts_e) if parts_e else np.zeros(0, np.int64)
        return counts, {"doc": doc, "bucket": bucket, "start": start - doc_start[doc], "end": end - doc_start[doc]}


class ConceptFeatures(TransformerMixin, BaseEstimator):
    """The domain-lexicon block (``text.concepts``): per message, which concepts occur, as an L2-normalized
    binary row times ``weight``. ``weight`` sets how much the block counts next to the L2-normalized n-gram
    block; 0.3 was chosen on the real train + dev messages with the model trained on written text alone."""

    def __init__(self, weight: float = 0.3, names: tuple[str, ...] | None = None):
        self.weight = weight
        self.names = names

    def fit(self, X, y=None):
        self.names_ = tuple(self.names) if self.names is not None else MODEL_CONCEPTS
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        check_is_fitted(self)
        values, _ = concept_values(list(X), self.names_, self.weight)
        return sparse.csr_matrix(values)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        return np.array(self.names_, dtype=object)
