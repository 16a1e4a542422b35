"""The domain lexicon: what a message talks about (debt, visits, legal steps, relatives, public exposure …).

One table of named concepts, each a regular expression on normalized text (simplified characters,
lower case, long numbers masked). Two users read it:

- the model, as a block of binary features next to the n-grams (``ConceptFeatures`` in
  ``modeling.pipeline``; the runtime model scores the same block), so that what it learns about
  "a visit is announced" carries over from written messages to real ones that use other words;
- the legal reason codes (``legal.reasons``), whose conduct patterns *are* concepts of this table,
  so the tags and the legal reasons are read from the same words.

Concepts are deliberately broad (they are features, weighed by the model); the reason codes are the
narrow ones, since a provision is cited from them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import numpy as np

OFFICE = r"(?:公安局|公安分局|公安|市局|分局|网警|派出所|经侦|刑侦|刑警|特警|人民法院|法院|执行局|检察院)"
KIN = (r"(?:爸|妈|父母|家人|老婆|老公|妻子|丈夫|孩子|儿子|女儿|哥|姐|弟|妹|亲戚|同事|领导|老板|hr|人事|房东|室友|同学|老师|"
       r"辅导员|朋友(?!圈))")


def _p(*alternatives: str) -> str:
    # Alternatives are written to start with a literal where they can (``有你好看|让你好看`` rather than
    # ``(?:有|让)你好看``, and ``个(?<=[0-9]个)`` rather than ``(?<=[0-9])个``): Python's re then scans for
    # their first characters, several times faster.
    return "|".join(alternatives)


#: The reason codes' conduct patterns (``legal.reasons`` cites provisions from these).
REASON_PATTERNS: dict[str, str] = {
    "police_court_impersonation": _p(
        rf"(?:我(?:们)?(?:是|这里是|这边是)|本人是|这里是|这边是)[^，,。!！?？\n]{{0,12}}?{OFFICE}",
        rf"(?:——|--|【)[^，,。！!？?\n]{{0,12}}{OFFICE}[^，,。\n]{{0,8}}(?:】|$|\n|警官|民警|法官|书记员|大队|支队)",
        rf"{OFFICE}[^，,。\n]{{0,8}}[\u4e00-\u9fff]{{1,2}}(?:警官|法官|书记员)",
        rf"{OFFICE}[^，,。\n]{{0,6}}(?:通知你|告知你|警告你)",
        r"移交我(?:单位|局|院|队)"),
    "lawyer_impersonation": _p(
        r"(?:我(?:们)?(?:是|这里是|这边是)|本人是|这里是)[^，,。!！?？\n]{0,14}?(?:律师|律所|法务)",
        r"(?:律师事务所|律所|法务部)[^，,。\n]{0,6}[\u4e00-\u9fff]{1,2}律师"),
    "fake_legal_document": _p(
        r"(?:传票|逮捕令|拘传票|通缉令|立案通知书|判决书|协查通报|执行通知书)[^，。\n]{0,12}(?:已发|发到|发给|发你|附件|照片|寄到|寄给|已寄|盖章|已下发|送达|查收)",
        r"(?:已发|发到|发给|发你|附件|照片|寄到|寄给|盖章|送达)[^，。\n]{0,12}(?:传票|逮捕令|拘传票|通缉令|立案通知书|判决书|协查通报|执行通知书)",
        r"这是[^，。\n]{0,14}(?:传票|逮捕令|通缉令|立案通知书|判决书)"),
    "false_legal_consequence": _p(
        r"坐牢|判刑|拘留|抓(?:你|人|走)|带走|逮捕|立案|诈骗罪|刑事(?:责任|案件|犯罪)|涉嫌|拘传|传唤|冻结(?:你)?(?:所有|全部|名下)",
        r"黑名单|起诉你全家|子女[^，。]{0,6}(?:上学|考公|政审)|坐不了(?:高铁|飞机)|上门(?:抓|拘)"),
    "safety_threat": _p(
        r"小心(?:点|你|你的|一点)|后果自负|弄死|打死|砍死|砍你|卸你|打断[^，。]{0,3}腿|出门[^，。]{0,4}(?:注意|小心)",
        r"找人(?:收拾|弄|办|教训)|兄弟们?(?:去|来|上门|找|等)|收拾你|让你(?:好看|后悔)|活不(?:了|成)|见血|废了你|教训",
        r"你(?:家人|孩子|儿子|女儿|父母|老婆|老公)[^，。]{0,10}(?:安全|小心|出什么事|出事|学校|放学|几年级|小学|中学)",
        r"🔪|💀|⚰"),
    "extortion": _p(
        r"(?:处理|保密|删帖|公关|撤案|消案|封口)费",
        r"(?:除了|另外|额外)[^，。\n]{0,6}(?:转|交|给|付|打)[^，。\n]{0,8}(?:元|块|万)"),
    "publish_threat": _p(
        r"(?:发|挂|传|曝光)(?:到|在)?(?:你(?:的)?)?(?:网上|朋友圈|微博|抖音|贴吧|家族群|群里|工作群|同学群)",
        r"(?:就|会|要|准备)[^，。\n]{0,6}(?:曝光|挂网|社死)|让你社死"),
    "home_work_visit": _p(
        r"上门(?![抓拘逮带])|家访|外访|到你家(?!族)|去你家(?!族)|去你(?:单位|公司|学校|老家)|到你(?:单位|公司|学校|老家)|堵你|找到你家|村里|村委"),
    "entry_done": _p(
        r"(?:已经|现在|正)?(?:在|进了?|坐在|到了)你家(?:客厅|里|屋里|卧室|沙发)",
        r"你家(?:客厅|屋里|卧室)[^，。\n]{0,4}(?:坐着|等着|待着)",
        r"(?:我们)?就不走了?|赖着不走|住在你家"),
    "detention_done": _p(
        r"(?:在我们|在我)(?:手上|手里|这里|这儿|公司|这)",
        r"(?:人|他|她|你)就?别想走|不让(?:他|她|你)走|扣(?:下|住|着)(?:他|她|你|人)|关(?:起来|在)"),
    "photo_doctoring": _p(
        r"(?<![a-z])p(?:图|好|了你)|(?<![a-z])ps(?![a-z])|遗照|黑白照|合成(?:照|图)|头像[^，。]{0,4}(?:做成|改成)"),
    "public_post": _p(
        r"各位(?:群友|朋友|亲友|同事|邻居|家人)|大家(?:看|注意|离|都知道|转发)|群友|@所有人|这个群里|转发给大家",
        r"(?:贴(?:在|到|满)|张贴|挂(?:在|到))[^，。\n]{0,12}(?:门口|楼下|小区|单位|公司|学校|网上|墙)",
        r"(?:已经|已)[^，。\n]{0,4}(?:发到|发在|发了|挂到|挂在|转发到)[^，。\n]{0,10}(?:朋友圈|群|网上|微博|抖音)"),
    "insult": _p(
        r"老赖|骗子|垃圾|不要脸|畜生|人渣|废物|杂种|贱|婊|狗|猪|傻|sb|cnm|nmsl|tmd|去死|死全家|不得好死|王八|混蛋|(?<!利)滚(?!利)|脑残|烂人|丢人"),
    "defamation": _p(
        r"诈骗犯|逃犯|罪犯|在逃|已被(?:公安|警方)?(?:立案|通缉|抓)|涉嫌(?:诈骗|犯罪)|被通缉"),
    "bombardment": _p(
        r"(?:打|发)了?[^，。]{0,3}(?:\d{2,}|[十百几]+)[个条次通遍]|每天打|天天打|一直打|打到你|轰炸|呼死你|不停地?打|自动拨号|每小时",
        r"每天[^，。]{0,4}(?:[十百几]+|\d{2,})(?:遍|次|个|通)|(?:一百|几十|上百)个"),
    "night_contact": _p(
        r"凌晨|半夜|深夜|夜里[一二三四两\d]点|晚上(?:1[0-2]|十[一二]?)点|[一二三四两1-4]点(?:钟)?(?:了|还)"),
    "named_third_party": _p(
        rf"(?:通知|告诉|告知|联系|联络|打电话给|打给|发给|发到|找过?|问问|转告)[^，。\n]{{0,6}}你(?:的|们)?(?:{KIN}|公司|单位)",
        rf"你(?:的|们)?(?:{KIN}|公司|单位)[^，。\n]{{0,10}}(?:都知道|已经知道|也知道|收到|转告|说了|知道你)",
        r"你是[^，。\n]{0,8}的(?:妈妈|爸爸|母亲|父亲|家人|老婆|老公|同事|领导|朋友)|的(?:妈妈|爸爸|家人|同事|领导)吧",
        r"(?:您|你)的(?:同事|朋友|家人|亲戚|儿子|女儿|员工)[\u4e00-\u9fff]{1,3}在|贵(?:司|单位)|致[^，。\n]{0,10}(?:公司|单位|领导)",
        rf"给你(?:的|们)?(?:{KIN}|公司|单位)[^，。\n]{{0,6}}(?:打电话|打了电话|发短信|发信息|发消息)",
        r"紧急联系人|担保人|亲友|家属|单位领导|人事部|村委"),
    "contact_list": _p(
        r"通讯录|通迅录|(?<!紧急)联系人|通话记录|群发|爆(?:你)?(?:全部|所有)|人手一份|所有人|家族群|工作群|同学群|业主群"),
    "data_transfer": _p(
        r"(?:资料|信息|通讯录|身份证)[^。\n]{0,20}(?:移交|转交|提供|卖|交)(?:给|到)[^，。\n]{0,8}(?:催收|第三方|外包|公司)",
        r"(?:移交|转交|卖给|委托)[^，。\n]{0,6}(?:第三方)?催收(?:公司|机构)"),
}

#: Broader concepts: model features only (no provision is cited from them).
TOPIC_PATTERNS: dict[str, str] = {
    "debt": _p(r"欠|还钱|还款|还清|还上|结清|借款|借钱|借的|贷|逾期|债|催收|老赖|本金|利息|罚息|滞纳金|违约金|账单|应还|待还|未还|"
               r"没还|不还|拖着|赖账|账款|款项|额度|分期|钱呢|钱还|还我"),
    "overdue": _p(r"逾期|拖欠|欠款|欠了|赖账|未还|没还|不还|拖着|拖了|已超期|超期|违约|催告"),
    "amount": _p("\ue006[元块万千]|[元块万](?<=[0-9零一二三四五六七八九十两百千万][元块万])"),
    "deadline": _p(r"今天(?:之内|内|必须|务必|之前|前|下班前)|今晚(?:之前|前|必须)|明天(?:之前|前|必须|中午前|上午前)|"
                   r"立即|立刻|立马|尽快|最后期限|最后通牒|最后一次|最后机会|限你|截止|"
                   r"个(?<=[0-9一二三四五六七八九十两几]个)(?:小时|天|日)内|(?:小时(?<=[0-9一二三四五六七八九十两几]小时)|"
                   r"天(?<=[0-9一二三四五六七八九十两几]天)|日(?<=[0-9一二三四五六七八九十两几]日))内|"
                   r"点(?<=[0-9一二三四五六七八九十]点)前|下班前|再不|否则|不然"),
    "legal_process": _p(r"起诉|诉讼|立案|法务|律师|法院|仲裁|传票|开庭|判决|强制执行|执行|移交|司法|律师函|法律|诉前|调解|"
                        r"案件|备案|取证|报案|公检法|刑事|民事|法律程序|法律责任|追究"),
    "penalty": _p(r"失信|黑名单|征信|坐牢|拘留|判刑|诈骗|犯罪|涉嫌|抓|带走|逮捕|冻结|限制(?:出行|高消费|消费)|限高|高铁|飞机|"
                  r"子女|政审|考公|档案|污点|案底|不良记录|上报|备案|恶意|老赖名单"),
    "authority": _p(OFFICE[3:-1], r"警察|民警|警官|法官|政府|国家|金融办|银保监|公检法|执法|派出所|有关部门|相关部门"),
    "visit": _p(r"上门|外访|家访|实地|走访|拜访|核实|到你家|去你家|你家|老家|户籍|村委|村里|居委|街道|社区|乡镇|"
                r"单位|你(?:的)?(?:公司|学校)|孩子(?:的)?学校|住址|地址|当地|工作地|外勤|外访员|专员|同事过去|人过去|过去找|"
                r"上你家"),
    "field_staff": _p(r"外访|外勤|专员|清收|收缴|上访|到访|走访|陪同|协助|联合|当地|户籍|预留地址|预留证件|现住址|出发|"
                      r"安排(?:人|工作人员|同事)|人员(?:将|会|已)|工作人员"),
    "process_docs": _p(r"委托书|律师函|催收函|告知函|通知函|通知书|函件|寄送|寄到|邮寄|快递到|公函|证据|材料|资料已|已核实|"
                       r"拟定|已生效|生效|下发|送达|签收|备案"),
    "kin": _p(KIN[3:-1], r"亲属|家属|父亲|母亲|亲人|家里人|家长|配偶|兄弟姐妹|全家|一家|长辈|岳父|岳母|公公|婆婆"),
    "third_party_address": _p(r"转告|转达|告诉他|告诉她|通知他|通知她|让他|让她|叫他|叫她|他欠|她欠|其欠|他的欠款|她的欠款|"
                              r"您的(?:朋友|家人|亲属|员工|租户|同事|儿子|女儿|丈夫|妻子|父亲|母亲)|你的(?:朋友|家人|员工|租户)|"
                              r"贵司|贵单位|贵公司|作为(?:他|她)的|联系不上(?:他|她)|联系(?:他|她)|本人|当事人|机主"),
    "contacts": _p(r"通讯录|通迅录|联系人|通话记录|好友|朋友|亲友|群发|所有人|身边的人|周围的人|认识的人|圈子"),
    "public": _p(r"朋友圈|微博|抖音|快手|网上|贴吧|论坛|群里|群聊|曝光|爆光|公示|公开|大家|各位|群友|@|转发|社死|热搜|头条|海报|"
                 r"传单|大字报|公告|悬赏|特此|周知|扩散|横幅|街坊|邻居|乡亲|父老|全村|小区"),
    "harm": _p(r"小心(?:点|你|你的|一点|为妙|着)|后果自负|后果|弄死|打死|砍|见血|打断[^，。]{0,3}腿|卸[^，。]{0,3}腿|废[^，。]{0,3}腿|你的腿|收拾|教训|"
               r"出事|人身的?安全|家人的?安全|孩子的?安全|有你好看|让你好看|给你好看|后悔|兄弟们|找人|找麻烦|代价|吃不了兜着走|等着瞧|走着瞧|"
               r"看着办|別怪|别怪|不客气|不择手段|活不|死全家|去死"),
    "responsibility": _p(r"承担|负责|连带|代还|代偿|替他还|替她还|帮他还|帮她还|父债子还|家人(?:来)?还|全家|牵连|连累|影响到|"
                         r"受影响|背负|担着|扛"),
    "insult": _p(r"老赖|骗子|垃圾|不要脸|畜生|人渣|废物|杂种|贱|婊|狗|猪|傻|sb|cnm|nmsl|tmd|去死|死全家|不得好死|王八|"
                 r"混蛋|滚|脑残|烂|丢人|恶心|孬|怂|窝囊|缩头|乌龟|无赖|下贱|没种|白眼狼|有娘生没娘养|你妈|他妈|妈的|操|草|日你|"
                 r"卖淫|吸毒|赌|要饭|乞丐|穷鬼|臭|狗东西|东西|玩意|德行|嘴脸"),
    "mockery": _p(r"真(?:有|是)?(?:本事|出息|厉害)|好意思|脸皮|脸呢|还有脸|丢脸|可笑|呵呵|装死|装傻|装聋|躲着|躲起来|藏起来|"
                  r"玩消失|跑路|逃避|缩头|怕了"),
    "bombardment": _p(r"一直打|天天打|每天打|不停|打爆|轰炸|呼死|连环|个(?<=[0-9十百几]个)电话|通(?<=[0-9十百几]通)电话|打到你|打到接|直到你还"),
    "night": _p(r"凌晨|半夜|深夜|夜里|睡得着|睡得安稳"),
    "lawful_offer": _p(r"分期|协商|减免|延期|展期|客服|app|登录|官方|如有疑问|如有困难|如有异议|请及时|按时|避免|影响您|"
                       r"温馨提示|敬请|请您|您好|尊敬|感谢|谢谢|退订|回复|详询|咨询|还款日|到期日|自动扣款|扣款"),
    "notice": _p(r"验证码|动态码|校验码|交易|余额|入账|到账|尾号|快递|取件|包裹|订单|会员|积分|优惠|活动|流量|话费|套餐|"
                 r"预约|挂号|航班|车次|物业|缴费|工资|公积金|社保|天气|退订|中奖|红包"),
    "loan_ad": _p(r"急用钱|秒批|秒到|放款|最高(?:可)?借|额度高|低息|免息|利息低|无抵押|下款|申请|邀请|提额|黑户|白户"),
    "second_person": _p(r"你|您|汝"),
    "third_person": _p(r"他|她|其"),
    "first_person_plural": _p(r"我们|我司|本公司|我方|本平台|我平台|公司"),
    "question": _p(r"\?|？|吗|呢|么|怎么|什么|咋"),
    "paid_done": _p(r"已(?:成功)?还款|还款成功|已结清|已还清|扣款成功|还款已到账"),
}

CONCEPTS: dict[str, str] = {**{f"code:{k}": v for k, v in REASON_PATTERNS.items()},
                            **{f"topic:{k}": v for k, v in TOPIC_PATTERNS.items()}}
CONCEPT_NAMES: tuple[str, ...] = tuple(CONCEPTS)


@cache
def compiled(name: str) -> re.Pattern[str]:
    """The compiled pattern of one concept (``code:…`` or ``topic:…``)."""
    return re.compile(CONCEPTS[name])


#: The concepts the model uses as features: the broad topics. (The reason codes add nothing measurable
#: on top of them and their wildcard patterns could run across messages in a joined batch.)
MODEL_CONCEPTS: tuple[str, ...] = tuple(n for n in CONCEPT_NAMES if n.startswith("topic:"))
_SEP = "\x1e"  # the batch separator of ``text.ngram_core``; no topic pattern can match it


def mentions_debt(norm: str) -> bool:
    """Whether normalized text speaks of a debt (a loan, repaying, being overdue)."""
    return compiled("topic:debt").search(norm) is not None


def concept_occurrences(norms: Sequence[str], names: Sequence[str] = MODEL_CONCEPTS
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First match of each concept in each normalized message: ``(doc, concept index, start, end)``.

    Each pattern runs once over the whole batch joined by a separator (one regex call per concept, not
    per message); a match that would run across two messages is dropped.
    """
    norms = [t if isinstance(t, str) else "" for t in norms]
    joined = _SEP.join(norms)
    lengths = np.fromiter(map(len, norms), dtype=np.int64, count=len(norms))
    doc_start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]) if len(norms) else np.zeros(0, np.int64)
    docs, cols, starts, ends = [], [], [], []
    for j, name in enumerate(names):
        spans = [m.span() for m in compiled(name).finditer(joined) if m.end() > m.start()]
        if not spans:
            continue
        a = np.array(spans, dtype=np.int64)
        d0 = np.searchsorted(doc_start, a[:, 0], side="right") - 1
        d1 = np.searchsorted(doc_start, a[:, 1] - 1, side="right") - 1
        a, d0 = a[d0 == d1], d0[d0 == d1]
        first = np.concatenate([[True], d0[1:] != d0[:-1]])  # matches come in order: the first per document
        docs.append(d0[first])
        cols.append(np.full(int(first.sum()), j, dtype=np.int64))
        starts.append(a[first, 0] - doc_start[d0[first]])
        ends.append(a[first, 1] - doc_start[d0[first]])
    if not docs:
        return tuple(np.zeros(0, np.int64) for _ in range(4))
    return np.concatenate(docs), np.concatenate(cols), np.concatenate(starts), np.concatenate(ends)


def concept_values(norms: Sequence[str], names: Sequence[str] = MODEL_CONCEPTS, weight: float = 1.0
                   ) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """The model's concept block: per message, ``weight / sqrt(number of concepts present)`` for each concept
    present (an L2-normalized binary row, scaled), as a dense float32 matrix; plus the occurrences."""
    occ = concept_occurrences(norms, names)
    doc, col = occ[0], occ[1]
    out = np.zeros((len(norms), len(names)), dtype=np.float32)
    if len(doc):
        k = np.bincount(doc, minlength=len(norms))
        out[doc, col] = (np.float32(weight) / np.sqrt(k[doc].astype(np.float32))).astype(np.float32)
    return out, occ
