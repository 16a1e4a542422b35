"""Split call transcripts and chat logs into turns and tell the collector from the debtor.

The guide tags a transcript with every tag any *collector* turn earns; the debtor's words never earn
a tag. Speakers are recognised from their labels ("催收员：", "坐席:", "[00:01:12] 客服：", "A:",
"speaker_0:", "我：/对方：" …). Role names decide directly; generic labels (A/B, 甲/乙, speaker_0/1)
are resolved by what each speaker says (who introduces the lender, who talks about 还款/逾期, who
asks for time). When the roles stay unclear, or there are no labels, every turn is scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COLLECTOR, DEBTOR, UNKNOWN = "collector", "other", "unknown"

_LABEL_LINE = re.compile(
    r"^[ \t]*(?:[\[(（【]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[\])）】]?[ \t]*)?"
    r"(?:[\[【(（](?P<b>[^\]】)）\n]{1,12})[\]】)）][ \t]*[:：]?|(?P<p>[^\s:：\[\]【】()（）,，。!?！？]{1,12}?)[ \t]*[:：])"
    r"[ \t]*(?P<text>.*)$"
)
_COLLECTOR_ROLE = re.compile(
    r"催收|坐席|客服|专员|工作人员|律师|法务|调解|agent|主叫|机器人|robot|\bai\b|外访|经理|业务员|银行|平台|公司"
    r"|收款|债权人|放款|老板|对方|催|collector|staff|operator|电催|智能语音|语音",
    re.I,
)
_OTHER_ROLE = re.compile(
    r"客户|用户|借款人|债务人|customer|被叫|本人|^我$|debtor|欠款人|机主|家属|母亲|父亲|妈|爸|妻|丈夫|老公|老婆"
    r"|同事|朋友|领导|hr|人事|联系人|亲属|接听|user|callee|client",
    re.I,
)
_COLLECTOR_CUES = re.compile(
    r"我是|我们是|我司|本公司|我们公司|我们平台|平台|逾期|还款|欠款|处理一下|账单|催收|法务|委托|核实|请您|您的借款|您在我"
    r"|还钱|欠钱|借款|最低还款|结清|分期|减免|罚息|违约金|到期"
)
_DEBTOR_CUES = re.compile(
    r"我没钱|没钱|宽限|缓几天|缓缓|下个月|我会还|我尽快|别打了|报警|工资|不是我|不认识|打错了|我现在|我这边|过几天|再等"
)


@dataclass(frozen=True)
class Turn:
    index: int
    speaker: str  # label as written, "" when the line has none
    role: str  # COLLECTOR, DEBTOR (anyone but the collector) or UNKNOWN
    text: str  # the turn's words, without the label
    start: int  # character span of ``text`` in the original transcript
    end: int


@dataclass(frozen=True)
class Transcript:
    turns: tuple[Turn, ...]
    labelled: bool  # speakers carry labels
    roles_known: bool  # collector and other turns can be told apart

    def scored_turns(self) -> tuple[Turn, ...]:
        """Turns that can earn a tag: the collector's when known, else all of them."""
        if self.roles_known:
            return tuple(t for t in self.turns if t.role == COLLECTOR)
        return self.turns


def _lines(text: str) -> list[tuple[str, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((line, pos))
        pos += len(line) + 1
    return out


def _role_from_label(label: str) -> str:
    # "客户经理" is staff, "客户" is not: staff patterns are checked on the whole label first.
    if _COLLECTOR_ROLE.search(label) and not re.fullmatch(r"客户|用户|customer|client", label, re.I):
        return COLLECTOR
    if _OTHER_ROLE.search(label):
        return DEBTOR
    return UNKNOWN


def parse(text: str, min_turns: int = 3) -> Transcript | None:
    """Split ``text`` into turns, or return None when it does not look like a dialogue.

    A dialogue is at least ``min_turns`` non-empty lines, either mostly labelled with at least two
    distinct speakers, or unlabelled lines (ASR output, one turn per line).
    """
    lines = _lines(text)
    if len(lines) < min_turns:
        return None
    parsed = []
    for line, pos in lines:
        m = _LABEL_LINE.match(line)
        if m and m.group("text").strip():
            label = (m.group("b") or m.group("p") or "").strip()
            parsed.append((label, m.group("text"), pos + m.start("text")))
        else:
            parsed.append(("", line, pos))
    labels = [p[0] for p in parsed if p[0]]
    distinct = set(labels)
    labelled = len(labels) >= 0.6 * len(parsed) and 2 <= len(distinct) <= max(4, len(parsed) // 3)
    if not labelled:
        parsed = [("", line, pos) for line, pos in lines]
        distinct = set()
    roles = {lab: _role_from_label(lab) for lab in distinct}
    if labelled and COLLECTOR not in roles.values():
        roles = _roles_from_content(parsed, roles)
    turns = []
    for i, (label, body, start) in enumerate(parsed):
        stripped = body.rstrip()
        lead = len(body) - len(body.lstrip())
        turns.append(Turn(i, label, roles.get(label, UNKNOWN), stripped.strip(), start + lead, start + len(stripped)))
    roles_known = labelled and COLLECTOR in roles.values()
    return Transcript(tuple(turns), labelled, roles_known)


def _roles_from_content(parsed: list[tuple[str, str, int]], roles: dict[str, str]) -> dict[str, str]:
    """Pick the collector among generically labelled speakers by what they say."""
    score: dict[str, int] = {}
    for label, body, _ in parsed:
        if label and roles.get(label) != DEBTOR:
            score[label] = score.get(label, 0) + len(_COLLECTOR_CUES.findall(body)) - len(_DEBTOR_CUES.findall(body))
    if not score:
        return roles
    ranked = sorted(score.items(), key=lambda kv: kv[1], reverse=True)
    best, best_score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else min(0, best_score - 2)
    if best_score >= 2 and best_score >= runner_up + 2:
        out = dict(roles)
        for label in score:
            out[label] = COLLECTOR if label == best else DEBTOR
        return out
    return roles
