"""Which provisions a message gets: reason codes → items of provisions (``mapping.json``), ranked.

``mapping.json`` holds, per reason code, the provision items that fit it, each with a weight (how
directly it fits: 90+ the act itself, 50-89 fits with conditions, below 50 background or high
thresholds), a one-line ``why`` and the ``condition`` under which it applies (``condition_old`` for
the text in force before a revision). ``combos`` fire when several codes occur together (刑法第二百
九十三条之一 needs illegal-debt terms *and* a collection method). ``fallback`` items are used for a tag
only when no code of that tag was found; ``legal_basis`` is the basis of a lawful reminder.

Items of the same provision and paragraph are merged into one entry (``第一款第（一）、（五）项``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .provisions import Provision, group_order, in_force, load_provisions
from .reasons import BY_CODE, DEBT, UNLAWFUL

MAPPING_PATH = Path(__file__).resolve().parent / "mapping.json"
TRANSITION_NOTE = ("该消息日期早于2026-01-01，引用当时有效的文本及条号。依行政处罚法第三十七条，实施行政处罚适用违法行为"
                   "发生时的规定，作出处罚决定时新规定处罚较轻或者不认为违法的，适用新规定（从旧兼从轻）；违反治安管理行为"
                   "在六个月内没有被公安机关发现的，不再处罚（2012年文本第二十二条；2025年文本第二十五条）。")
_ITEM_ORDER = "一二三四五六七八九十"


@lru_cache(maxsize=1)
def mapping() -> dict:
    """The mapping data, checked: every provision exists, every code is a known reason code."""
    data = json.loads(MAPPING_PATH.read_text(encoding="utf-8"))
    table = load_provisions()
    known = set(BY_CODE) | {f"fallback:{t}" for t in UNLAWFUL}
    entries = [*(i for items in data["reasons"].values() for i in items), *data["legal_basis"],
               *(i for c in data["combos"] for i in c["items"]), *(i for items in data["fallback"].values() for i in items)]
    for e in entries:
        if e["provision"] not in table or not e["why"] or not e["condition"] or not 0 < e["weight"] <= 100:
            raise ValueError(f"mapping.json: bad entry {e}")
    if set(data["reasons"]) != set(BY_CODE):
        raise ValueError(f"mapping.json: codes differ from reasons.py: {set(data['reasons']) ^ set(BY_CODE)}")
    for c in data["combos"]:
        if not all(set(group) <= known for group in c["all"]):
            raise ValueError(f"mapping.json: unknown code in combo {c['all']}")
    return data


def _items_text(para: str | None, items: list[str]) -> str:
    items = sorted(items, key=lambda s: _ITEM_ORDER.index(s.strip("（）")[0]))
    return (para or "") + (f"第{'、'.join(items)}项" if items else "")


@dataclass
class Cited:
    """One provision entry being built (items of the same paragraph merged)."""

    provision: Provision
    para: str | None
    items: list[str] = field(default_factory=list)
    weight: int = 0  # the best-fitting item's weight, +2 per further reason code that supports it
    why: list[str] = field(default_factory=list)  # one line per mapping item, best-fitting first
    conditions: list[tuple[str, str]] = field(default_factory=list)  # (items label, condition)
    markers: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    unconditional: bool = False  # some merged item applies without the marker's condition

    def to_dict(self, rank: int, date: dt.date | None) -> dict:
        p = self.provision
        items = _items_text(self.para, self.items)
        labelled = len(self.conditions) > 1
        condition = "".join(f"{label}：" * (labelled and bool(label)) + (c if c.endswith(("。", "）")) else c + "。")
                            for label, c in self.conditions)
        if date is not None and p.effective_to is not None and p.short == "治安管理处罚法":
            condition += "（" + TRANSITION_NOTE + "）"
        if date is not None and date < p.effective_from:
            condition += f"（消息日期早于引用措辞的施行日{p.effective_from}，当时的条文措辞不同，请核对当时文本。）"
        marker = self.markers[0] if self.markers and not self.unconditional else ""  # only if every item needs it
        return {**p.to_dict(), "citation": p.citation(items), "short_citation": p.citation(items) + marker,
                "items": items, "condition": condition, "marker": marker, "why": self.why[0],
                "why_all": self.why, "because": self.codes, "rank": rank, "weight": self.weight}


def _select(codes: set[str], tags: tuple[str, ...]) -> list[tuple[dict, str]]:
    data = mapping()
    chosen: list[tuple[dict, str]] = []
    for code in codes:
        chosen.extend((e, code) for e in data["reasons"].get(code, ()))
    for combo in data["combos"]:
        if all(codes & set(group) for group in combo["all"]):
            chosen.extend((e, "+".join(sorted(codes & set(combo["all"][-1])))) for e in combo["items"])
    for tag in tags:
        if f"fallback:{tag}" in codes:
            chosen.extend((e, f"fallback:{tag}") for e in data["fallback"][tag])
    return chosen


def _build(chosen: list[tuple[dict, str]], date: dt.date | None) -> list[dict]:
    built: dict[tuple[str, str | None], Cited] = {}
    order: list[tuple[str, str | None]] = []
    for e, code in chosen:
        p = in_force(e["provision"], date)
        if p is None:
            continue
        old = p.id != e["provision"]
        para = e.get("para_old", e.get("para")) if old else e.get("para")
        para = para or None
        items = (e.get("items_old") or e.get("items") or []) if old else (e.get("items") or [])
        condition = (e.get("condition_old") or e["condition"]) if old else e["condition"]
        key = (p.id, para)
        if key not in built:
            built[key] = Cited(p, para)
            order.append(key)
        c = built[key]
        c.items.extend(i for i in items if i not in c.items)
        label = _items_text(None, items) if items else ""
        if e["weight"] > c.weight and e["why"] not in c.why:
            c.why.insert(0, e["why"])
        for lst, value in ((c.why, e["why"]), (c.conditions, (label, condition)), (c.markers, e.get("marker")),
                           (c.codes, code)):
            if value and value not in lst:
                lst.append(value)
        c.weight = max(c.weight, e["weight"])
        c.unconditional |= not e.get("marker")
    for c in built.values():  # an item shown by several acts of the message ranks a little higher
        c.weight = min(99, c.weight + 2 * (len({code for code in c.codes}) - 1))
    ranked = sorted((built[k] for k in order), key=lambda c: -c.weight)  # stable: ties keep mapping order
    return [c.to_dict(i + 1, date) for i, c in enumerate(ranked)]


def _codes_with_fallback(codes: tuple[str, ...], tags: tuple[str, ...]) -> set[str]:
    found = set(codes)
    families = {BY_CODE[c].family for c in codes}
    found |= {f"fallback:{t}" for t in tags if t in UNLAWFUL and t not in families}
    return found


def cite(tags: tuple[str, ...], codes: tuple[str, ...], date: dt.date | None = None) -> tuple[list[dict], list[dict]]:
    """``(provisions, legal_basis)`` for a message's tags and reason codes, each ranked.

    A message with an unlawful tag gets the provisions its conduct may violate; a lawful reminder
    gets ``legal_basis`` and, only if its loan terms show illegal-debt markers, the provisions those
    terms may violate; a message that is not collection gets nothing.
    """
    if any(t in UNLAWFUL for t in tags):
        return _build(_select(_codes_with_fallback(codes, tags), tags), date), []
    if "lawful_reminder" in tags:
        debt = {c for c in codes if BY_CODE[c].family == DEBT}
        return _build(_select(debt, tags), date), _build([(e, "lawful_reminder") for e in mapping()["legal_basis"]], date)
    return [], []


def grouped(provisions: list[dict]) -> list[dict]:
    """The provisions by group (刑事, 治安管理处罚（行政）, …), each group in rank order."""
    order = group_order()
    groups = sorted({p["group"] for p in provisions}, key=order.index)
    return [{"group": g, "ids": [p["id"] + p["items"] for p in provisions if p["group"] == g]} for g in groups]


def short_citations(provisions: list[dict], top: int = 3) -> str:
    """The batch ``statutes`` cell: the top laws' citations, with their condition marker."""
    laws = [p for p in provisions if p["kind"] != "guidance"][:top]
    return "; ".join(p["short_citation"] for p in laws)
