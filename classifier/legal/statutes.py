"""Old module name, kept as thin aliases so existing callers keep working.

New code: ``classifier.legal.legal_result`` / ``batch_citations``; the data and logic live in
:mod:`.provisions`, :mod:`.reasons`, :mod:`.cite` and :mod:`.advice`.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache

from .advice import ADVICE, CHANNELS, DISCLAIMER, advice_for
from .cite import cite, short_citations  # noqa: F401
from .provisions import STATUTES_PATH, load_provisions
from .reasons import REASONS, ReasonHit, find_reasons, reason_codes  # noqa: F401
from .result import batch_citations, legal_result

attach = legal_result


@lru_cache(maxsize=1)
def provisions() -> dict[str, dict]:
    """Every provision the tool can cite, by id, as stored in ``statutes.json``."""
    load_provisions()  # validates the file
    return {p["id"]: p for p in json.loads(STATUTES_PATH.read_text(encoding="utf-8"))["provisions"]}


def citation(p: dict, items: str = "") -> str:
    """Short citation of a stored provision dict (see ``Provision.citation``)."""
    return load_provisions()[p["id"]].citation(items)


def lookup(key: str) -> dict | None:
    """A provision by id (``治安管理处罚法:50``), or by short name and article (``治安管理处罚法第五十条``)."""
    table = provisions()
    if key in table:
        return table[key]
    squeezed = key.replace(" ", "")
    for p in table.values():
        if squeezed in (p["short"] + p["article"], citation(p)):
            return p
    return None


def provisions_for(tags: tuple[str, ...], reasons: list[ReasonHit] = (), date: dt.date | None = None) -> list[dict]:
    """The provisions a message may violate (``legal_basis`` excluded), ranked."""
    return cite(tuple(tags), tuple(h.code for h in reasons), date)[0]


def render_legal(legal: dict, full_text: bool = False) -> str:
    from ..interfaces.render import render_legal as run

    return run(legal, full=full_text)


__all__ = ["ADVICE", "CHANNELS", "DISCLAIMER", "advice_for", "attach", "batch_citations", "citation", "find_reasons",
           "lookup", "provisions", "provisions_for", "render_legal"]
