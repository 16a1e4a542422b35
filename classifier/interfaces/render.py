"""Human-readable rendering of a prediction for the terminal."""

from __future__ import annotations

from ..labels import TAG_BY_NAME, TAG_NAMES
from ..modeling.results import Prediction, evidence_text

_BAR = "█▉▊▋▌▍▎▏"


def bar(p: float, width: int = 20) -> str:
    full, rest = divmod(round(p * width * 8), 8)
    return "█" * full + (_BAR[8 - rest] if rest else "")


def render_prediction(pred: Prediction, extra: dict | None = None, color: bool = False) -> str:
    """Primary label, each tag's probability with a bar, evidence, then any extra sections."""
    if pred.error:
        return f"error: {pred.error}"
    lines = []
    top = TAG_BY_NAME[pred.primary_label]
    lines.append(f"主要标签 primary label: {top.zh} · {top.en} ({top.name})")
    lines.append("标签 tags: " + ", ".join(f"{TAG_BY_NAME[t].zh} {t}" for t in pred.tags))
    for t in TAG_NAMES:
        mark = "●" if t in pred.tags else " "
        lines.append(f"  {mark} {t:<20} {pred.scores[t]:5.2f} {bar(pred.scores[t])}")
    if pred.evidence:
        lines.append("依据 evidence (words that pushed each tag, from the model's coefficients):")
        lines.extend(f"  {evidence_text(ev, quoted=True, mask=True)}" for ev in pred.evidence)
    if pred.unsure:
        lines.append("不确定 uncertain — read it yourself: no tag is clearly above its threshold "
                     "(没有哪个标签明显超过阈值，请自己阅读判断)")
    if pred.decided_by == "context":
        lines.append(f"场景 context: {pred.context} — others read it, and it speaks of a debt, so third-party contact "
                     "(群聊或公开发布、提及债务：视为告知他人)")
    elif pred.decided_by == "conversation":
        lines.append("会话 conversation: short or uncertain, and its conversation never mentions a debt, so not collection "
                     "(短消息或不确定，所在会话从未提及债务)")
    if pred.truncated:
        lines.append("note: the text was longer than the scoring limit and was cut (see --help)")
    for section in (extra or {}).values():
        if section:
            lines.append(section)
    return "\n".join(lines)


def _provision_lines(p: dict, full: bool) -> list[str]:
    mark = "（监管/行业规则转述，非法律原文）" if p["kind"] == "guidance" else ""
    period = f"{p['effective_from']}至{p['effective_to']}" if p["effective_to"] else f"{p['effective_from']}起施行"
    lines = [f"  {p['rank']}. [{p['group']}] {p['citation']}{mark} [{period}; {p['verification']}]",
             f"     为什么 why: {p['why']}",
             f"     适用条件 applies when: {p['condition']}"]
    if full:
        lines.extend("     > " + t for t in p["text"].split("\n"))
    return lines


def render_legal(legal: dict, full: bool = False, top: int = 3) -> str:
    """Terminal rendering of the legal part: the first ``top`` provisions with why, the rest with ``full``."""
    lines = []
    if legal["reasons"]:
        lines.append("细分原因 reasons:")
        lines.extend(f"  {r['code']} {r['zh']}" + (f": 「{r['text']}」" if r["text"] else "") for r in legal["reasons"])
    provisions = legal["provisions"]
    if provisions:
        heading = ("借款条件可能违反的规定 loan terms that may violate" if legal.get("legal_basis")
                   else "可能违反的规定 provisions it may violate (strongest first)")
        lines.append(heading + ":")
        shown = provisions if full else provisions[:top]
        for p in shown:
            lines.extend(_provision_lines(p, full))
        if len(provisions) > len(shown):
            rest = provisions[len(shown):]
            groups = "、".join(dict.fromkeys(p["group"] for p in rest))
            lines.append(f"  … 另有{len(rest)}条（{groups}）: --full 显示全部及条文原文 (--full shows all, with exact texts)")
    if legal.get("legal_basis"):
        lines.append("合法依据 legal basis of this reminder (not a violation):")
        for p in legal["legal_basis"]:
            lines.append(f"  • {p['citation']}: {p['why']}")
            lines.append(f"     适用条件 applies when: {p['condition']}")
            if full:
                lines.extend("     > " + t for t in p["text"].split("\n"))
    if legal["advice"]["steps"]:
        lines.append("建议 what to do:")
        lines.extend(f"  - {s}" for s in legal["advice"]["steps"])
        lines.append("投诉渠道 where to complain:")
        lines.extend(f"  - {c['text']}" for c in legal["advice"]["channels"])
    lines.append(legal["disclaimer"])
    return "\n".join(lines)
