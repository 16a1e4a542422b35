"""Evidence: which words of a message pushed a tag, from the model's own coefficients.

Each n-gram occurrence contributes ``tf-idf value x coefficient`` (shared among the occurrences of
the same n-gram) to a tag's score. Contributions are spread over the characters each n-gram covers
and summed per character; the strongest runs of characters are the evidence phrases. For a single
message they are mapped back to the original text through the normalization's character alignment,
so they can be highlighted where they stand; batch scoring computes them for a whole chunk at once
and reports them in normalized form (simplified characters, numbers masked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .normalize import display, normalize_aligned


@dataclass(frozen=True)
class Phrase:
    text: str
    start: int  # span in the original message (batch: in the normalized text)
    end: int
    weight: float  # summed contribution to the tag's logit

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "weight": round(self.weight, 4)}


def features_with_positions(pipeline, norms: list[str]):
    """``(tf-idf matrix, counts, occurrences)`` of normalized messages, as :func:`saliency` needs them."""
    steps = dict(pipeline.steps)
    counts, occ = steps["ngrams"].occurrences(norms)
    X = steps["tfidf"].transform(counts).tocsr()
    return X, counts, occ


def saliency(pipeline, norms: list[str], wanted: list[tuple[int, int]],
             features=None) -> dict[tuple[int, int], np.ndarray]:
    """Per-character contribution for each ``(doc index, tag index)`` in ``wanted``.

    ``features``: :func:`features_with_positions` of all ``norms``, if already computed.
    """
    if not wanted:
        return {}
    coef = dict(pipeline.steps)["clf"].coef_
    if features is None:
        docs = sorted({d for d, _ in wanted})
        X, counts, occ = features_with_positions(pipeline, [norms[d] for d in docs])
    else:
        docs = list(range(len(norms)))
        X, counts, occ = features
    local = {d: i for i, d in enumerate(docs)}
    X = X.tocsr()
    X.sort_indices()
    counts = counts.tocsr()
    counts.sort_indices()
    n_feat = X.shape[1]
    # look each occurrence's (doc, bucket) up in the sorted CSR entries, all at once
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    keys = rows.astype(np.int64) * n_feat + X.indices
    occ_keys = occ["doc"].astype(np.int64) * n_feat + occ["bucket"]
    at = np.searchsorted(keys, occ_keys)
    at = np.minimum(at, max(len(keys) - 1, 0))
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
    for j in sorted({j for _, j in wanted}):
        contrib = value * coef[j, bucket] / length
        per_tag[j] = np.bincount(char_at, weights=contrib[rep], minlength=int(doc_len.sum()))
    return {(d, j): per_tag[j][doc_off[local[d]]:doc_off[local[d]] + doc_len[local[d]]] for d, j in wanted}


def runs(norm: str, sal: np.ndarray, top: int = 3, rel: float = 0.3, keep: float = 0.2) -> list[tuple[int, int, float]]:
    """The ``top`` strongest runs of characters ``(start, end, weight)`` in normalized coordinates.

    A character is "on" when its saliency reaches ``rel`` x the maximum; a single weak character
    between two "on" ones joins them (unless it is a space); runs weaker than ``keep`` x the strongest
    are dropped, as are lone characters other than emoji (a single 你 is rarely a useful answer).
    """
    if sal.size == 0:
        return []
    peak = sal.max()
    if peak <= 0:
        return []
    on = sal >= rel * peak
    if len(on) > 2:
        gap = np.flatnonzero(~on[1:-1] & on[:-2] & on[2:]) + 1
        on[[i for i in gap.tolist() if not norm[i].isspace()]] = True
    edges = np.diff(np.concatenate(([0], on.view(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    cum = np.concatenate(([0.0], np.cumsum(sal)))
    weights = cum[ends] - cum[starts]
    found = [(w, a, b) for w, a, b in zip(weights.tolist(), starts.tolist(), ends.tolist(), strict=True)
             if b - a > 1 or (not norm[a].isascii() and not _is_cjk(norm[a]))]
    if not found:
        return []
    strongest = max(w for w, _, _ in found)
    best = sorted((r for r in found if r[0] >= keep * strongest), reverse=True)[:top]
    return [(a, b, w) for w, a, b in sorted(best, key=lambda r: r[1])]


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
    return {key: [Phrase(display(norms[key[0]][a:b]).strip(), a, b, w) for a, b, w in runs(norms[key[0]], s)]
            for key, s in sal.items()}
