"""The provisions the tool can cite: loaded from ``statutes.json``, validated, and picked by date.

Each entry quotes the exact text of one article (or a reported paraphrase for guidance, marked
``S``), with its source, verification mark, the date its quoted wording took effect
(``effective_from``) and the date the article first existed (``article_effective_from``). A revised
law keeps its old text as a separate entry (``治安管理处罚法@2012:42``) linked by ``replaces`` /
``replaced_by``; :func:`in_force` picks the one in force on a message's date.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

STATUTES_PATH = Path(__file__).resolve().parent / "statutes.json"
KINDS = ("law", "judicial_interpretation", "guidance")
MARKS = ("V1", "V2", "S")


@dataclass(frozen=True)
class Provision:
    """One quoted article (or reported guidance) with its version and provenance."""

    id: str
    law: str
    short: str
    version: str
    article: str
    text: str
    kind: str
    level: str
    group: str
    verification: str
    source: str
    title: str
    effective_from: dt.date  # the quoted wording is in force from this date
    article_effective_from: dt.date  # the article first existed (same number and subject)
    effective_to: dt.date | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    dates_note: str = ""

    def citation(self, items: str = "") -> str:
        """Short citation, e.g. ``治安管理处罚法第五十条第一款第（五）项``; old versions name their version."""
        if self.kind == "guidance":
            return self.short
        version = f"（{self.version.split('（')[0]}）" if self.effective_to else ""
        return self.short + version + self.article + items

    def in_force_on(self, date: dt.date) -> bool:
        return self.article_effective_from <= date and (self.effective_to is None or date <= self.effective_to)

    def to_dict(self) -> dict:
        return {"id": self.id, "law": self.law, "short": self.short, "article": self.article,
                "version": self.version, "effective_from": str(self.effective_from),
                "article_effective_from": str(self.article_effective_from),
                "effective_to": str(self.effective_to) if self.effective_to else None,
                "kind": self.kind, "group": self.group, "verification": self.verification,
                "text": self.text, "source": self.source, "title": self.title}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _check(raw: dict, ids: set[str]) -> None:
    pid = raw.get("id", "?")
    for key in ("id", "law", "short", "version", "article", "text", "kind", "level", "group", "verification",
                "source", "title", "effective_from", "article_effective_from"):
        if not raw.get(key):
            raise ValueError(f"statutes.json: {pid}: missing {key}")
    if raw["kind"] not in KINDS or raw["verification"] not in MARKS:
        raise ValueError(f"statutes.json: {pid}: bad kind or verification mark")
    if raw["kind"] != "guidance" and not raw["text"].startswith(raw["article"] + "　"):
        raise ValueError(f"statutes.json: {pid}: text does not start with {raw['article']}")
    if raw["verification"] == "S" and (raw["kind"] != "guidance" or not raw.get("paraphrase")):
        raise ValueError(f"statutes.json: {pid}: secondary sources only for marked guidance paraphrases")
    if _date(raw["article_effective_from"]) > _date(raw["effective_from"]):
        raise ValueError(f"statutes.json: {pid}: article cannot start after its wording")
    for link in ("replaces", "replaced_by"):
        if raw.get(link) and raw[link] not in ids:
            raise ValueError(f"statutes.json: {pid}: {link} {raw[link]} is not in the file")


@lru_cache(maxsize=1)
def load_provisions(path: Path = STATUTES_PATH) -> dict[str, Provision]:
    """Every provision by id, validated (a broken data file is an error naming the entry)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    ids = {p["id"] for p in data["provisions"]}
    out: dict[str, Provision] = {}
    for raw in data["provisions"]:
        _check(raw, ids)
        out[raw["id"]] = Provision(
            id=raw["id"], law=raw["law"], short=raw["short"], version=raw["version"], article=raw["article"],
            text=raw["text"], kind=raw["kind"], level=raw["level"], group=raw["group"],
            verification=raw["verification"], source=raw["source"], title=raw["title"],
            effective_from=_date(raw["effective_from"]), article_effective_from=_date(raw["article_effective_from"]),
            effective_to=_date(raw.get("effective_to")), replaces=raw.get("replaces"),
            replaced_by=raw.get("replaced_by"), dates_note=raw.get("dates_note", ""))
    return out


@lru_cache(maxsize=1)
def group_order() -> tuple[str, ...]:
    return tuple(json.loads(STATUTES_PATH.read_text(encoding="utf-8"))["group_order"])


def in_force(pid: str, date: dt.date | None) -> Provision | None:
    """The version of provision ``pid`` in force on ``date`` (None: today), or None if none was.

    A message dated before a revision took effect gets the replaced text (the 2012 治安管理处罚法 for
    messages before 2026-01-01); an article that did not exist yet gives None.
    """
    table = load_provisions()
    when = date or dt.date.today()
    p = table[pid]
    while p.replaces and when < p.effective_from:
        p = table[p.replaces]
    return p if p.in_force_on(when) else None
