"""Human-readable rendering of a prediction for the terminal."""

from __future__ import annotations

from ..labels import TAG_BY_NAME, TAG_NAMES
from ..modeling.predict import Prediction
from ..text.masking import mask_pii

_BAR = "█▉▊▋▌▍▎▏"
_CONTEXT_ZH = {"group": "群聊", "post": "公开帖子/评论/公告"}


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
    if pred.context != "private":
        lines.append(f"场景 context: {_CONTEXT_ZH.get(pred.context, pred.context)} ({pred.context})")
    if pred.unsure:
        lines.append("不确定 unsure: 没有哪个标签明显高于（或低于）其阈值，请人工判断 "
                     "(no tag is clearly above or below its threshold: a person should look)")
    for t in TAG_NAMES:
        mark = "●" if t in pred.tags else " "
        lines.append(f"  {mark} {t:<20} {pred.scores[t]:5.2f} {bar(pred.scores[t])}")
    if pred.evidence:
        lines.append("依据 evidence (words that pushed each tag, from the model's coefficients):")
        for ev in pred.evidence:
            where = f" [第{ev.turn + 1}轮 turn {ev.turn + 1}{' ' + ev.speaker if ev.speaker else ''}]" if ev.turn is not None else ""
            phrases = "、".join(f"「{mask_pii(p.text)}」" for p in ev.phrases) or "—"
            lines.append(f"  {ev.tag}{where}: {phrases}")
    if pred.truncated:
        lines.append("note: the text was longer than the scoring limit and was cut (see --help)")
    for section in (extra or {}).values():
        if section:
            lines.append(section)
    return "\n".join(lines)
