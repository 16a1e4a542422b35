"""The law: which provisions a message may violate, its legal basis if lawful, and what to do.

- :mod:`.provisions` — the quoted texts (``statutes.json``), validated, picked by date;
- :mod:`.reasons` — reason codes found in the text (what the message does), with spans;
- :mod:`.cite` — reason codes → provision items (``mapping.json``), ranked and grouped;
- :mod:`.advice` — steps, complaint channels, the disclaimer;
- :mod:`.evaluate` — the scorer for the lawyer-cited test set (``cuishou legal-eval``).

Entry points: :func:`legal_result` (the legal part of one result, a plain dict) and
:func:`batch_citations` (the batch ``statutes`` cell; :func:`batch_statutes` from its parts). Output is information, not legal advice.
"""

from __future__ import annotations


def legal_result(pred, text: str | None = None) -> dict:
    from .result import legal_result as run

    return run(pred, text)


def batch_citations(pred) -> str:
    from .result import batch_citations as run

    return run(pred)


def batch_statutes(tags: tuple[str, ...], codes: tuple[str, ...], date) -> str:
    """The ``statutes`` cell from a message's tags, reason codes (``reasons.reason_codes``) and date."""
    from .result import batch_statutes as run

    return run(tags, codes, date)


attach = legal_result  # the name used before the package was split
