"""Reason codes: what a message does, found in its text, each with the span that shows it.

The provisions a message gets are chosen by these codes (``mapping.json``); its tags only decide
which codes may count (a lawful reminder or a non-collection message never gets a conduct code) and
give a fallback where no code is found. Debt-term codes (砍头息, 714-style terms, interest above the
legal cap) are looked for in every collection message, calm ones included.

Patterns run on the normalized text (simplified characters, lower case; long numbers masked), so
numeric terms (到手 1050 of a 1500 loan, 日息 1%) are read from the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from ..labels import HARASSMENT, LAWFUL_REMINDER, THIRD_PARTY_CONTACT, THREAT
from ..text.concepts import compiled as concept
from ..text.masking import mask_pii
from ..text.normalize import normalize_aligned

SHARED_DISCLOSURE = "shared_disclosure"  # a group message or public post about the debt (its context, not its words)
#: Contexts where others read the message (modeling.context.SHARED_CONTEXTS; legal/ does not import modeling/).
SHARED_CONTEXTS = ("group", "post")
DEBT = "debt_terms"  # family of the codes that describe the loan, not the collector's conduct
UNLAWFUL = (THREAT, HARASSMENT, THIRD_PARTY_CONTACT)

Span = tuple[int, int]


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    family: str  # the tag this code refines (DEBT for loan terms)
    pattern: re.Pattern[str] | None = None  # on normalized text
    raw: Callable[[str], Span | None] | None = None  # on the original text (numbers)



# --- numeric loan terms, on the original text ------------------------------------------------------
_DIGITS = str.maketrans("０１２３４５６７８９．％，", "0123456789.%,")
_NUM = r"(\d+(?:\.\d+)?)(万|千)?"


def _amount(num: str, unit: str | None) -> float:
    return float(num) * {"万": 10000, "千": 1000}.get(unit or "", 1)


def _advance_interest(text: str) -> Span | None:
    """砍头息: interest or fees taken from the principal up front (到手 less than the loan)."""
    t = text.translate(_DIGITS)
    m = re.search(r"砍头息?|预扣|先扣|(?:提前|预先)(?:扣除|扣)|扣除[^，。,\n]{0,6}(?:利息|服务费|手续费)后(?:到手|放款|到账)", t)
    if m:
        return m.span()
    lent = re.search(r"借(?:款|了|你|给你)?" + _NUM + r"\s*元?", t)
    got = re.search(r"(?:到手|到账|实际(?:到账|放款|收到)|放款)(?:只有|仅|才)?" + _NUM, t)
    if lent and got and _amount(*got.group(1, 2)) < _amount(*lent.group(1, 2)):
        return got.span()
    return None


def _usury(text: str) -> Span | None:
    """Interest far above the legal cap: 日息 >= 0.1%, 月息 >= 3%, 年化 > 36%, or 利滚利."""
    t = text.translate(_DIGITS)
    m = re.search(r"利滚利|驴打滚|高利贷", t)
    if m:
        return m.span()
    for m in re.finditer(r"(日|月|年化?)(?:息|利息|利率|费率)?(?:是|为)?(\d+(?:\.\d+)?)\s*(%|分|毛)", t):
        period, rate, unit = m.group(1), float(m.group(2)), m.group(3)
        pct = rate if unit == "%" else rate * (10 if unit == "毛" else 1)  # 月息3分 = 3%, 1毛 = 10%
        if (period == "日" and pct >= 0.1) or (period == "月" and pct >= 3) or (period.startswith("年") and pct > 36):
            return m.span()
    return None


_SHORT_TERM = re.compile(r"(?<!\d)714(?!\d)|7天(?:期|借款|到期)|七天(?:期|到期)|高炮|展期费|逾期费每天")


def _short_term(text: str) -> Span | None:
    """714-style loans (7-day terms, 展期费); on the original text, where 714 is not masked."""
    m = _SHORT_TERM.search(text.translate(_DIGITS))
    return m.span() if m else None


REASONS: tuple[Reason, ...] = (
    Reason("police_court_impersonation", "冒充公安、法院、检察院等国家机关工作人员", THREAT, concept("code:police_court_impersonation")),
    Reason("lawyer_impersonation", "自称律师、律所或公司法务（可能为虚假身份）", THREAT, concept("code:lawyer_impersonation")),
    Reason("fake_legal_document", "发送伪造或冒用的法律文书（传票、逮捕令等）", THREAT, concept("code:fake_legal_document")),
    Reason("false_legal_consequence", "虚构或夸大法律后果（坐牢、拘留、立案、抓人、黑名单）", THREAT, concept("code:false_legal_consequence")),
    Reason("safety_threat", "威胁人身、家人或财产安全", THREAT, concept("code:safety_threat")),
    Reason("extortion", "索要债务以外的钱财（处理费、保密费等）", THREAT, concept("code:extortion")),
    Reason("publish_threat", "扬言在网上、朋友圈等公开其信息或照片", THREAT, concept("code:publish_threat")),
    Reason("home_work_visit", "扬言上门、到单位或学校", THREAT, concept("code:home_work_visit")),
    Reason("entry_done", "已进入或滞留在其住宅", THREAT, concept("code:entry_done")),
    Reason("detention_done", "已限制他人人身自由（扣人、不让走）", THREAT, concept("code:detention_done")),
    Reason("photo_doctoring", "P图、伪造或丑化其照片（遗照、海报）", HARASSMENT, concept("code:photo_doctoring")),
    Reason("public_post", "已在公开场合、群或网上发布", HARASSMENT, concept("code:public_post")),
    Reason("insult", "辱骂、侮辱", HARASSMENT, concept("code:insult")),
    Reason("defamation", "向他人捏造其违法犯罪等事实", HARASSMENT, concept("code:defamation")),
    Reason("bombardment", "频繁轰炸式联系", HARASSMENT, concept("code:bombardment")),
    Reason("night_contact", "深夜或凌晨联系", HARASSMENT, concept("code:night_contact")),
    Reason("named_third_party", "向具体第三人（家人、同事、单位等）透露或扬言透露债务", THIRD_PARTY_CONTACT, concept("code:named_third_party")),
    Reason("contact_list", "使用通讯录等个人信息扩散债务（爆通讯录）", THIRD_PARTY_CONTACT, concept("code:contact_list")),
    Reason("data_transfer", "出借方把其个人信息提供给催收方或他人", THIRD_PARTY_CONTACT, concept("code:data_transfer")),
    # not found in the text: given where the message was posted (see shared_context_hit)
    Reason(SHARED_DISCLOSURE, "在群聊或公开帖子中提及其债务（他人都能看到）", THIRD_PARTY_CONTACT),
    Reason("advance_interest", "砍头息：利息或费用预先从本金中扣除", DEBT, raw=_advance_interest),
    Reason("short_term_714", "“714”高炮：7天等超短期、高额费用借款", DEBT, raw=_short_term),
    Reason("usury", "利率远超法定上限（高利放贷）", DEBT, raw=_usury),
)
BY_CODE = {r.code: r for r in REASONS}
DEBT_CODES = tuple(r.code for r in REASONS if r.family == DEBT)
_DEBT_REASONS = tuple(r for r in REASONS if r.family == DEBT)


@dataclass(frozen=True)
class ReasonHit:
    code: str
    zh: str
    family: str
    text: str
    start: int
    end: int

    @property
    def tag(self) -> str:
        return "" if self.family == DEBT else self.family

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.zh, "tag": self.tag or None, "text": mask_pii(self.text),
                "start": self.start, "end": self.end}


def applicable(tags: tuple[str, ...]) -> tuple[Reason, ...]:
    """The codes that may count for a message with these tags.

    Conduct codes need an unlawful tag (any: the codes say what the message does, the tags only that
    it is unlawful); debt-term codes count for every collection message, calm reminders included.
    """
    if any(t in UNLAWFUL for t in tags):
        return REASONS
    if LAWFUL_REMINDER in tags:
        return _DEBT_REASONS
    return ()


def find_reasons(text: str, tags: tuple[str, ...], spans: list[Span] | None = None) -> list[ReasonHit]:
    """Reason codes found in the text, with the span of the words that show each.

    ``spans`` limits the search to parts of the text (a transcript's collector turns).
    """
    wanted = tuple(r for r in applicable(tuple(tags)) if r.pattern is not None or r.raw is not None)
    if not wanted or not text:
        return []
    hits: dict[str, ReasonHit] = {}
    for s0, s1 in spans if spans is not None else [(0, len(text))]:
        part = text[s0:s1]
        norm, origin = normalize_aligned(part)
        for r in wanted:
            if r.code in hits:
                continue
            if r.raw is not None:
                found = r.raw(part)
                if found:
                    a, b = found
                    hits[r.code] = ReasonHit(r.code, r.zh, r.family, part[a:b], s0 + a, s0 + b)
                continue
            m = r.pattern.search(norm)
            if m:
                a, b = origin[m.start()], origin[max(m.end() - 1, m.start())] + 1
                hits[r.code] = ReasonHit(r.code, r.zh, r.family, part[a:b], s0 + a, s0 + b)
    return [hits[r.code] for r in REASONS if r.code in hits]


# Necessary conditions, on the original text, for each numeric check to find anything (the batch fast
# path runs millions of rows; most have none of these characters). Each hint matches wherever its
# check could: ``_DIGITS`` only maps full-width digits and signs to ASCII, one character for one.
_RAW_HINTS: dict[str, re.Pattern[str]] = {
    # every alternative of the first search has 砍 or 扣; the amounts need 借 followed by a number
    "advance_interest": re.compile(r"[砍扣]|借(?:款|了|你|给你)?\d"),
    "short_term_714": re.compile(r"[7７][1１][4４]|[7７]天|七天|高炮|展期费|逾期费每天"),
    # the rates: 日/月/年 and a number with a unit, as in ``_usury`` (．and ％ before translation)
    "usury": re.compile(r"利滚利|驴打滚|高利贷|[日月年]化?(?:息|利息|利率|费率)?(?:是|为)?\d+(?:[.．]\d+)?\s*[%％分毛]"),
}
_ANY_RAW_HINT_PLAIN = re.compile("|".join(f"(?:{h.pattern})" for h in _RAW_HINTS.values()))
#: Per tag set, the reasons with a numeric check that may count (``applicable``, kept: this runs per row).
_RAW_FOR: dict[tuple[str, ...], tuple[Reason, ...]] = {}


def _first_chars(items) -> tuple[list[tuple[int, int]], bool] | None:
    """The characters a match of the parsed sequence ``items`` can start with (as code point ranges), and
    whether it can match the empty string; None when that cannot be told (classes like ``\\d``, ``.``)."""
    from re import _constants as C  # noqa: N812 - the names sre itself uses

    ranges: list[tuple[int, int]] = []
    for op, av in items:
        if op is C.LITERAL:
            return [*ranges, (av, av)], False
        if op is C.IN:
            for kind, value in av:
                if kind is C.LITERAL:
                    ranges.append((value, value))
                elif kind is C.RANGE:
                    ranges.append(value)
                else:  # NEGATE, CATEGORY: give up
                    return None
            return ranges, False
        if op in (C.ASSERT, C.ASSERT_NOT, C.AT):  # zero width: look past it
            continue
        if op is C.BRANCH:
            nullable = False
            for alt in av[1]:
                sub = _first_chars(alt)
                if sub is None:
                    return None
                ranges += sub[0]
                nullable |= sub[1]
            if not nullable:
                return ranges, False
            continue
        if op is C.SUBPATTERN:
            if av[1] or av[2]:  # inline flags
                return None
            sub = _first_chars(av[3])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", None)):
            sub = _first_chars(av[2])
            if sub is not None and av[0] == 0:
                sub = (sub[0], True)
        else:
            return None
        if sub is None:
            return None
        ranges += sub[0]
        if not sub[1]:
            return ranges, False
    return ranges, True


def _first_set(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The characters every match of ``pattern`` starts with, when they are few enough to list; else None."""
    from re import _parser

    first = _first_chars(_parser.parse(pattern.pattern, pattern.flags).data)
    if first is None or first[1] or not first[0] or sum(b - a + 1 for a, b in first[0]) > 512:
        return None
    return frozenset(chr(c) for a, b in first[0] for c in range(a, b + 1))


#: Per pattern code, the characters its matches start with: a text holding none of them cannot match.
_FIRST = {r.code: _first_set(r.pattern) for r in REASONS if r.pattern is not None}


def _first_char_guard(pattern: re.Pattern[str], first: frozenset[str] | bool | None = False) -> re.Pattern[str]:
    """``pattern`` behind a lookahead on the characters its matches start with (the same matches): the
    engine then skips at once the positions no alternative can start at, instead of trying each there.
    ``first``: those characters when already known (:func:`_first_set`)."""
    if first is False:
        first = _first_set(pattern)
    if first is None:
        return pattern
    chars = "".join(re.escape(c) for c in sorted(first))
    return re.compile(f"(?=[{chars}])(?:{pattern.pattern})", pattern.flags)


#: Any numeric check's hint (runs on every row of a batch that may get a debt-term code).
_ANY_RAW_HINT = _first_char_guard(_ANY_RAW_HINT_PLAIN)


#: Per tag set, ``(code, guarded pattern)`` of the pattern checks that may count (``applicable``).
_NORM_FOR: dict[tuple[str, ...], tuple[tuple[str, re.Pattern[str]], ...]] = {}


_GUARDED: dict[str, re.Pattern[str]] = {}


def _guarded(r: Reason) -> re.Pattern[str]:
    """``r.pattern`` behind its first-character guard (compiled when first needed: importing stays light)."""
    if r.code not in _GUARDED:
        _GUARDED[r.code] = _first_char_guard(r.pattern, _FIRST[r.code])
    return _GUARDED[r.code]


def norm_codes(norm: str, tags: tuple[str, ...]) -> frozenset[str]:
    """The codes found by patterns on the normalized text (depends on ``norm`` and ``tags`` only).

    Each pattern is searched behind its first-character guard, which rejects a text holding none of those
    characters in one quick scan (cheaper than a set of the text's characters: a CJK character is an object)."""
    key = tags if type(tags) is tuple else tuple(tags)
    checks = _NORM_FOR.get(key)
    if checks is None:
        if len(_NORM_FOR) >= 256:  # tag sets are few; bounded all the same
            _NORM_FOR.clear()
        checks = _NORM_FOR[key] = tuple((r.code, _guarded(r)) for r in applicable(key) if r.pattern is not None)
    return frozenset([code for code, pattern in checks if pattern.search(norm)])


def raw_codes(text: str, tags: tuple[str, ...]) -> frozenset[str]:
    """The codes found by the numeric checks on the original text."""
    wanted = _RAW_FOR.get(tags)
    if wanted is None:
        wanted = _RAW_FOR[tuple(tags)] = tuple(r for r in applicable(tuple(tags)) if r.raw is not None)
    if not wanted or not _ANY_RAW_HINT.search(text):
        return frozenset()
    return frozenset(r.code for r in wanted if _RAW_HINTS[r.code].search(text) and r.raw(text))


def in_order(codes: frozenset[str] | set[str]) -> tuple[str, ...]:
    """Codes in ``REASONS`` order (the order :func:`reason_codes` gives)."""
    return tuple(r.code for r in REASONS if r.code in codes) if codes else ()


def reason_codes(text: str, norm: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    """Reason codes without spans (the batch fast path): patterns on ``norm``, numbers on ``text``."""
    if norm == "" and text:
        norm = unicodedata.normalize("NFKC", text).lower()
    return in_order(norm_codes(norm, tags) | raw_codes(text, tags))


def shared_context_hit(pred) -> ReasonHit | None:
    """The ``shared_disclosure`` code of a message posted in a group or in public that carries
    ``third_party_contact``: posting it there told others about the debt. No span (it is not in the words)."""
    if getattr(pred, "context", "private") not in SHARED_CONTEXTS or THIRD_PARTY_CONTACT not in pred.tags:
        return None
    r = BY_CODE[SHARED_DISCLOSURE]
    return ReasonHit(r.code, r.zh, r.family, "", 0, 0)
