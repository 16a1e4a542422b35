"""Evidence: which words of a message pushed a tag, from the model's own coefficients.

Each n-gram occurrence contributes ``tf-idf value x coefficient`` (shared among the occurrences of
the same n-gram) to a tag's score. Contributions are spread over the characters each n-gram covers
and summed per character; the strongest runs of characters are the evidence phrases. For a single
message they are mapped back to the original text through the normalization's character alignment,
so they can be highlighted where they stand; batch scoring computes them for a whole chunk at once
and reports them in normalized form (simplified characters, numbers masked).
"""

from __future__ import annotations

import numpy as np

from ..text.concepts import concept_values
from ..text.normalize import display, normalize_aligned
from .results import Phrase


def features_with_positions(pipeline, norms: list[str]):
    """``(feature matrix, counts, n-gram occurrences, concept values and occurrences)`` of normalized
    messages, as :func:`saliency` needs them (scikit-learn reference path)."""
    from scipy import sparse

    from .pipeline import parts  # scikit-learn: only the reference path comes here

    p = parts(pipeline)
    counts, occ = p.hasher.occurrences(norms)
    X = p.tfidf.transform(counts).tocsr()
    concepts = None
    if p.concepts is not None:
        concepts = concept_values(norms, p.concepts.names_, p.concepts.weight)
        X = sparse.hstack([X, sparse.csr_matrix(concepts[0])], format="csr")
    return X, counts, occ, concepts


def add_concept_saliency(out: np.ndarray, values: np.ndarray, occ: tuple[np.ndarray, ...], coef: np.ndarray,
                         char_offset: np.ndarray) -> None:
    """Add each concept's contribution (value x coefficient) to the characters of its match, in place.

    ``out``: per-character saliency of all documents joined; ``values``: the concept block (docs x concepts);
    ``occ``: ``(doc, concept, start, end)``; ``coef``: one tag's concept coefficients; ``char_offset``: where
    each document starts in ``out``.
    """
    doc, col, start, end = occ
    ok = (end > start) & (char_offset[doc] >= 0)
    if not ok.any():
        return
    doc, col, start, length = doc[ok], col[ok], start[ok], (end - start)[ok]
    contrib = values[doc, col].astype(np.float64) * coef[col].astype(np.float64) / length
    # every covered character once per match, in match order: the same sums, in the same order, as a loop
    rep = np.repeat(np.arange(len(doc)), length)
    within = np.arange(len(rep)) - np.repeat(np.cumsum(length) - length, length)
    np.add.at(out, char_offset[doc][rep] + start[rep] + within, contrib[rep])


def saliency(pipeline, norms: list[str], wanted: list[tuple[int, int]],
             features=None) -> dict[tuple[int, int], np.ndarray]:
    """Per-character contribution for each ``(doc index, tag index)`` in ``wanted``.

    ``features``: :func:`features_with_positions` of all ``norms``, if already computed.
    """
    if not wanted:
        return {}
    if hasattr(pipeline, "saliency"):  # the runtime model (no scikit-learn); ``features``: its streams of ``norms``
        return pipeline.saliency(norms, wanted, features)
    from .pipeline import parts

    coef = parts(pipeline).clf.coef_
    if features is None:
        docs = sorted({d for d, _ in wanted})
        X, counts, occ, concepts = features_with_positions(pipeline, [norms[d] for d in docs])
    else:
        docs = list(range(len(norms)))
        X, counts, occ, concepts = features
        wanted_doc = np.zeros(len(norms), dtype=bool)
        wanted_doc[[d for d, _ in wanted]] = True
        sel = wanted_doc[occ["doc"]]
        occ = {k: v[sel] for k, v in occ.items()}
    local = {d: i for i, d in enumerate(docs)}
    X = X.tocsr()
    if X.shape[1] > counts.shape[1]:  # the concept block's columns come after the n-gram buckets
        X = X[:, :counts.shape[1]]
    X.sort_indices()
    counts = counts.tocsr()
    counts.sort_indices()
    n_feat = X.shape[1]
    # look each occurrence's (doc, bucket) up in the sorted CSR entries, all at once
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    keys = rows.astype(np.int64) * n_feat + X.indices
    occ_keys = occ["doc"].astype(np.int64) * n_feat + occ["bucket"]
    at = np.minimum(np.searchsorted(keys, occ_keys), max(len(keys) - 1, 0))
    found = keys[at] == occ_keys if len(keys) else np.zeros(len(occ_keys), bool)
    value = np.where(found, X.data[at] / np.maximum(counts.data[at], 1), 0.0)
    length = occ["end"] - occ["start"]
    ok = found & (length > 0)
    doc, bucket, start, length, value = occ["doc"][ok], occ["bucket"][ok], occ["start"][ok], length[ok], value[ok]
    # expand each occurrence to the characters it covers, then sum per character with one bincount per tag
    rep = np.repeat(np.arange(len(doc)), length)
    offs = np.arange(len(rep)) - np.repeat(np.cumsum(length) - length, length)
    doc_len = np.array([len(norms[d]) for d in docs], dtype=np.int64)
    doc_off = np.concatenate([[0], np.cumsum(doc_len)[:-1]])
    char_at = doc_off[doc[rep]] + np.minimum(start[rep] + offs, doc_len[doc[rep]] - 1)
    per_tag = {}
    n_hash = counts.shape[1]
    for j in sorted({j for _, j in wanted}):
        contrib = value * coef[j, bucket] / length
        per_tag[j] = np.bincount(char_at, weights=contrib[rep], minlength=int(doc_len.sum()))
        if concepts is not None:
            add_concept_saliency(per_tag[j], concepts[0], concepts[1], coef[j, n_hash:], doc_off)
    return {(d, j): per_tag[j][doc_off[local[d]]:doc_off[local[d]] + doc_len[local[d]]] for d, j in wanted}


