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
from ..text.masking import mask_pii
from ..text.normalize import normalize_aligned

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


def _p(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(alternatives))


_OFFICE = r"(?:公安局|公安分局|公安|市局|分局|网警|派出所|经侦|刑侦|刑警|特警|人民法院|法院|执行局|检察院)"
_KIN = r"(?:爸|妈|父母|家人|老婆|老公|妻子|丈夫|孩子|儿子|女儿|哥|姐|弟|妹|亲戚|同事|领导|老板|hr|人事|房东|室友|同学|老师|辅导员|朋友(?!圈))"

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
    Reason("police_court_impersonation", "冒充公安、法院、检察院等国家机关工作人员", THREAT, _p(
        rf"(?:我(?:们)?(?:是|这里是|这边是)|本人是|这里是|这边是)[^，,。!！?？\n]{{0,12}}?{_OFFICE}",
        rf"(?:——|--|【)[^，,。！!？?\n]{{0,12}}{_OFFICE}[^，,。\n]{{0,8}}(?:】|$|\n|警官|民警|法官|书记员|大队|支队)",
        rf"{_OFFICE}[^，,。\n]{{0,8}}[\u4e00-\u9fff]{{1,2}}(?:警官|法官|书记员)",
        rf"{_OFFICE}[^，,。\n]{{0,6}}(?:通知你|告知你|警告你)",
        r"移交我(?:单位|局|院|队)")),
    Reason("lawyer_impersonation", "自称律师、律所或公司法务（可能为虚假身份）", THREAT, _p(
        r"(?:我(?:们)?(?:是|这里是|这边是)|本人是|这里是)[^，,。!！?？\n]{0,14}?(?:律师|律所|法务)",
        r"(?:律师事务所|律所|法务部)[^，,。\n]{0,6}[\u4e00-\u9fff]{1,2}律师")),
    Reason("fake_legal_document", "发送伪造或冒用的法律文书（传票、逮捕令等）", THREAT, _p(
        r"(?:传票|逮捕令|拘传票|通缉令|立案通知书|判决书|协查通报|执行通知书)[^，。\n]{0,12}(?:已发|发到|发给|发你|附件|照片|寄到|寄给|已寄|盖章|已下发|送达|查收)",
        r"(?:已发|发到|发给|发你|附件|照片|寄到|寄给|盖章|送达)[^，。\n]{0,12}(?:传票|逮捕令|拘传票|通缉令|立案通知书|判决书|协查通报|执行通知书)",
        r"这是[^，。\n]{0,14}(?:传票|逮捕令|通缉令|立案通知书|判决书)")),
    Reason("false_legal_consequence", "虚构或夸大法律后果（坐牢、拘留、立案、抓人、黑名单）", THREAT, _p(
        r"坐牢|判刑|拘留|抓(?:你|人|走)|带走|逮捕|立案|诈骗罪|刑事(?:责任|案件|犯罪)|涉嫌|拘传|传唤|冻结(?:你)?(?:所有|全部|名下)",
        r"黑名单|起诉你全家|子女[^，。]{0,6}(?:上学|考公|政审)|坐不了(?:高铁|飞机)|上门(?:抓|拘)")),
    Reason("safety_threat", "威胁人身、家人或财产安全", THREAT, _p(
        r"小心(?:点|你|你的|一点)|后果自负|弄死|打死|砍死|砍你|卸你|打断[^，。]{0,3}腿|出门[^，。]{0,4}(?:注意|小心)",
        r"找人(?:收拾|弄|办|教训)|兄弟们?(?:去|来|上门|找|等)|收拾你|让你(?:好看|后悔)|活不(?:了|成)|见血|废了你|教训",
        r"你(?:家人|孩子|儿子|女儿|父母|老婆|老公)[^，。]{0,10}(?:安全|小心|出什么事|出事|学校|放学|几年级|小学|中学)",
        r"🔪|💀|⚰")),
    Reason("extortion", "索要债务以外的钱财（处理费、保密费等）", THREAT, _p(
        r"(?:处理|保密|删帖|公关|撤案|消案|封口)费",
        r"(?:除了|另外|额外)[^，。\n]{0,6}(?:转|交|给|付|打)[^，。\n]{0,8}(?:元|块|万)")),
    Reason("publish_threat", "扬言在网上、朋友圈等公开其信息或照片", THREAT, _p(
        r"(?:发|挂|传|曝光)(?:到|在)?(?:你(?:的)?)?(?:网上|朋友圈|微博|抖音|贴吧|家族群|群里|工作群|同学群)",
        r"(?:就|会|要|准备)[^，。\n]{0,6}(?:曝光|挂网|社死)|让你社死")),
    Reason("home_work_visit", "扬言上门、到单位或学校", THREAT, _p(
        r"上门(?![抓拘逮带])|家访|外访|到你家(?!族)|去你家(?!族)|去你(?:单位|公司|学校|老家)|到你(?:单位|公司|学校|老家)|堵你|找到你家|村里|村委")),
    Reason("entry_done", "已进入或滞留在其住宅", THREAT, _p(
        r"(?:已经|现在|正)?(?:在|进了?|坐在|到了)你家(?:客厅|里|屋里|卧室|沙发)",
        r"你家(?:客厅|屋里|卧室)[^，。\n]{0,4}(?:坐着|等着|待着)",
        r"(?:我们)?就不走了?|赖着不走|住在你家")),
    Reason("detention_done", "已限制他人人身自由（扣人、不让走）", THREAT, _p(
        r"(?:在我们|在我)(?:手上|手里|这里|这儿|公司|这)",
        r"(?:人|他|她|你)就?别想走|不让(?:他|她|你)走|扣(?:下|住|着)(?:他|她|你|人)|关(?:起来|在)")),
    Reason("photo_doctoring", "P图、伪造或丑化其照片（遗照、海报）", HARASSMENT, _p(
        r"(?<![a-z])p(?:图|好|了你)|(?<![a-z])ps(?![a-z])|遗照|黑白照|合成(?:照|图)|头像[^，。]{0,4}(?:做成|改成)")),
    Reason("public_post", "已在公开场合、群或网上发布", HARASSMENT, _p(
        r"各位(?:群友|朋友|亲友|同事|邻居|家人)|大家(?:看|注意|离|都知道|转发)|群友|@所有人|这个群里|转发给大家",
        r"(?:贴(?:在|到|满)|张贴|挂(?:在|到))[^，。\n]{0,12}(?:门口|楼下|小区|单位|公司|学校|网上|墙)",
        r"(?:已经|已)[^，。\n]{0,4}(?:发到|发在|发了|挂到|挂在|转发到)[^，。\n]{0,10}(?:朋友圈|群|网上|微博|抖音)")),
    Reason("insult", "辱骂、侮辱", HARASSMENT, _p(
        r"老赖|骗子|垃圾|不要脸|畜生|人渣|废物|杂种|贱|婊|狗|猪|傻|sb|cnm|nmsl|tmd|去死|死全家|不得好死|王八|混蛋|(?<!利)滚(?!利)|脑残|烂人|丢人")),
    Reason("defamation", "向他人捏造其违法犯罪等事实", HARASSMENT, _p(
        r"诈骗犯|逃犯|罪犯|在逃|已被(?:公安|警方)?(?:立案|通缉|抓)|涉嫌(?:诈骗|犯罪)|被通缉")),
    Reason("bombardment", "频繁轰炸式联系", HARASSMENT, _p(
        r"(?:打|发)了?[^，。]{0,3}(?:\d{2,}|[十百几]+)[个条次通遍]|每天打|天天打|一直打|打到你|轰炸|呼死你|不停地?打|自动拨号|每小时",
        r"每天[^，。]{0,4}(?:[十百几]+|\d{2,})(?:遍|次|个|通)|(?:一百|几十|上百)个")),
    Reason("night_contact", "深夜或凌晨联系", HARASSMENT, _p(
        r"凌晨|半夜|深夜|夜里[一二三四两\d]点|晚上(?:1[0-2]|十[一二]?)点|[一二三四两1-4]点(?:钟)?(?:了|还)")),
    Reason("named_third_party", "向具体第三人（家人、同事、单位等）透露或扬言透露债务", THIRD_PARTY_CONTACT, _p(
        rf"(?:通知|告诉|告知|联系|联络|打电话给|打给|发给|发到|找过?|问问|转告)[^，。\n]{{0,6}}你(?:的|们)?(?:{_KIN}|公司|单位)",
        rf"你(?:的|们)?(?:{_KIN}|公司|单位)[^，。\n]{{0,10}}(?:都知道|已经知道|也知道|收到|转告|说了|知道你)",
        r"你是[^，。\n]{0,8}的(?:妈妈|爸爸|母亲|父亲|家人|老婆|老公|同事|领导|朋友)|的(?:妈妈|爸爸|家人|同事|领导)吧",
        r"(?:您|你)的(?:同事|朋友|家人|亲戚|儿子|女儿|员工)[\u4e00-\u9fff]{1,3}在|贵(?:司|单位)|致[^，。\n]{0,10}(?:公司|单位|领导)",
        rf"给你(?:的|们)?(?:{_KIN}|公司|单位)[^，。\n]{{0,6}}(?:打电话|打了电话|发短信|发信息|发消息)",
        r"紧急联系人|担保人|亲友|家属|单位领导|人事部|村委")),
    Reason("contact_list", "使用通讯录等个人信息扩散债务（爆通讯录）", THIRD_PARTY_CONTACT, _p(
        r"通讯录|通迅录|(?<!紧急)联系人|通话记录|群发|爆(?:你)?(?:全部|所有)|人手一份|所有人|家族群|工作群|同学群|业主群")),
    Reason("data_transfer", "出借方把其个人信息提供给催收方或他人", THIRD_PARTY_CONTACT, _p(
        r"(?:资料|信息|通讯录|身份证)[^。\n]{0,20}(?:移交|转交|提供|卖|交)(?:给|到)[^，。\n]{0,8}(?:催收|第三方|外包|公司)",
        r"(?:移交|转交|卖给|委托)[^，。\n]{0,6}(?:第三方)?催收(?:公司|机构)")),
    Reason("advance_interest", "砍头息：利息或费用预先从本金中扣除", DEBT, raw=_advance_interest),
    Reason("short_term_714", "“714”高炮：7天等超短期、高额费用借款", DEBT, raw=_short_term),
    Reason("usury", "利率远超法定上限（高利放贷）", DEBT, raw=_usury),
)
BY_CODE = {r.code: r for r in REASONS}
DEBT_CODES = tuple(r.code for r in REASONS if r.family == DEBT)


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
        return tuple(r for r in REASONS if r.family == DEBT)
    return ()


def find_reasons(text: str, tags: tuple[str, ...], spans: list[Span] | None = None) -> list[ReasonHit]:
    """Reason codes found in the text, with the span of the words that show each.

    ``spans`` limits the search to parts of the text (a transcript's collector turns).
    """
    wanted = applicable(tuple(tags))
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
_ANY_RAW_HINT = re.compile("|".join(f"(?:{h.pattern})" for h in _RAW_HINTS.values()))
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


def norm_codes(norm: str, tags: tuple[str, ...]) -> frozenset[str]:
    """The codes found by patterns on the normalized text (depends on ``norm`` and ``tags`` only)."""
    present = None
    found = []
    for r in applicable(tuple(tags)):
        if r.pattern is None:
            continue
        first = _FIRST[r.code]
        if first is not None:
            if present is None:
                present = frozenset(norm)
            if first.isdisjoint(present):
                continue
        if r.pattern.search(norm):
            found.append(r.code)
    return frozenset(found)


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
