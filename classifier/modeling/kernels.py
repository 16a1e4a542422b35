"""Compiled (numba) kernels of the runtime model: n-gram hashing, TF-IDF, the five scores, evidence.

numba compiles these Python functions to machine code on first use and caches the result on disk
(``cache=True``), so a process pays the compile once per installation and then ~0.1 s to load;
numba ships wheels for every supported platform, so nothing must be installed by hand. The kernels
compute, message by message, exactly what ``RuntimeModel``'s numpy path computes over the whole
batch (same hashes as ``ngram_core._ngram_hashes``, same float32 TF-IDF); tests pin them to it and
to the scikit-learn pipeline.
"""

from __future__ import annotations

import os

import numba as nb
import numpy as np

_P = np.uint64(1_000_003)
_CHAR = np.uint64(0x9E3779B97F4A7C15)
_PINYIN = np.uint64(0xC2B2AE3D27D4EB4F)
_WORD = np.uint64(0x165667B19E3779F9)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@nb.njit(cache=True, inline="always")
def _mix(h):
    h = h ^ (h >> np.uint64(30))
    h = h * _M1
    h = h ^ (h >> np.uint64(27))
    h = h * _M2
    return h ^ (h >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _popcount(x):
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@nb.njit(cache=True, inline="always")
def _column(h, mask, keep_bits, keep_rank):
    """Column of the bucket of hash ``h`` among the kept buckets, or -1. A bitmap with a rank per 64-bit
    word (192 KB for 2^20 buckets, so it stays in cache) instead of a 4 MB bucket -> column table."""
    bucket = h & np.uint64(mask)
    w = np.int64(bucket >> np.uint64(6))
    bit = bucket & np.uint64(63)
    bits = keep_bits[w]
    if (bits >> bit) & np.uint64(1) == 0:
        return -1
    return keep_rank[w] + _popcount(bits & ((np.uint64(1) << bit) - np.uint64(1)))


@nb.njit(cache=True, inline="always")
def _char_break(x):
    return x == 0x20 or x == 0x0A or x == 0x1E


@nb.njit(cache=True)
def _doc_ngrams(d, cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, sp, wp, params, keep_bits, keep_rank,
                out_col, out_start, out_end):
    """Kept n-grams of document ``d``: fills the buffers, returns (count, next syllable index, next word index)."""
    c_lo, c_hi, p_lo, p_hi, w_hi, mask = params[0], params[1], params[2], params[3], params[4], params[5]
    a = doc_start[d]
    b = a + doc_len[d]
    n = 0
    # characters: window i..j of the code points; start i, end j + 1
    for i in range(a, b):
        h = np.uint64(0)
        for k in range(1, c_hi + 1):
            j = i + k - 1
            if j >= b or _char_break(cp[j]):
                break
            h = np.uint64(cp[j]) if k == 1 else h * _P + np.uint64(cp[j])
            if k >= c_lo:
                c = _column(_mix(h ^ (_CHAR + np.uint64(k))), mask, keep_bits, keep_rank)
                if c >= 0:
                    out_col[n] = c
                    out_start[n] = i
                    out_end[n] = j + 1
                    n += 1
    # pinyin syllables whose position lies in the document
    while sp < len(syl_pos) and syl_pos[sp] < a:
        sp += 1
    s0 = sp
    while sp < len(syl_pos) and syl_pos[sp] < b:
        sp += 1
    if p_hi >= p_lo:
        for i in range(s0, sp):
            h = np.uint64(0)
            for k in range(1, p_hi + 1):
                j = i + k - 1
                if j >= sp or syl[j] < 0:
                    break
                h = np.uint64(syl[j]) if k == 1 else h * _P + np.uint64(syl[j])
                if k >= p_lo:
                    c = _column(_mix(h ^ (_PINYIN + np.uint64(k))), mask, keep_bits, keep_rank)
                    if c >= 0:
                        out_col[n] = c
                        out_start[n] = syl_pos[i]
                        out_end[n] = syl_pos[j] + 1
                        n += 1
    # words
    while wp < len(wstart) and wstart[wp] < a:
        wp += 1
    w0 = wp
    while wp < len(wstart) and wstart[wp] < b:
        wp += 1
    for i in range(w0, wp):
        h = np.uint64(0)
        for k in range(1, w_hi + 1):
            j = i + k - 1
            if j >= wp or wid[j] < 0:
                break
            h = np.uint64(wid[j]) if k == 1 else h * _P + np.uint64(wid[j])
            c = _column(_mix(h ^ (_WORD + np.uint64(k))), mask, keep_bits, keep_rank)
            if c >= 0:
                out_col[n] = c
                out_start[n] = wstart[i]
                out_end[n] = wend[j]
                n += 1
    return n, sp, wp


@nb.njit(cache=True)
def _capacity(doc_len, n_syl, n_words, params):
    longest = 0
    for x in doc_len:
        longest = max(longest, x)
    return longest * (params[1] + params[3] + params[4]) + n_syl * params[3] + n_words * params[4] + 16


@nb.njit(cache=True)
def _tfidf_runs(cols, n, idf, order, run_col, run_cnt, run_val):
    """Distinct columns among ``cols[:n]`` (in the order ``order``, or as they are when it is empty: sorted),
    their counts and normalized TF-IDF."""
    m = 0
    direct = len(order) == 0
    for t in range(n):
        c = cols[t] if direct else cols[order[t]]
        if m and run_col[m - 1] == c:
            run_cnt[m - 1] += 1
        else:
            run_col[m] = c
            run_cnt[m] = 1
            m += 1
    ss = 0.0  # as scikit-learn: float32 squares summed in float64, the division in float64
    for r in range(m):
        v = (np.float32(np.log(np.float32(run_cnt[r]))) + np.float32(1)) * idf[run_col[r]]
        run_val[r] = v
        ss += np.float64(v * v)
    norm = np.sqrt(ss)
    if norm == 0:
        norm = 1.0
    for r in range(m):
        run_val[r] = np.float32(np.float64(run_val[r]) / norm)
    return m


@nb.njit(cache=True)
def _decision(cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, params, keep_bits, keep_rank, idf, coef_t):
    n_docs = len(doc_len)
    n_tags = coef_t.shape[1]
    cap = _capacity(doc_len, len(syl), len(wid), params)
    cols = np.empty(cap, np.int64)
    starts = np.empty(cap, np.int64)
    ends = np.empty(cap, np.int64)
    run_col = np.empty(cap, np.int64)
    run_cnt = np.empty(cap, np.int64)
    run_val = np.empty(cap, np.float32)
    f = np.zeros((n_docs, n_tags), np.float32)
    no_order = np.empty(0, np.int64)
    sp = 0
    wp = 0
    for d in range(n_docs):
        n, sp, wp = _doc_ngrams(d, cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, sp, wp, params,
                                keep_bits, keep_rank, cols, starts, ends)
        cols[:n].sort()
        m = _tfidf_runs(cols, n, idf, no_order, run_col, run_cnt, run_val)
        # float32, summed in column order: what scipy does for the reference pipeline's float32 matrices
        for r in range(m):
            for t in range(n_tags):
                f[d, t] += run_val[r] * coef_t[run_col[r], t]
    return f


@nb.njit(cache=True)
def _tfidf_entries(cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, params, keep_bits, keep_rank, idf):
    """The TF-IDF matrix as ``(doc, column, value)`` entries, row by row in column order (for the equality tests)."""
    n_docs = len(doc_len)
    cap = _capacity(doc_len, len(syl), len(wid), params)
    cols = np.empty(cap, np.int64)
    starts = np.empty(cap, np.int64)
    ends = np.empty(cap, np.int64)
    run_col = np.empty(cap, np.int64)
    run_cnt = np.empty(cap, np.int64)
    run_val = np.empty(cap, np.float32)
    out_doc = np.empty(16, np.int64)
    out_col = np.empty(16, np.int64)
    out_val = np.empty(16, np.float32)
    k = 0
    sp = 0
    wp = 0
    for d in range(n_docs):
        n, sp, wp = _doc_ngrams(d, cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, sp, wp, params,
                                keep_bits, keep_rank, cols, starts, ends)
        order = np.argsort(cols[:n])
        m = _tfidf_runs(cols, n, idf, order, run_col, run_cnt, run_val)
        if k + m > len(out_doc):
            size = max(2 * len(out_doc), k + m)
            out_doc = np.concatenate((out_doc[:k], np.empty(size - k, np.int64)))
            out_col = np.concatenate((out_col[:k], np.empty(size - k, np.int64)))
            out_val = np.concatenate((out_val[:k], np.empty(size - k, np.float32)))
        for r in range(m):
            out_doc[k] = d
            out_col[k] = run_col[r]
            out_val[k] = run_val[r]
            k += 1
    return out_doc[:k], out_col[:k], out_val[:k]


@nb.njit(cache=True)
def _saliency(cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, params, keep_bits, keep_rank, idf, coef_t, tags,
              docs, want):
    total = 0
    for d in docs:
        total += doc_len[d]
    out = np.zeros((len(tags), total))
    cap = _capacity(doc_len, len(syl), len(wid), params)
    cols = np.empty(cap, np.int64)
    starts = np.empty(cap, np.int64)
    ends = np.empty(cap, np.int64)
    run_col = np.empty(cap, np.int64)
    run_cnt = np.empty(cap, np.int64)
    run_val = np.empty(cap, np.float32)
    sp = 0
    wp = 0
    off = 0
    for di in range(len(docs)):  # increasing, so the syllable and word cursors only move forward
        d = docs[di]
        n, sp, wp = _doc_ngrams(d, cp, doc_start, doc_len, syl, syl_pos, wid, wstart, wend, sp, wp, params,
                                keep_bits, keep_rank, cols, starts, ends)
        order = np.argsort(cols[:n])
        _tfidf_runs(cols, n, idf, order, run_col, run_cnt, run_val)
        # walk the occurrences in column order, alongside the runs
        r = 0
        last = doc_len[d] - 1
        for t in range(n):
            o = order[t]
            while run_col[r] != cols[o]:
                r += 1
            length = ends[o] - starts[o]
            if length <= 0:
                continue
            value = np.float64(run_val[r] / np.float32(run_cnt[r]))
            a = starts[o] - doc_start[d]
            for ti in range(len(tags)):
                if not want[di, ti]:
                    continue
                contrib = value * coef_t[cols[o], tags[ti]] / length
                for q in range(length):
                    out[ti, off + min(a + q, last)] += contrib
        off += doc_len[d]
    return out


def on_disk() -> bool:
    """Whether numba's disk cache holds the scoring and evidence kernels (loading them then costs little
    memory; compiling them costs ~50 MB for the life of the process)."""
    try:
        return all(os.path.exists(k._cache._cache_file._index_path) for k in (_decision, _saliency))
    except AttributeError:  # numba's cache layout is not public API: if it changes, answer "no" (safe)
        return False


def _params(model) -> np.ndarray:
    return np.array([model.char_range[0], model.char_range[1], model.pinyin_range[0], model.pinyin_range[1],
                     model.word_max, model.n_features - 1], dtype=np.int64)


def decision(s: dict[str, np.ndarray], model) -> np.ndarray:
    """Uncalibrated per-tag scores without the intercept (rows x tags)."""
    return _decision(s["cp"], s["doc_start"], s["doc_len"], s["syl"], s["syl_pos"], s["wid"], s["wstart"], s["wend"],
                     _params(model), model.keep_bits, model.keep_rank, model.idf, model.coef_t)


def saliency(s: dict[str, np.ndarray], model, tags: np.ndarray, docs: np.ndarray,
             want: np.ndarray | None = None) -> np.ndarray:
    """Per-character contributions of documents ``docs`` (increasing), (tags x their characters one after another).

    ``want`` (docs x tags, bool): which pairs are needed; the others are left at zero (all, when None)."""
    if want is None:
        want = np.ones((len(docs), len(tags)), dtype=np.bool_)
    return _saliency(s["cp"], s["doc_start"], s["doc_len"], s["syl"], s["syl_pos"], s["wid"], s["wstart"], s["wend"],
                     _params(model), model.keep_bits, model.keep_rank, model.idf, model.coef_t, tags, docs, want)


def tfidf_entries(s: dict[str, np.ndarray], model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(doc, kept column, value)`` of every non-zero TF-IDF entry."""
    return _tfidf_entries(s["cp"], s["doc_start"], s["doc_len"], s["syl"], s["syl_pos"], s["wid"], s["wstart"],
                          s["wend"], _params(model), model.keep_bits, model.keep_rank, model.idf)
