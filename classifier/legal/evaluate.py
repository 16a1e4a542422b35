"""Score the legal layer on a set of messages cited the way a careful lawyer would.

Each case (JSON Lines) has ``text``, ``date``, ``gold_tags``, ``must_cite`` and ``must_not_cite``.
A citation key is a provision id (``治安管理处罚法:50``), optionally with an item that must appear in
the cited items (``治安管理处罚法:50#（一）``); ``*`` in ``must_not_cite`` forbids any entry under
``provisions`` (lawful reminders and non-collection messages violate nothing).

Figures: the share of must-cite keys among the first three items of the ranked list (``provisions``
first, then ``legal_basis``), the share found anywhere, and the number of messages with a forbidden
citation. Run with the gold tags (the legal layer alone) or with the model's predicted tags.

    python -m classifier legal-eval [--predicted] [--cases tests/data/legal_cases.jsonl] [-v]
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

CASES_PATH = Path(__file__).resolve().parents[2] / "tests" / "data" / "legal_cases.jsonl"


def load_cases(path: Path = CASES_PATH) -> list[dict]:
    """The cases of a JSON Lines file, checked for the required keys."""
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None
        missing = {"id", "text", "gold_tags", "must_cite", "must_not_cite"} - case.keys()
        if missing:
            raise ValueError(f"{path}:{n}: missing {sorted(missing)}")
        cases.append(case)
    return cases


def matches(key: str, cited: dict) -> bool:
    """Whether a cited provision (``id``, ``items``) satisfies a key like ``治安管理处罚法:50#（一）``."""
    pid, _, item = key.partition("#")
    return cited["id"] == pid and (not item or item in (cited.get("items") or ""))


@dataclass
class Score:
    must: int = 0
    top3: int = 0
    anywhere: int = 0
    forbidden_messages: int = 0
    cases: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        return {"messages": len(self.cases), "must_cite": self.must,
                "top3_share": round(self.top3 / self.must, 3) if self.must else None,
                "anywhere_share": round(self.anywhere / self.must, 3) if self.must else None,
                "messages_with_forbidden_citation": self.forbidden_messages}


def score_case(case: dict, legal: dict) -> dict:
    """Which must-cite keys were found (top three / anywhere) and which forbidden ones were cited."""
    provisions = list(legal.get("provisions") or [])
    ranked = provisions + list(legal.get("legal_basis") or [])
    top = ranked[:3]
    found_top = [k for k in case["must_cite"] if any(matches(k, p) for p in top)]
    found_any = [k for k in case["must_cite"] if any(matches(k, p) for p in ranked)]
    forbidden = []
    for k in case["must_not_cite"]:
        if k == "*":
            forbidden.extend(f"{p['id']}{p.get('items') or ''}" for p in provisions)
        else:
            forbidden.extend(f"{p['id']}{p.get('items') or ''}" for p in provisions if matches(k, p))
    return {"id": case["id"], "top3": found_top, "anywhere": found_any,
            "missed": [k for k in case["must_cite"] if k not in found_any],
            "forbidden": sorted(set(forbidden)),
            "cited": [f"{p['id']}{p.get('items') or ''}" for p in ranked]}


def _gold_prediction(case: dict):
    from ..labels import TAG_NAMES
    from ..modeling.predict import Prediction

    order = [t for t in ("threat", "third_party_contact", "harassment", "lawful_reminder", "not_collection")
             if t in case["gold_tags"]]
    if not order or not set(case["gold_tags"]) <= set(TAG_NAMES):
        raise ValueError(f"case {case['id']}: unknown gold tags {case['gold_tags']}")
    return Prediction(primary_label=order[0], tags=tuple(order), scores={}, date=_date(case),
                      text=case["text"], norm="")


def _date(case: dict) -> dt.date | None:
    return dt.date.fromisoformat(case["date"]) if case.get("date") else None


def evaluate(cases: list[dict], predicted: bool = False, classifier=None) -> Score:
    """Score every case with the gold tags, or with the tags a classifier predicts (``predicted``:
    the shipped model unless ``classifier`` is given)."""
    from . import statutes

    if predicted or classifier is not None:
        if classifier is None:
            from ..modeling.predict import Classifier

            classifier = Classifier.load()
        preds = classifier.predict_many([c["text"] for c in cases], [_date(c) for c in cases], explain_evidence=False)
    else:
        preds = [_gold_prediction(c) for c in cases]
    score = Score()
    for case, pred in zip(cases, preds, strict=True):
        if not pred.norm and pred.tags and not pred.error and (predicted or classifier is not None):
            from ..text.normalize import normalize

            pred.norm = normalize(case["text"])
        result = score_case(case, statutes.attach(pred))
        result["tags"] = list(pred.tags)
        score.must += len(case["must_cite"])
        score.top3 += len(result["top3"])
        score.anywhere += len(result["anywhere"])
        score.forbidden_messages += bool(result["forbidden"])
        score.cases.append(result)
    return score


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - thin wrapper, tested via the CLI
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=CASES_PATH)
    ap.add_argument("--predicted", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    s = evaluate(load_cases(a.cases), predicted=a.predicted)
    print(json.dumps(s.summary(), ensure_ascii=False))
    if a.verbose:
        for c in s.cases:
            if c["missed"] or c["forbidden"] or len(c["top3"]) < len(c["anywhere"]):
                print(json.dumps(c, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
