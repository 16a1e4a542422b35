"""A keyword-rule baseline, the kind of filter a carrier or a compliance team might write by hand.

It exists to show what the learned model adds; it is evaluated on the same test split.
"""

from __future__ import annotations

import re

from ..labels import HARASSMENT, LAWFUL_REMINDER, NOT_COLLECTION, PRECEDENCE, THIRD_PARTY_CONTACT, THREAT
from ..text.normalize import normalize

RULES: dict[str, re.Pattern[str]] = {
    THREAT: re.compile(r"坐牢|拘留|抓你|逮捕|公安|警察|立案|上门|小心|后果自负|弄死|砍|杀|打断|通缉|遗照|P图|曝光|社死|起诉你全家"
                       r"|冻结|黑名单|等着瞧|走着瞧|找你家人|去你单位|传票|刑事"),
    THIRD_PARTY_CONTACT: re.compile(r"通讯录|紧急联系人|联系人|你的家人|你家人|你父母|你爸|你妈|你老婆|你老公|同事|领导|单位|公司|朋友"
                                    r"|亲戚|转告|让他|让她|你儿子|你女儿"),
    HARASSMENT: re.compile(r"老赖|骗子|垃圾|不要脸|畜生|人渣|废物|滚|傻|sb|cnm|nmsl|tmd|死全家|不得好死|狗|贱|婊"),
    LAWFUL_REMINDER: re.compile(r"还款|逾期|欠款|账单|到期|应还|借款|分期|结清|还钱|欠钱|催收"),
}
_PAID = re.compile(r"已还款|还款成功|已结清|成功还款|已到账")


def predict_tags(text: str) -> tuple[str, ...]:
    """Tags by keyword rules, obeying the guide's tag-set rules."""
    norm = normalize(text)
    hits = {tag for tag, rx in RULES.items() if rx.search(norm)}
    unlawful = hits & {THREAT, THIRD_PARTY_CONTACT, HARASSMENT}
    if unlawful:
        return tuple(t for t in PRECEDENCE if t in unlawful)
    if LAWFUL_REMINDER in hits and not _PAID.search(norm):
        return (LAWFUL_REMINDER,)
    return (NOT_COLLECTION,)
