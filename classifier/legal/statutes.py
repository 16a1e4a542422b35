"""Which PRC provisions a message may violate, with exact text, conditions, and what to do.

Provision texts live in ``resources/statutes.json`` (copied from the project's verified statute
notes, each with its source and verification mark). This module maps tags, and finer reason codes
found in the text, to provisions, each with the condition under which it applies, and picks the
version of the 治安管理处罚法 in force on the message's date (the 2025 revision, in force from
2026-01-01, renumbered the articles: old 第四十二条 is now 第五十条).

Everything here is information, not legal advice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..labels import HARASSMENT, LAWFUL_REMINDER, THIRD_PARTY_CONTACT, THREAT
from ..text.masking import mask_pii
from ..text.normalize import normalize_aligned

STATUTES_PATH = Path(__file__).resolve().parent / "statutes.json"
DISCLAIMER = ("本结果由自动模型生成，仅供参考，不构成法律意见；具体情况请咨询律师或法律援助机构。"
              " This is information, not legal advice.")
NEW_PSAPL_FROM = dt.date(2026, 1, 1)


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(STATUTES_PATH.read_text(encoding="utf-8"))


def provisions() -> dict[str, dict]:
    """Every provision the tool can cite, by id (e.g. ``治安管理处罚法:50``)."""
    return {p["id"]: p for p in _data()["provisions"]}


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


def citation(p: dict, items: str = "") -> str:
    """Short citation, e.g. ``治安管理处罚法第五十条第一款第（五）项``; old versions name their version."""
    if p["kind"] == "guidance":
        return p["short"]
    version = f"（{p['version'].split('（')[0]}）" if p["effective_to"] else ""
    return p["short"] + version + p["article"] + items


# --- reason codes ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    tag: str
    pattern: re.Pattern[str]


REASONS: tuple[Reason, ...] = (
    Reason("impersonation", "冒充公检法、律师等身份", THREAT, re.compile(
        r"(?:我(?:们)?(?:是|这里是|这边是)|本人是|这里是)[^，,。!！?？\n]{0,12}?(?:公安|派出所|警察|警官|民警|经侦|刑警|法院|法官|执行局|检察|律师|法务局)"
        r"|(?:公安局|派出所|经侦大队|人民法院|检察院)[^，,。\n]{0,6}(?:通知|告知|警告)")),
    Reason("fake_legal_document", "伪造或谎称法律文书（传票、逮捕令、律师函、立案通知）", THREAT, re.compile(
        r"传票|逮捕令|拘传|通缉令|立案(?:通知|决定)|律师函|法院公告|判决书|协查通报|公安(?:通知|公告)")),
    Reason("false_legal_consequence", "虚构或夸大法律后果（坐牢、拘留、立案、冻结全部财产、黑名单）", THREAT, re.compile(
        r"坐牢|判刑|拘留|抓(?:你|人|走)|带走|逮捕|立案|诈骗罪|刑事(?:责任|案件|犯罪)|涉嫌|冻结(?:你)?(?:所有|全部|名下)|黑名单|起诉你全家"
        r"|子女[^，。]{0,6}(?:上学|考公|政审)|坐不了(?:高铁|飞机)|上门(?:抓|拘)")),
    Reason("safety_threat", "威胁人身、家人或财产安全", THREAT, re.compile(
        r"小心|后果自负|弄死|打死|砍|卸你|打断|腿|出门[^，。]{0,4}(?:注意|小心)|找人|兄弟们?|收拾你|让你(?:好看|后悔)|活不|不得安宁|见血|废了你"
        r"|你(?:家人|孩子|儿子|女儿|父母|老婆|老公)[^，。]{0,8}(?:安全|小心|学校)|🔪|💀|⚰")),
    Reason("public_shaming", "公开羞辱（P图、张贴、发朋友圈/微博、社死）", THREAT, re.compile(
        r"p图|ps|遗照|黑白照|通缉|海报|张贴|贴(?:到|在|满)|横幅|大字报|朋友圈|微博|抖音|曝光|社死|挂(?:到|在)?网上|公告")),
    Reason("home_work_visit", "扬言上门、到单位或学校闹事", THREAT, re.compile(
        r"上门|家访|外访|到你家|去你家|去你(?:单位|公司|学校|老家)|到你(?:单位|公司|学校|老家)|堵你|找到你家|村里|村委")),
    Reason("insult", "辱骂、侮辱", HARASSMENT, re.compile(
        r"老赖|骗子|垃圾|不要脸|畜生|人渣|废物|杂种|贱|婊|狗|猪|傻|sb|cnm|nmsl|tmd|去死|死全家|不得好死|王八|混蛋|滚|脑残|烂人|丢人")),
    Reason("bombardment", "频繁轰炸式联系", HARASSMENT, re.compile(
        r"(?:打|发)了?[^，。]{0,3}(?:\d{2,}|[十百几]+)[个条次通]|一直打|天天打|每天打|打到你|轰炸|呼死你|无限|不停地?打|自动拨号|短信轰炸")),
    Reason("night_contact", "深夜或凌晨联系", HARASSMENT, re.compile(
        r"凌晨|半夜|深夜|夜里[一二三四两\d]点|晚上(?:1[0-2]|十[一二]?)点|[一二三四两1-4]点(?:钟)?(?:了|还)")),
    Reason("named_third_party", "向具体第三人（家人、同事、单位、房东等）透露债务", THIRD_PARTY_CONTACT, re.compile(
        r"你(?:的)?(?:爸|妈|父母|家人|老婆|老公|妻子|丈夫|孩子|儿子|女儿|哥|姐|弟|妹|亲戚|同事|领导|老板|单位|公司|hr|人事|房东|室友|同学|老师|辅导员|朋友)"
        r"|紧急联系人|担保人|家属|你单位|单位领导|人事部|辅导员|房东|村委|亲戚")),
    Reason("contact_list", "使用通讯录等个人信息扩散债务（爆通讯录）", THIRD_PARTY_CONTACT, re.compile(
        r"通讯录|联系人|通话记录|群发|爆(?:你)?(?:通讯录|通迅录|全部|所有)|人手一份|所有人|家族群|工作群|同学群|业主群|群里")),
    Reason("illegal_debt_marker", "非法债务迹象（砍头息、714、高利）", "", re.compile(
        r"砍头息|714|7天(?:期|借款)|高炮|展期费|服务费|砍头|高利|日息|利滚利|到手\S{0,6}(?:扣|砍)")),
)
_REASON_BY_CODE = {r.code: r for r in REASONS}


@dataclass(frozen=True)
class ReasonHit:
    code: str
    zh: str
    tag: str
    text: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"code": self.code, "zh": self.zh, "tag": self.tag or None, "text": mask_pii(self.text),
                "start": self.start, "end": self.end}


def find_reasons(text: str, tags: tuple[str, ...], spans: list[tuple[int, int]] | None = None) -> list[ReasonHit]:
    """Reason codes found in the text, for the tags the message carries (and illegal-debt markers).

    ``spans`` limits the search to parts of the text (a transcript's collector turns).
    """
    if not tags or not text:
        return []
    wanted = _reasons_for(tuple(tags))
    hits: dict[str, ReasonHit] = {}
    for s0, s1 in spans if spans is not None else [(0, len(text))]:
        part = text[s0:s1]
        norm, origin = normalize_aligned(part)
        for r in wanted:
            if r.code in hits:
                continue
            m = r.pattern.search(norm)
            if m:
                a, b = origin[m.start()], origin[max(m.end() - 1, m.start())] + 1
                hits[r.code] = ReasonHit(r.code, r.zh, r.tag, part[a:b], s0 + a, s0 + b)
    return [hits[r.code] for r in REASONS if r.code in hits]


# --- mapping -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    provision: str  # id in statutes.json (current numbering)
    items: str  # e.g. "第一款第（五）项"
    condition: str  # when it applies
    items_2012: str | None = None  # the items' numbers in the 2012 text, where they differ


_BY_TAG: dict[str, tuple[Ref, ...]] = {
    THREAT: (
        Ref("治安管理处罚法:50", "第一款第（一）项", "以恐吓等方法威胁他人人身安全；不问债务是否合法。属行政责任，无金额门槛。"),
        Ref("治安管理处罚法:50", "第一款第（五）项", "须“多次”发送恐吓等信息，或以滋扰、纠缠、跟踪等方法干扰他人正常生活；单条消息一般不足。"),
        Ref("刑法:293-1", "第（一）、（三）项", "仅适用于催收高利放贷等产生的“非法债务”（如砍头息、“714”高炮），且须“情节严重”；合法持牌机构的债务不适用本条。"),
        Ref("刑法:293", "第一款第（二）项", "须恐吓他人“情节恶劣”并破坏社会秩序；因债务纠纷恐吓他人一般不认定为寻衅滋事，除非经有关部门批评制止或处理处罚后继续实施（两高寻衅滋事解释第一条第三款）。"),
    ),
    HARASSMENT: (
        Ref("治安管理处罚法:50", "第一款第（五）项", "须“多次”发送淫秽、侮辱等信息，或采取滋扰、纠缠等方法干扰他人正常生活；单条消息一般不足。公安机关可另责令禁止接触（第二款）。"),
        Ref("治安管理处罚法:50", "第一款第（二）项", "“公然”侮辱须有公开性（如在群里、朋友圈或当众）；私信辱骂主要适用第（五）项。"),
        Ref("民法典:1032", "", "私人生活安宁属于隐私权；频繁电话、短信侵扰可请求停止侵害、赔偿（民事）。"),
        Ref("民法典:1033", "第（一）项", "以电话、短信、即时通讯工具等方式侵扰他人私人生活安宁，除非法律另有规定或者权利人明确同意。"),
        Ref("刑法:293-1", "第（三）项", "仅适用于催收“非法债务”（高利放贷等），且骚扰须“情节严重”。"),
    ),
    THIRD_PARTY_CONTACT: (
        Ref("个人信息保护法:10", "", "任何组织、个人不得非法提供或者公开他人个人信息；向无关第三人透露借款人的债务信息可能违反本条。"),
        Ref("个人信息保护法:13", "", "为履行合同可处理借款人本人的信息（第一款第（二）项），但通讯录联系人不是合同当事人，处理其信息需另有合法依据。"),
        Ref("民法典:1033", "第（一）项", "以电话、短信等侵扰联系人的私人生活安宁；联系人从未同意被联系。"),
        Ref("治安管理处罚法:50", "第一款第（六）项", "散布他人隐私；债务情况是否属于隐私视具体情况而定。"),
        Ref("民法典:1024", "", "向第三人称借款人为“骗子”“老赖”等，或捏造事实，降低其社会评价的，可能侵害名誉权。"),
        Ref("GB/T 45251—2025", "", "推荐性国家标准（据报道，非原文）：应只向债务人催收，不应向联系人催收；仅作行业规则参考。"),
    ),
    LAWFUL_REMINDER: (
        Ref("民法典:675", "", "债权人的合法依据：借款人应当按期返还借款；贷款人可以催告借款人在合理期限内返还。"),
        Ref("民法典:676", "", "逾期利息按照约定或者国家有关规定支付；民间借贷利率受司法保护的上限为合同成立时一年期LPR的四倍（民间借贷司法解释）。"),
        Ref("民法典:577", "", "如实告知违约责任、依法起诉或申请仲裁是合法的。"),
        Ref("个人信息保护法:13", "第一款第（二）项", "为履行借款合同联系借款人本人不需另行取得同意；联系第三人不在此列。"),
        Ref("民法典:1033", "第（一）项", "催收须守的界限：不得以电话、短信等方式侵扰私人生活安宁。"),
        Ref("GB/T 45251—2025", "", "催收须守的界限（推荐性国家标准，据报道，非原文）：只向债务人催收；22:00至次日8:00不催收；每日语音有效通话不超过3次。"),
    ),
}

_BY_REASON: dict[str, tuple[Ref, ...]] = {
    "impersonation": (
        Ref("治安管理处罚法:62", "", "冒充国家机关工作人员（冒充警察从重）招摇撞骗；冒充律师等其他身份适用第三款（2012年文本第一款“其他虚假身份”）。"),
        Ref("刑法:279", "", "冒充国家机关工作人员招摇撞骗，谋取不正当利益；较轻的按治安管理处罚法处理。"),
    ),
    "fake_legal_document": (
        Ref("治安管理处罚法:63", "第一款第（一）、（三）项", "仅当确有伪造、变造或使用伪造的公文、证件、印章时适用；仅口头谎称“已立案”适用虚构后果的规定。",
            items_2012="第（一）、（二）项"),
        Ref("刑法:280", "第一款、第二款", "伪造国家机关（含法院、公安）公文、印章，或伪造公司、企业印章；较轻的按治安管理处罚法第六十三条处理。"),
    ),
    "false_legal_consequence": (
        Ref("银行业协会催收指引(2026)", "", "行业自律规则（据报道，非原文）：禁止虚构黑名单、夸大法律后果，禁止冒用司法机关名义；仅作参考。"),
    ),
    "safety_threat": (
        Ref("治安管理处罚法:50", "第一款第（一）项", "威胁他人人身安全即可适用，无需多次。"),
        Ref("刑法:274", "", "仅当以威胁索取并非真实所欠的财物（如虚构的费用）且数额较大或多次时；追讨真实、合法的欠款通常不构成。"),
    ),
    "public_shaming": (
        Ref("治安管理处罚法:50", "第一款第（二）项", "公然侮辱或捏造事实诽谤他人（如P图、张贴、群发）。"),
        Ref("刑法:246", "", "侮辱、诽谤“情节严重”的才构成犯罪，且一般告诉才处理；网络诽谤“情节严重”的标准见两高网络诽谤解释第二条。"),
        Ref("两高网络诽谤解释:6", "", "以在网上发布信息相威胁索取财物的，按敲诈勒索处理；追讨真实欠款是否适用存在争议。"),
        Ref("民法典:1024", "", "侮辱、诽谤侵害名誉权，可请求停止侵害、赔礼道歉、赔偿。"),
    ),
    "home_work_visit": (
        Ref("治安管理处罚法:50", "第一款第（一）、（五）项", "扬言上门、到单位闹事：威胁人身安全或以滋扰、纠缠方法干扰正常生活时适用。"),
        Ref("刑法:293-1", "第（二）项", "实际限制人身自由或侵入住宅催收“非法债务”的才适用；仅是扬言不适用本项。"),
    ),
    "insult": (
        Ref("民法典:1024", "", "以侮辱方式侵害名誉权（民事）。"),
        Ref("两高网络诽谤解释:5", "", "利用信息网络（含短信、电话）辱骂、恐吓他人，情节恶劣、破坏社会秩序的，以寻衅滋事罪论处；门槛很高。"),
    ),
    "bombardment": (
        Ref("治安管理处罚法:50", "第一款第（五）项", "短信、电话轰炸正是“多次发送……信息”“滋扰、纠缠”的典型情形。"),
        Ref("GB/T 45251—2025", "", "推荐性国家标准（据报道，非原文）：每日语音有效通话不应超过3次。"),
    ),
    "night_contact": (
        Ref("民法典:1033", "第（一）项", "深夜电话、短信侵扰私人生活安宁。"),
        Ref("GB/T 45251—2025", "", "推荐性国家标准（据报道，非原文）：除另有约定外，22:00至次日8:00不应催收。"),
    ),
    "named_third_party": (
        Ref("民法典:1032", "", "向家人、同事、单位泄露、公开借款人的私密信息可能侵害隐私权。"),
    ),
    "contact_list": (
        Ref("民法典:111", "", "不得非法收集、使用、买卖、提供或者公开他人个人信息（通讯录中联系人的信息）。"),
        Ref("治安管理处罚法:56", "", "出售、提供或者非法获取个人信息（如买卖、窃取通讯录）的行政责任；仅给联系人打电话不等于本条行为。"),
        Ref("刑法:253-1", "", "出售、提供、非法获取公民个人信息“情节严重”的才构成犯罪（如普通个人信息五千条以上、违法所得五千元以上，见两高个人信息解释第五条）。"),
    ),
    "illegal_debt_marker": (
        Ref("刑法:293-1", "", "消息显示可能是高利放贷等产生的“非法债务”：以暴力、胁迫、恐吓、跟踪、骚扰等方法催收，情节严重的，可能构成催收非法债务罪。"),
        Ref("民法典:680", "", "禁止高利放贷；借款利率不得违反国家有关规定。"),
    ),
}


def _resolve(ref: Ref, date: dt.date | None) -> dict | None:
    """The provision in force on ``date`` (None: today's law), or None if none was in force."""
    table = provisions()
    p = table[ref.provision]
    when = date or dt.date.today()
    if date is not None and date < NEW_PSAPL_FROM and p.get("replaces"):
        p = table[p["replaces"]]
        items = ref.items if ref.items_2012 is None else ref.items_2012
        condition = ref.condition + "（该消息日期早于2026-01-01，引用当时有效的2012年修正文本条号；新旧法衔接一般适用“从旧兼从轻”原则，未经核实。）"
    else:
        items, condition = ref.items, ref.condition
    start = dt.date.fromisoformat(p.get("effective_from_article") or p["effective_from"])
    if when < start:
        return None
    if date is not None and date < NEW_PSAPL_FROM and p["id"] == "治安管理处罚法:56":
        return None  # new offence in the 2025 revision: no counterpart before 2026-01-01
    return {
        "id": p["id"], "citation": citation(p, items), "law": p["law"], "article": p["article"],
        "items": items, "version": p["version"], "effective_from": str(start),
        "effective_to": p["effective_to"], "kind": p["kind"], "verification": p["verification"],
        "condition": condition, "text": p["text"], "source": p["source"],
    }


def provisions_for(tags: tuple[str, ...], reasons: list[ReasonHit] = (), date: dt.date | None = None) -> list[dict]:
    """Provisions for a message's tags and reason codes, de-duplicated, in a stable order."""
    refs: list[tuple[Ref, str]] = []
    for tag in tags:
        refs.extend((r, f"tag:{tag}") for r in _BY_TAG.get(tag, ()))
    for hit in reasons:
        refs.extend((r, f"reason:{hit.code}") for r in _BY_REASON.get(hit.code, ()))
    out: dict[tuple[str, str], dict] = {}
    for ref, why in refs:
        p = _resolve(ref, date)
        if p is None:
            continue
        key = (p["id"], p["items"])
        if key in out:
            out[key]["because"].append(why)
        else:
            out[key] = {**p, "because": [why]}
    return list(out.values())


# --- advice ----------------------------------------------------------------------------------------

CHANNELS = {
    "110": "110 / 当地派出所：威胁人身安全、冒充公检法、伪造文书、辱骂骚扰均可报警；公安机关应当立即立案调查（治安管理处罚法第九十条）。",
    "12378": "12378 银行保险消费者投诉维权热线（国家金融监督管理总局）：针对银行、消费金融公司等持牌机构及其委托的催收。",
    "12321": "12321 网络不良与垃圾信息举报受理中心（www.12321.cn）：举报骚扰电话、垃圾短信、呼死你式轰炸。",
    "nifa": "中国互联网金融协会 互联网金融举报信息平台（jubao.nifa.org.cn）：举报网贷平台及其催收行为。",
    "pi": "个人信息被滥用：可向履行个人信息保护职责的部门投诉、举报（个人信息保护法第六十五条）。",
    "lawyer": "律师或当地法律援助机构：起诉侵权、申请人格权侵害禁令（民法典第九百九十七条）。",
}

_COMMON = [
    "保留证据：截图要包含发送号码/账号和时间；保存通话录音和通话记录；记下催收人员自称的姓名、工号、公司。",
    "不要向任何个人账户转账“还款”，只通过借款平台官方App或对公账户还款，并保留凭证。",
    "如确有困难，通过官方客服渠道协商分期或延期，要求书面（短信、App内）确认。",
]
ADVICE: dict[str, dict] = {
    THREAT: {"steps": [
        "人身安全受到威胁时立即拨打110，或带上证据到派出所报案。",
        "“公安上门”“已立案”“传票”等说法可向当地公安机关或法院的官方电话核实，不要拨打短信里给的号码。",
        *_COMMON], "channels": ["110", "12378", "nifa", "lawyer"]},
    HARASSMENT: {"steps": [
        "记录骚扰的次数和时间（通话记录截图），深夜来电尤其要保存。",
        "可以明确告知对方停止骚扰，并说明将投诉、报警。",
        *_COMMON], "channels": ["12321", "12378", "nifa", "110"]},
    THIRD_PARTY_CONTACT: {"steps": [
        "告诉被联系的亲友、同事：不要替你还款或转账，保存他们收到的短信、来电记录。",
        "可要求平台说明从何处获得你的通讯录，并撤回App的通讯录权限。",
        *_COMMON], "channels": ["12378", "nifa", "pi", "lawyer"]},
    LAWFUL_REMINDER: {"steps": [
        "这条消息看起来是合规的还款提醒：核对金额、利息和费用是否与合同一致。",
        "催收方不得联系你的亲友同事，不应在22:00至次日8:00催收（推荐性国家标准，据报道）；如发生可投诉。",
        "如确有困难，通过官方客服渠道协商分期或延期，要求书面确认。",
    ], "channels": ["12378"]},
}
ILLEGAL_DEBT_STEP = ("消息显示可能涉及“砍头息”、“714”高炮等非法放贷：超出法定利率上限的部分不受法律保护，"
                     "不要以贷养贷；可向110或中国互联网金融协会举报。")


def advice_for(tags: tuple[str, ...], reasons: list[ReasonHit] = ()) -> dict:
    """A short checklist and where to complain, for the message's tags."""
    steps: list[str] = []
    channels: list[str] = []
    for tag in tags:
        a = ADVICE.get(tag)
        if not a:
            continue
        steps.extend(s for s in a["steps"] if s not in steps)
        channels.extend(c for c in a["channels"] if c not in channels)
    if any(h.code == "illegal_debt_marker" for h in reasons):
        steps.insert(0, ILLEGAL_DEBT_STEP)
    return {"steps": steps, "channels": [{"id": c, "text": CHANNELS[c]} for c in channels]}


def attach(pred, text: str | None = None) -> dict:
    """Reasons, provisions, advice and the disclaimer for a prediction (the JSON's legal part)."""
    if pred.error:
        return {"reasons": [], "provisions": [], "advice": {"steps": [], "channels": []}, "disclaimer": DISCLAIMER}
    source = text if text is not None else pred.text
    scored = [(t.start, t.end) for t in pred.turns if t.scored]
    spans = scored if pred.turns and len(scored) < len(pred.turns) else None
    reasons = find_reasons(source, pred.tags, spans)
    return {
        "reasons": [r.to_dict() for r in reasons],
        "provisions": provisions_for(pred.tags, reasons, pred.date),
        "advice": advice_for(pred.tags, reasons),
        "disclaimer": DISCLAIMER,
    }


@lru_cache(maxsize=64)
def _reasons_for(tags: tuple[str, ...]) -> tuple[Reason, ...]:
    unlawful = any(t in tags for t in (THREAT, HARASSMENT, THIRD_PARTY_CONTACT))
    return tuple(r for r in REASONS if (r.tag in tags) or (not r.tag and unlawful))


def reason_codes(norm: str, tags: tuple[str, ...]) -> tuple[str, ...]:
    """Reason codes in already-normalized text (fast path for batch scoring; no spans)."""
    return tuple(r.code for r in _reasons_for(tags) if r.pattern.search(norm))


@lru_cache(maxsize=8192)
def _citations_cached(tags: tuple[str, ...], codes: tuple[str, ...], date: dt.date | None) -> str:
    hits = [ReasonHit(c, _REASON_BY_CODE[c].zh, _REASON_BY_CODE[c].tag, "", 0, 0) for c in codes]
    return short_citations(provisions_for(tags, hits, date))


def batch_citations(pred) -> str:
    """The ``statutes`` cell of a batch row: short citations for the prediction's tags and reasons."""
    if pred.error or not pred.tags:
        return ""
    return _citations_cached(pred.tags, reason_codes(pred.norm, pred.tags), pred.date)


def short_citations(provs: list[dict]) -> str:
    return "; ".join(p["citation"] for p in provs if p["kind"] != "guidance")


def render_legal(legal: dict, full_text: bool = False) -> str:
    """Terminal rendering of the legal part."""
    lines = []
    if legal["reasons"]:
        lines.append("细分原因 reasons:")
        for r in legal["reasons"]:
            lines.append(f"  {r['code']} {r['zh']}: 「{r['text']}」")
    if legal["provisions"]:
        lines.append("可能违反的规定 provisions it may violate:")
        for p in legal["provisions"]:
            mark = "（监管/行业规则转述，非法律原文）" if p["kind"] == "guidance" else ""
            period = f"{p['effective_from']}至{p['effective_to']}" if p["effective_to"] else f"{p['effective_from']}起施行"
            lines.append(f"  • {p['citation']}{mark} [{period}; {p['verification']}]")
            lines.append(f"    适用条件: {p['condition']}")
            if full_text:
                lines.extend("    > " + t for t in p["text"].split("\n"))
        if not full_text:
            lines.append("  (条文原文: --full, 或 cuishou statutes ID; exact texts with --full)")
    if legal["advice"]["steps"]:
        lines.append("建议 what to do:")
        lines.extend(f"  - {s}" for s in legal["advice"]["steps"])
        lines.append("投诉渠道 where to complain:")
        lines.extend(f"  - {c['text']}" for c in legal["advice"]["channels"])
    lines.append(legal["disclaimer"])
    return "\n".join(lines)