def runs_many(texts: list[str], sals: list[np.ndarray], top: int = 3, rel: float = 0.3,
              keep: float = 0.2) -> list[list[tuple[int, int, float]]]:
    """For each text and its per-character saliency, the ``top`` strongest runs ``(start, end, weight)``.

    A character is "on" when its saliency reaches ``rel`` x the text's maximum; a single weak
    character between two "on" ones joins them (unless it is a space); runs weaker than ``keep`` x the
    text's strongest run are dropped, as are lone characters other than emoji (a single 你 explains
    nothing). Done for all texts at once with numpy (batch scoring calls this per chunk).
    """
    n = len(texts)
    if n == 0:
        return []
    lens = np.array([len(s) for s in sals], dtype=np.int64)
    out: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
    if lens.sum() == 0:
        return out
    S = np.concatenate(sals)
    seg = np.repeat(np.arange(n), lens)
    offs = np.concatenate(([0], np.cumsum(lens)[:-1]))
    nonempty = lens > 0
    peak = np.zeros(n)
    peak[nonempty] = np.maximum.reduceat(S, offs[nonempty])
    on = (rel * peak[seg] <= S) & (peak[seg] > 0)
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    space = (cps == 0x20) | (cps == 0x0A) | (cps == 0x09)
    if len(S) > 2:
        same = (seg[:-2] == seg[2:])
        gap = np.flatnonzero(~on[1:-1] & on[:-2] & on[2:] & same & ~space[1:-1]) + 1
        on[gap] = True
    # run edges, never crossing texts
    starts_mask = on & np.concatenate(([True], ~on[:-1] | (seg[1:] != seg[:-1])))
    ends_mask = on & np.concatenate((~on[1:] | (seg[1:] != seg[:-1]), [True]))
    starts, ends = np.flatnonzero(starts_mask), np.flatnonzero(ends_mask) + 1
    if not len(starts):
        return out
    cum = np.concatenate(([0.0], np.cumsum(S)))
    weight = cum[ends] - cum[starts]
    rseg = seg[starts]
    single = ends - starts == 1
    c = cps[starts]
    emoji_like = (c >= 0x80) & ~(((c >= 0x3400) & (c <= 0x9FFF)) | ((c >= 0xF900) & (c <= 0xFAFF)))
    valid = ~single | emoji_like
    starts, ends, weight, rseg = starts[valid], ends[valid], weight[valid], rseg[valid]
    if not len(starts):
        return out
    strongest = np.full(n, -np.inf)
    np.maximum.at(strongest, rseg, weight)
    good = weight >= keep * strongest[rseg]
    starts, ends, weight, rseg = starts[good], ends[good], weight[good], rseg[good]
    order = np.lexsort((-weight, rseg))
    starts, ends, weight, rseg = starts[order], ends[order], weight[order], rseg[order]
    first = np.concatenate(([True], rseg[1:] != rseg[:-1]))
    rank = np.arange(len(rseg)) - np.maximum.accumulate(np.where(first, np.arange(len(rseg)), 0))
    pick = rank < top
    for a, b, w, g in zip(starts[pick].tolist(), ends[pick].tolist(), weight[pick].tolist(), rseg[pick].tolist(),
                          strict=True):
        out[g].append((a - int(offs[g]), b - int(offs[g]), w))
    for g in range(n):
        out[g].sort()
    return out


def runs(norm: str, sal: np.ndarray, top: int = 3, rel: float = 0.3, keep: float = 0.2) -> list[tuple[int, int, float]]:
    """:func:`runs_many` for one text."""
    return runs_many([norm], [sal], top, rel, keep)[0]


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def to_original(original: str, norm: str, origin: list[int], a: int, b: int, w: float, offset: int = 0) -> Phrase | None:
    """Map a normalized run back to a span of the original text."""
    start = origin[a]
    end = origin[b - 1] + 1
    if b < len(norm) and origin[b] > end:  # take in what normalization removed right after (masked digits)
        end = min(origin[b], end + 24)
    text = original[start:end]
    lead = len(text) - len(text.lstrip())
    text = text.strip()
    if not text:
        return None
    return Phrase(text, start + lead + offset, start + lead + len(text) + offset, w)


def explain(pipeline, text: str, tag_indices: list[int], offset: int = 0) -> list[list[Phrase]]:
    """Evidence phrases of one message for each tag index, as spans of the original (shifted by ``offset``)."""
    norm, origin = normalize_aligned(text)
    if not norm:
        return [[] for _ in tag_indices]
    sal = saliency(pipeline, [norm], [(0, j) for j in tag_indices])
    out = []
    for j in tag_indices:
        found = [to_original(text, norm, origin, a, b, w, offset) for a, b, w in runs(norm, sal[(0, j)])]
        out.append([p for p in found if p is not None])
    return out


def explain_normalized(pipeline, norms: list[str], wanted: list[tuple[int, int]],
                       features=None) -> dict[tuple[int, int], list[Phrase]]:
    """Batch path: evidence phrases for many ``(doc, tag)`` pairs, as readable normalized text."""
    sal = saliency(pipeline, norms, wanted, features)
    keys = list(sal)
    found = runs_many([norms[d] for d, _ in keys], [sal[k] for k in keys])
    return {key: [Phrase(display(norms[key[0]][a:b]).strip(), a, b, w) for a, b, w in spans]
            for key, spans in zip(keys, found, strict=True)}
