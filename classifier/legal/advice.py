"""What to do and where to complain, for a message's tags and reason codes; the disclaimer."""

from __future__ import annotations

from ..labels import HARASSMENT, LAWFUL_REMINDER, THIRD_PARTY_CONTACT, THREAT

DISCLAIMER = ("本结果由自动模型生成，仅供参考，不构成法律意见；具体情况请咨询律师或法律援助机构。"
              " This is information, not legal advice.")

CHANNELS = {
    "110": "110 / 当地派出所：威胁人身安全、冒充公检法、伪造文书、辱骂骚扰均可报警；公安机关应当立即立案调查（治安管理处罚法第九十条）。",
    "12378": "12378 银行保险消费者投诉维权热线（国家金融监督管理总局）：针对银行、消费金融公司等持牌机构及其委托的催收。",
    "12363": "12363 中国人民银行金融消费权益保护咨询投诉电话：对征信记录（逾期记录、报送是否准确）有异议或争议时。",
    "12321": "12321 网络不良与垃圾信息举报受理中心（www.12321.cn）：举报骚扰电话、垃圾短信、呼死你式轰炸。",
    "12377": "12377 违法和不良信息举报中心（网信部门，www.12377.cn）：举报在网上、朋友圈、群里曝光你的信息或P图等帖子。",
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
        "催收方原则上只应向你本人催收；按推荐性国家标准GB/T 45251—2025（据报道），只有在联系不上你时才可联系你的联系人，"
        "且不得向其透露你的债务，对方明确拒绝的不得再联系；22:00至次日8:00不应催收。超出这些界限可以投诉。",
        "对征信报送有异议的，可向放贷机构提出，或拨打12363。",
        "如确有困难，通过官方客服渠道协商分期或延期，要求书面确认。",
    ], "channels": ["12378", "12363"]},
}
_BY_REASON = {
    "illegal_debt": ("消息显示可能涉及“砍头息”、“714”高炮或超高利率：预先扣除的利息应按实际到手金额计算，超出法定利率上限的部分"
                     "不受法律保护，不要以贷养贷；可向110或中国互联网金融协会举报。", ["110", "nifa"]),
    "public": ("在网上、群里被曝光或P图的，截图保存链接、发布者和时间，要求删除，并可向平台和12377举报。", ["12377"]),
    "impersonation": ("自称警察、法官、律师的，拨打当地公安机关、法院或律师协会的官方电话核实身份。", []),
}
_REASON_GROUP = {"advance_interest": "illegal_debt", "short_term_714": "illegal_debt", "usury": "illegal_debt",
                 "public_post": "public", "photo_doctoring": "public", "publish_threat": "public",
                 "shared_disclosure": "public",
                 "police_court_impersonation": "impersonation", "lawyer_impersonation": "impersonation"}


def advice_for(tags: tuple[str, ...], codes: tuple[str, ...] = ()) -> dict:
    """A short checklist and where to complain, for the message's tags and reason codes."""
    steps: list[str] = []
    channels: list[str] = []
    unlawful = any(t in (THREAT, HARASSMENT, THIRD_PARTY_CONTACT) for t in tags)
    for tag in tags:
        a = ADVICE.get(tag)
        if not a or (tag == LAWFUL_REMINDER and unlawful):
            continue
        steps.extend(s for s in a["steps"] if s not in steps)
        channels.extend(c for c in a["channels"] if c not in channels)
    for group in dict.fromkeys(_REASON_GROUP[c] for c in codes if c in _REASON_GROUP):
        step, extra = _BY_REASON[group]
        steps.insert(0, step)
        channels.extend(c for c in extra if c not in channels)
    return {"steps": steps, "channels": [{"id": c, "text": CHANNELS[c]} for c in channels]}
