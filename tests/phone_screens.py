"""Render phone screenshots of SMS and chat threads with Pillow and Noto CJK, with their ground truth.

Used by the OCR tests and to make the README's example screenshot. Every message is written for the
project (no real person's data). ``render(style, theme, width, thread)`` returns the image and the
messages as drawn: text, direction, the timestamp shown above them, and the bubble's box.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FONT_INDEX = 2  # Noto Sans CJK SC in the collection (JP, KR, SC, TC, HK …)

THEMES = {
    "sms": {
        "light": {"bg": "#ffffff", "bar": "#f7f7f7", "title": "#111111", "recv": "#e9e9eb", "recv_fg": "#111111",
                  "sent": "#0b84ff", "sent_fg": "#ffffff", "stamp": "#8e8e93", "input": "#f0f0f0", "hint": "#a0a0a0"},
        "dark": {"bg": "#000000", "bar": "#121212", "title": "#f2f2f2", "recv": "#262629", "recv_fg": "#f2f2f2",
                 "sent": "#0a84ff", "sent_fg": "#ffffff", "stamp": "#98989f", "input": "#1c1c1e", "hint": "#6e6e73"},
    },
    "chat": {
        "light": {"bg": "#ededed", "bar": "#ededed", "title": "#111111", "recv": "#ffffff", "recv_fg": "#191919",
                  "sent": "#95ec69", "sent_fg": "#191919", "stamp": "#9a9a9a", "input": "#f7f7f7", "hint": "#b0b0b0",
                  "avatar_recv": "#c4863f", "avatar_sent": "#4a7ebb"},
        "dark": {"bg": "#111111", "bar": "#1e1e1e", "title": "#e8e8e8", "recv": "#2c2c2c", "recv_fg": "#d5d5d5",
                 "sent": "#3eb575", "sent_fg": "#0e0e0e", "stamp": "#7a7a7a", "input": "#1e1e1e", "hint": "#5a5a5a",
                 "avatar_recv": "#8a5a2b", "avatar_sent": "#2f5d8f"},
    },
}


@dataclass
class Drawn:
    text: str
    direction: str  # "received" or "sent"
    time: str  # the timestamp line shown above the message, as drawn ("" if none)
    bbox: tuple[int, int, int, int]
    name: str = ""  # group chats: the name drawn over the bubble


@dataclass
class Rendered:
    image: Image.Image
    messages: list[Drawn]
    title: str
    texts: list[tuple[str, tuple[int, int, int, int]]]  # every text drawn, with its box (for OCR-free tests)


# A thread: ("time", "3月2日 下午2:05") lines and ("received"/"sent", text) messages.
SMS_THREAD = [
    ("time", "2026年3月2日 上午9:12"),
    ("received", "【闪借花】您的借款已逾期3天，应还1,050.00元，请今天内还款。"),
    ("sent", "这个月工资还没发，下周一定还。"),
    ("time", "2026年3月2日 下午2:05"),
    ("received", "老赖，再不还钱明天就把你欠钱的事发给你通讯录里所有人，让你全家都知道"),
    ("received", "请立即联系催收专员13812345678处理，否则后果自负"),
    ("sent", "请不要再骚扰我的家人"),
]

CHAT_THREAD = [
    ("time", "2026年3月5日 晚上21:40"),
    ("received", "你好，我是花呗分期的客服，你的账单还差800元"),
    ("sent", "我知道，月底发工资就还"),
    ("received", "月底？你单位地址我们已经有了，明天就派人去你公司找你领导。联系电话13812345678"),
    ("time", "2026年3月5日 晚上22:15"),
    ("received", "不还钱就等着坐牢吧，我们已经报警了"),
    ("sent", "你们这样是违法的"),
]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size, index=FONT_INDEX)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and font.getlength(cur + ch) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    return [*lines, cur] if cur else lines


def render(style: str = "sms", theme: str = "light", width: int = 720, thread: list | None = None,
           title: str | None = None, height: int | None = None, names: dict[int, str] | None = None) -> Rendered:
    """A screenshot of ``thread`` with what was drawn where; ``names`` (chat style): a group chat, the
    sender's name drawn over the received bubble at that index of the thread."""
    c = THEMES[style][theme]
    thread = thread or (SMS_THREAD if style == "sms" else CHAT_THREAD)
    title = title or ("10690000123" if style == "sms" else "李经理")
    s = width / 360  # density: 360 dp wide phones at 2x (720 px) and 3x (1080 px)
    body, small, head = _font(round(16 * s)), _font(round(12 * s)), _font(round(17 * s))
    line_h = round(24 * s)
    avatar = round(40 * s) if style == "chat" else 0
    margin = round(10 * s)
    pad_x, pad_y = round(12 * s), round(9 * s)
    max_text = round((360 - 10 - 10 - 70) * s) - 2 * pad_x - (2 * avatar if avatar else 0)
    # lay out first, to know the height
    y = round(24 * s) + round(48 * s) + round(16 * s)
    plan = []
    stamp = ""
    for k, (kind, value) in enumerate(thread):
        if names and k in names:
            plan.append(("name", names[k], y))
            y += round(20 * s)
        if kind == "time":
            plan.append(("time", value, y))
            stamp = value
            y += round(36 * s)
            continue
        lines = _wrap(value, body, max_text)
        w = max(body.getlength(ln) for ln in lines) + 2 * pad_x
        h = len(lines) * line_h + 2 * pad_y
        plan.append((kind, (value, lines, round(w), h, stamp, (names or {}).get(k, "")), y))
        y += h + round(14 * s)
    total = max(height or 0, y + round(64 * s))
    img = Image.new("RGB", (width, total), c["bg"])
    d = ImageDraw.Draw(img)
    texts: list = []
    draw_text = d.text

    def text(xy, s, font, fill):
        if s:
            texts.append((s, tuple(round(v) for v in d.textbbox(xy, s, font=font))))
        draw_text(xy, s, font=font, fill=fill)

    d.text = text
    # status bar and title bar
    d.rectangle([0, 0, width, round(72 * s)], fill=c["bar"])
    d.text((round(18 * s), round(4 * s)), "9:41", font=small, fill=c["title"])
    d.text((width - round(58 * s), round(4 * s)), "5G 80%", font=small, fill=c["title"])
    d.text((round(14 * s), round(34 * s)), "<", font=head, fill=c["title"])
    tw = head.getlength(title)
    d.text(((width - tw) / 2, round(34 * s)), title, font=head, fill=c["title"])
    drawn: list[Drawn] = []
    for kind, value, top in plan:
        if kind == "name":
            d.text((margin + avatar + round(10 * s), top), value, font=small, fill=c["stamp"])
            continue
        if kind == "time":
            tw = small.getlength(value)
            d.text(((width - tw) / 2, top + round(8 * s)), value, font=small, fill=c["stamp"])
            continue
        text, lines, w, h, stamp, name = value
        if kind == "received":
            x0 = margin + (avatar + round(8 * s) if avatar else 0)
            fill, fg = c["recv"], c["recv_fg"]
        else:
            x0 = width - margin - (avatar + round(8 * s) if avatar else 0) - w
            fill, fg = c["sent"], c["sent_fg"]
        box = (x0, top, x0 + w, top + h)
        d.rounded_rectangle(box, radius=round(10 * s if style == "sms" else 5 * s), fill=fill)
        if avatar:
            ax = margin if kind == "received" else width - margin - avatar
            d.rounded_rectangle((ax, top, ax + avatar, top + avatar), radius=round(4 * s),
                                fill=c["avatar_recv" if kind == "received" else "avatar_sent"])
        for i, ln in enumerate(lines):
            d.text((x0 + pad_x, top + pad_y + i * line_h + round(1 * s)), ln, font=body, fill=fg)
        drawn.append(Drawn(text, kind, stamp, box, name))
    # input bar
    d.rectangle([0, total - round(56 * s), width, total], fill=c["bar"])
    d.rounded_rectangle([round(12 * s), total - round(46 * s), width - round(60 * s), total - round(10 * s)],
                        radius=round(18 * s), fill=c["input"])
    d.text((round(26 * s), total - round(40 * s)), "短信" if style == "sms" else "", font=body, fill=c["hint"])
    return Rendered(img, drawn, title, texts)


def save(path: Path, **kw) -> Rendered:
    r = render(**kw)
    r.image.save(path)
    return r


if __name__ == "__main__":  # python tests/phone_screens.py OUT_DIR: write every variant
    import sys

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/artifacts/screens")
    out.mkdir(parents=True, exist_ok=True)
    for style in ("sms", "chat"):
        for theme in ("light", "dark"):
            for width in (720, 1080):
                save(out / f"{style}-{theme}-{width}.png", style=style, theme=theme, width=width)
    print(out)
