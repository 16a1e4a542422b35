"""Evidence: which words of a message pushed a tag, from the model's own coefficients.

Each n-gram feature of the message contributes ``tf-idf value x coefficient`` to a tag's score.
The contribution is spread over the characters the n-gram covers, the characters are summed, and
the strongest runs of characters become the evidence phrases, mapped back to the original text
(through the normalization's character alignment) so they can be highlighted where they stand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .normalize import normalize_aligned


@dataclass(frozen=True)
class Phrase:
    text: str
    start: int  # span in the original message
    end: int
    weight: float  # summed contribution to the tag's logit

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "weight": round(self.weight, 4)}


def saliency(pipeline, norm: str, tag_indices: list[int]) -> np.ndarray:
    """Per-character contribution of ``norm`` to each tag: array (len(tag_indices), len(norm))."""
    vec = pipeline.named_steps["tfidf"]
    coef = pipeline.named_steps["clf"].coef_
    x = vec.transform([norm])
    value = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
    spans = vec.analyzer.spans(norm)
    vocab = vec.vocabulary_
    occurrences: dict[int, int] = {}
    located = []
    for gram, s, e in spans:
        idx = vocab.get(gram)
        if idx is not None and e > s:
            occurrences[idx] = occurrences.get(idx, 0) + 1
            located.append((idx, s, e))
    sal = np.zeros((len(tag_indices), len(norm)))
    for idx, s, e in located:
        share = value.get(idx, 0.0) / occurrences[idx] / (e - s)
        if share:
            sal[:, s:e] += share * coef[tag_indices, idx][:, None]
    return sal


def phrases(original: str, norm: str, origin: list[int], sal: np.ndarray, top: int = 3,
            rel: float = 0.3, keep: float = 0.2) -> list[Phrase]:
    """The ``top`` strongest runs of characters, as spans of ``original``.

    A character is "on" when its saliency reaches ``rel`` x the maximum; runs bridge one weak
    character; runs weaker than ``keep`` x the strongest run are dropped, as are lone characters
    other than emoji (a single 你 is rarely a useful answer to "why").
    """
    if sal.size == 0 or sal.max() <= 0:
        return []
    on = sal >= rel * sal.max()
    n = len(norm)
    runs: list[tuple[int, int]] = []
    k = 0
    while k < n:
        if on[k]:
            j = k
            while j + 1 < n and (on[j + 1] or (j + 2 < n and on[j + 2] and not norm[j + 1].isspace())):
                j += 1
            runs.append((k, j + 1))
            k = j + 1
        else:
            k += 1
    scored = [(float(sal[a:b].sum()), a, b) for a, b in runs
              if b - a > 1 or (not norm[a].isascii() and not _is_cjk(norm[a]))]
    if not scored:
        return []
    strongest = max(w for w, _, _ in scored)
    scored = sorted((r for r in scored if r[0] >= keep * strongest), reverse=True)[:top]
    out = []
    for w, a, b in sorted(scored, key=lambda r: r[1]):
        start = origin[a]
        end = origin[b - 1] + 1
        if b < n and origin[b] > end:  # take in what normalization removed right after (masked digits, separators)
            end = min(origin[b], end + 24)
        text = original[start:end]
        lead = len(text) - len(text.lstrip())
        text = text.strip()
        if text:
            out.append(Phrase(text, start + lead, start + lead + len(text), w))
    return out


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def explain(pipeline, text: str, tag_indices: list[int], offset: int = 0) -> list[list[Phrase]]:
    """Evidence phrases of ``text`` for each tag index; spans shifted by ``offset``."""
    norm, origin = normalize_aligned(text)
    if not norm:
        return [[] for _ in tag_indices]
    sal = saliency(pipeline, norm, tag_indices)
    out = []
    for row in sal:
        found = phrases(text, norm, origin, row)
        out.append([Phrase(p.text, p.start + offset, p.end + offset, p.weight) for p in found])
    return out
