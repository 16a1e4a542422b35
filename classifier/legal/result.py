"""The legal part of a result: one call per message, a plain dict (see :func:`legal_result`)."""

from __future__ import annotations

import bisect
import datetime as dt
from functools import lru_cache

from .advice import DISCLAIMER, advice_for
from .cite import cite, grouped, short_citations
from .provisions import load_provisions
from .reasons import BY_CODE, ReasonHit, find_reasons, reason_codes, shared_context_hit

EMPTY = {"reasons": [], "provisions": [], "provision_groups": [], "legal_basis": [],
         "advice": {"steps": [], "channels": []}, "disclaimer": DISCLAIMER}


def legal_result(pred, text: str | None = None) -> dict:
    """Reasons, ranked and grouped provisions, ``legal_basis``, advice and the disclaimer.

    ``provisions`` are what the message may violate, strongest first, each with ``group``
    (刑事 / 治安管理处罚（行政）/ 个人信息保护（行政）/ 民事 / 行业规范), ``why`` (one line) and
    ``condition``; ``provision_groups`` lists them by group. A lawful reminder gets its basis under
    ``legal_basis`` and no ``provisions`` unless its loan terms show illegal-debt markers.
    """
    if pred.error or not pred.tags:
        return {**EMPTY, "advice": {"steps": [], "channels": []}}
    source = text if text is not None else pred.text
    scored = [(t.start, t.end) for t in pred.turns if t.scored]
    spans = scored if pred.turns and len(scored) < len(pred.turns) else None
    hits = find_reasons(source, tuple(pred.tags), spans)
    shared = shared_context_hit(pred)
    if shared is not None:  # posted in a group or in public: the posting itself told others
        hits.append(shared)
    codes = tuple(h.code for h in hits)
    provisions, basis = cite(tuple(pred.tags), codes, pred.date)
    return {
        "reasons": [h.to_dict() for h in hits],
        "provisions": provisions,
        "provision_groups": grouped(provisions),
        "legal_basis": basis,
        "advice": advice_for(tuple(pred.tags), codes),
        "disclaimer": DISCLAIMER,
    }


@lru_cache(maxsize=8192)
def _citations_cached(tags: tuple[str, ...], codes: tuple[str, ...], date) -> str:
    return short_citations(cite(tags, codes, date)[0])


@lru_cache(maxsize=1)
def _boundaries() -> list[dt.date]:
    """Every date on which some provision's version or existence changes (``provisions.in_force`` compares
    dates only with these: ``< effective_from``, ``>= article_effective_from``, ``<= effective_to``)."""
    days = set()
    for p in load_provisions().values():
        days |= {p.effective_from, p.article_effective_from}
        if p.effective_to is not None:
            days.add(p.effective_to + dt.timedelta(days=1))
    return sorted(days)


_BY_ERA: dict[tuple, str] = {}


def batch_statutes(tags: tuple[str, ...], codes: tuple[str, ...], date) -> str:
    """The ``statutes`` cell from its parts (batch computes the codes of a repeated text once).

    Dates between the same two boundaries (:func:`_boundaries`) cite the same versions, so the cell is
    remembered per era rather than per day (a log's dates are spread over months)."""
    if not tags:
        return ""
    if type(date) is not dt.date:  # None (today) and anything else: per value, as before
        return _citations_cached(tuple(tags), codes, date)
    key = (tuple(tags), codes, bisect.bisect_right(_boundaries(), date))
    cell = _BY_ERA.get(key)
    if cell is None:
        if len(_BY_ERA) >= 8192:
            _BY_ERA.clear()
        cell = _BY_ERA[key] = short_citations(cite(key[0], codes, date)[0])
    return cell


def batch_citations(pred) -> str:
    """The ``statutes`` cell of a batch row: short citations of the top provisions, with markers."""
    if pred.error or not pred.tags:
        return ""
    codes = reason_codes(pred.text, pred.norm, tuple(pred.tags))
    if shared_context_hit(pred) is not None:
        codes += (shared_context_hit(pred).code,)
    return batch_statutes(tuple(pred.tags), codes, pred.date)


__all__ = ["BY_CODE", "ReasonHit", "batch_citations", "batch_statutes", "legal_result"]
