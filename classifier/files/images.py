"""Phone screenshots (PNG, JPEG, WebP) as messages: OCR, then bubbles, sides, timestamps and sender.

OCR is RapidOCR (``rapidocr_onnxruntime``): PaddleOCR's Chinese PP-OCRv4 detection and recognition
models run with ONNX Runtime. The models ship inside the wheel, so nothing is downloaded at run time
and no GPU or PaddlePaddle is needed. The layout is then read from the pixels:

- the background colour is the commonest colour of the screen's side margins;
- a text line sits in a bubble when the colour just outside its box differs from the background;
  the bubble's left and right edges are found by scanning along the row from the text outward;
- consecutive lines belong to one bubble when the strip between them is still bubble-coloured;
- received vs sent: bubbles come in two colours (grey/white vs blue/green); the colour whose bubbles
  hug the right edge is "sent". With one colour only, the side each bubble hugs decides;
- a centred line that reads as a date/time heads the messages below it; the most central line of the
  title bar (below the status bar) is the sender; the input bar at the bottom is ignored.

Very tall (scrolling) screenshots are read in overlapping tiles so the text is not shrunk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .messages import IMAGE_EXTS, RECEIVED, SENT, SENT_NOTE, fmt_time

MAX_PIXELS = 50_000_000  # a 1440 x 30000 scrolling screenshot; more is refused, not decoded
MAX_IMAGES = 2000
COLUMNS = ["file", "bubble", "time", "sender", "direction", "text", "bbox", "pii_boxes"]

_TIME = re.compile(r"(\d{1,2}[:：]\d{2})|(\d{1,2}月\d{1,2}日)|(\d{4}[-/年]\d{1,2})|昨天|前天|星期[一二三四五六日天]|周[一二三四五六日天]")
_STATUS = re.compile(r"^\s*\d{1,2}[:：]\d{2}\s*$|%|\b[345]G\b|LTE|Wi-?Fi", re.I)


def sniff(head: bytes) -> bool:
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


@dataclass
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    chars: list | None = None  # per-character x ranges when the OCR gives them
    color: tuple | None = None  # the bubble colour behind it, None if on the background
    left: float = 0.0  # bubble edges
    right: float = 0.0

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Message:
    text: str
    direction: str
    time: str
    bbox: tuple[int, int, int, int]
    pii_boxes: list[tuple[int, int, int, int]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    sender: str = ""  # group chats: the name over the bubble (else the title bar's)


@dataclass
class Screen:
    file: str
    width: int
    height: int
    sender: str
    messages: list[Message]
    ignored: list[str] = field(default_factory=list)  # status bar, title, input bar, system lines


# --- loading -------------------------------------------------------------------------------------

def load_image(path: str) -> np.ndarray:
    """RGB pixels of an image file; InputError naming the file if corrupt, truncated or too large."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    from .tabular import InputError

    name = Path(path).name
    try:
        with Image.open(path) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                raise InputError(f"{path}: the image is {w}×{h} pixels, more than the limit of "
                                 f"{MAX_PIXELS // 1_000_000} million; crop or split it")
            im.load()
            im = ImageOps.exif_transpose(im)
            rgb = np.asarray(im.convert("RGB"))
    except InputError:
        raise
    except Image.DecompressionBombError:
        raise InputError(f"{path}: the image is larger than the pixel limit ({MAX_PIXELS // 1_000_000} million)") from None
    except UnidentifiedImageError:
        raise InputError(f"{path}: not a readable image ({name} is not a valid PNG, JPEG or WebP file)") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"{path}: corrupt or truncated image ({e})") from None
    if min(rgb.shape[:2]) < 16:
        raise InputError(f"{path}: the image is only {rgb.shape[1]}×{rgb.shape[0]} pixels; no text to read")
    return rgb


_ENGINE = None


def ocr_engine():
    """One RapidOCR engine per process (loading the three models takes about 0.1 s)."""
    global _ENGINE
    if _ENGINE is None:
        from .tabular import InputError

        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:  # OpenCV needs the system's libGL and GLib (apt-get install libgl1 libglib2.0-0)
            raise InputError(f"screenshots need OCR, which could not load ({e}); on Debian/Ubuntu: "
                             "apt-get install libgl1 libglib2.0-0; then pip install rapidocr_onnxruntime") from None
        _ENGINE = RapidOCR()
    return _ENGINE


def ocr_lines(rgb: np.ndarray) -> list[Line]:
    """Text lines with boxes; tall images are read in overlapping tiles about twice as tall as wide."""
    h, w = rgb.shape[:2]
    tile = max(int(2.2 * w), 1200)
    overlap = max(int(0.15 * w), 120)
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    lines: list[Line] = []
    top = 0
    while True:
        bottom = min(h, top + tile)
        res, _ = ocr_engine()(bgr[top:bottom], return_word_box=True)
        keep_from = top + (overlap // 2 if top else 0)
        keep_to = bottom - (overlap // 2 if bottom < h else 0)
        for r in res or []:
            box, text = np.array(r[0], dtype=float), str(r[1]).strip()
            if not text:
                continue
            x0, y0 = box[:, 0].min(), box[:, 1].min() + top
            x1, y1 = box[:, 0].max(), box[:, 1].max() + top
            if not keep_from <= (y0 + y1) / 2 < keep_to:
                continue  # read in the neighbouring tile
            chars = None
            if len(r) > 4 and r[3] and len(r[4]) == len(text) and len(r[3]) == len(text):
                chars = [(float(min(p[0] for p in b)), float(max(p[0] for p in b))) for b in r[3]]
            lines.append(Line(float(x0), float(y0), float(x1), float(y1), text, chars))
        if bottom >= h:
            break
        top = bottom - overlap
    lines.sort(key=lambda ln: (round(ln.y0), ln.x0))
    return lines


# --- layout --------------------------------------------------------------------------------------

def _diff(a: np.ndarray, b) -> np.ndarray:
    return np.abs(a.astype(np.int16) - np.asarray(b, dtype=np.int16)).max(axis=-1)


def _background(rgb: np.ndarray) -> tuple:
    h, w = rgb.shape[:2]
    band = max(2, w // 60)
    rows = rgb[h // 6: h - h // 6 or h]
    margin = np.concatenate([rows[:, :band], rows[:, w - band:]], axis=1).reshape(-1, 3)
    q = (margin // 8).astype(np.int32)
    keys = q[:, 0] * 1024 + q[:, 1] * 32 + q[:, 2]
    common = np.bincount(keys).argmax()
    return tuple(int(v) for v in np.median(margin[keys == common], axis=0))


def _bubble(rgb: np.ndarray, ln: Line, bg: tuple, tol: int = 14) -> None:
    """Set ``ln.color`` (None if the line is on the background) and the bubble's edges."""
    h, w = rgb.shape[:2]
    y = int(np.clip((ln.y0 + ln.y1) / 2, 0, h - 1))
    pad = max(3, int(ln.h * 0.2))
    ys = slice(max(0, int(ln.y0) + 2), min(h, int(ln.y1) - 1) or 1)
    strips = [rgb[ys, max(0, int(ln.x0) - pad): max(1, int(ln.x0) - 1)],
              rgb[ys, min(w - 1, int(ln.x1) + 1): min(w, int(ln.x1) + pad)]]
    parts = [s.reshape(-1, 3) for s in strips if s.size]
    if not parts:
        return
    px = np.concatenate(parts)
    color = tuple(int(v) for v in np.median(px, axis=0))
    if _diff(np.array(color), bg) <= tol:
        return
    edges = rgb[max(0, int(ln.y0)): max(1, int(ln.y1)), [1, w - 2]]
    if (_diff(edges, color) <= tol).mean() > 0.8:
        return  # the colour reaches both sides of the screen: a title or input bar, not a bubble
    ln.color = color
    lefts, rights = [], []
    for yy in {y, int(ln.y0) + 2, int(ln.y1) - 2}:
        yy = int(np.clip(yy, 0, h - 1))
        row = _diff(rgb[yy], color) > tol
        before = np.flatnonzero(row[: max(0, int(ln.x0) - 1)])
        after = np.flatnonzero(row[min(w, int(ln.x1) + 1):])
        lefts.append(before[-1] + 1 if len(before) else 0)
        rights.append(int(ln.x1) + 1 + after[0] if len(after) else w)
    left, right = float(np.median(lefts)), float(np.median(rights))
    if left <= 1 and right >= w - 1:
        ln.color = None  # a full-width bar (title bar, input bar), not a bubble
        return
    ln.left, ln.right = left, right


def _same_bubble(rgb: np.ndarray, a: Line, b: Line, tol: int = 14) -> bool:
    if a.color is None or b.color is None or _diff(np.array(a.color), b.color) > tol:
        return False
    lo, hi = max(a.left, b.left), min(a.right, b.right)
    if hi - lo < 0.5 * min(a.right - a.left, b.right - b.left):
        return False
    y0, y1 = int(a.y1), int(b.y0)
    if y1 <= y0:
        return True
    if y1 - y0 > 1.5 * max(a.h, b.h):
        return False
    xs = np.linspace(lo + 0.2 * (hi - lo), hi - 0.2 * (hi - lo), 5).astype(int)
    strip = rgb[y0:y1, xs]
    # every column of the strip between the lines has bubble colour in it: one bubble
    return bool((_diff(strip, a.color) <= tol).any(axis=0).all())


def _vertical_extent(rgb: np.ndarray, g: list[Line], tol: int = 14) -> tuple[int, int]:
    """Top and bottom of a bubble: from its first and last lines outward while the colour holds."""
    h = rgb.shape[0]
    left, right = min(x.left for x in g), max(x.right for x in g)
    xs = np.linspace(left + 0.25 * (right - left), right - 0.25 * (right - left), 5).astype(int)
    limit = int(2 * g[0].h)
    tops, bottoms = [], []
    for x in xs:
        col = _diff(rgb[:, x], g[0].color) > tol
        y0, y1 = int(g[0].y0), int(g[-1].y1)
        up = np.flatnonzero(col[max(0, y0 - limit): y0][::-1])
        down = np.flatnonzero(col[y1: min(h, y1 + limit)])
        tops.append(y0 - (up[0] if len(up) else limit))
        bottoms.append(y1 + (down[0] if len(down) else limit))
    return int(np.median(tops)), int(np.median(bottoms))


def _join(parts: list[str]) -> str:
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalpha() and p[:1].isascii() and p[:1].isalpha():
            out += " "
        out += p
    return out


def _pii_boxes(msg_lines: list[Line], text: str) -> list[tuple[int, int, int, int]]:
    """Boxes covering every number the report masks (phones, IDs, cards), from character positions."""
    from ..text.masking import mask_pii

    masked = mask_pii(text)
    if masked == text:
        return []
    hit = [a != b for a, b in zip(text, masked, strict=True)]
    for i in range(len(text)):  # cover the whole digit run, not only the starred middle
        if hit[i]:
            j = i
            while j > 0 and (text[j - 1].isdigit() or text[j - 1] in " -+"):
                j -= 1
                hit[j] = True
            j = i
            while j + 1 < len(text) and (text[j + 1].isdigit() or text[j + 1] in " -"):
                j += 1
                hit[j] = True
    boxes = []
    pos = 0
    for ln in msg_lines:
        start = text.find(ln.text, pos)
        if start < 0:
            continue
        pos = start + len(ln.text)
        spans = ln.chars or _estimate_chars(ln)
        idx = [k for k in range(len(ln.text)) if hit[start + k]]
        if not idx:
            continue
        # contiguous runs within the line
        run = [idx[0]]
        for k in [*idx[1:], None]:
            if k is not None and k == run[-1] + 1:
                run.append(k)
                continue
            a, b = spans[run[0]][0], spans[run[-1]][1]
            pad = 0.15 * ln.h
            boxes.append((int(a - pad), int(ln.y0 - 1), int(b + pad) + 1, int(ln.y1 + 1)))
            if k is not None:
                run = [k]
    return boxes


def _estimate_chars(ln: Line) -> list[tuple[float, float]]:
    weights = [0.55 if c.isascii() else 1.0 for c in ln.text]
    scale = (ln.x1 - ln.x0) / max(sum(weights), 1e-9)
    out, x = [], ln.x0
    for wgt in weights:
        out.append((x, x + wgt * scale))
        x += wgt * scale
    return out


def _time_text(s: str) -> str:
    from .tabular import parse_datetime

    d = parse_datetime(s)
    return fmt_time(d)[:16] if d else s.strip()


def analyse(rgb: np.ndarray, lines: list[Line], file: str = "") -> Screen:
    """Bubbles, sides, timestamps and the sender, from OCR lines and the pixels under them."""
    h, w = rgb.shape[:2]
    bg = _background(rgb)
    ignored: list[str] = []
    # the input bar: short hints ("短信", "iMessage", "发送", "按住 说话") in the bottom band
    bottom = [ln for ln in lines if ln.y0 > h - 0.2 * w and len(ln.text.strip()) <= 8]
    ignored.extend(ln.text for ln in bottom)
    lines = [ln for ln in lines if ln not in bottom]
    for ln in lines:
        _bubble(rgb, ln, bg)
    bubbled = [ln for ln in lines if ln.color is not None]
    first_y = min((ln.y0 for ln in bubbled), default=h)
    last_y = max((ln.y1 for ln in bubbled), default=0)
    # title bar: below the status bar, above the first bubble; the most central line
    sender = ""
    head = [ln for ln in lines if ln.color is None and ln.y1 <= first_y and (ln.y0 + ln.y1) / 2 < 0.3 * w]
    names = [ln for ln in head if not _STATUS.search(ln.text) and len(ln.text.strip("<>〈〉 ")) >= 2
             and not (abs(ln.xc - w / 2) < 0.12 * w and _TIME.search(ln.text) and (ln.y0 + ln.y1) / 2 > 0.2 * w)]
    if names:
        best = min(names, key=lambda ln: abs(ln.xc - w / 2))
        if abs(best.xc - w / 2) < 0.2 * w:
            sender = best.text.strip("<>〈〉 ").strip()
    # merge pieces of one row inside one bubble
    rows: list[Line] = []
    for ln in lines:
        prev = rows[-1] if rows else None
        if (prev is not None and prev.color is not None and ln.color is not None and ln.left == prev.left
                and min(ln.y1, prev.y1) - max(ln.y0, prev.y0) > 0.5 * min(ln.h, prev.h)):
            first, second = sorted((prev, ln), key=lambda x: x.x0)
            merged = Line(first.x0, min(first.y0, second.y0), second.x1, max(first.y1, second.y1),
                          _join([first.text, second.text]), None, first.color, first.left, max(first.right, second.right))
            rows[-1] = merged
        else:
            rows.append(ln)
    groups: list[list[Line]] = []
    items: list[tuple[str, object]] = []  # ("time", text) | ("bubble", lines) | ("plain", line)
    for ln in rows:
        yc = (ln.y0 + ln.y1) / 2
        if ln.color is not None:
            if groups and items and items[-1][0] == "bubble" and _same_bubble(rgb, groups[-1][-1], ln):
                groups[-1].append(ln)
            else:
                groups.append([ln])
                items.append(("bubble", groups[-1]))
            continue
        if ln.y1 <= first_y and yc < 0.3 * w and not (_TIME.search(ln.text) and yc > 0.2 * w
                                                     and abs(ln.xc - w / 2) < 0.12 * w and ln.text.strip() != sender):
            ignored.append(ln.text)  # status bar, title bar
        elif ln.y0 >= last_y and yc > h - 0.3 * w and bubbled:
            ignored.append(ln.text)  # input bar
        elif _TIME.search(ln.text) and len(ln.text) <= 24:
            items.append(("time", ln))
        elif abs(ln.xc - w / 2) < 0.08 * w:
            ignored.append(ln.text)  # a system line ("以下为新消息", "对方撤回了一条消息")
        else:
            items.append(("plain", ln))
    # direction: bubble colour whose bubbles sit on the right is "sent"
    colors: list[tuple] = []
    side: dict[int, list[float]] = {}
    for g in groups:
        left, right = min(x.left for x in g), max(x.right for x in g)
        c = next((i for i, cc in enumerate(colors) if _diff(np.array(cc), g[0].color) <= 24), None)
        if c is None:
            colors.append(g[0].color)
            c = len(colors) - 1
        side.setdefault(c, []).append((left - (w - right)) / w)
    sent_color = None
    if len(side) >= 2:
        ranked = sorted(side, key=lambda c: np.mean(side[c]))
        if np.mean(side[ranked[-1]]) - np.mean(side[ranked[0]]) > 0.05:
            sent_color = ranked[-1]
    messages: list[Message] = []
    stamp = ""
    pending_plain: list[Line] = []

    def flush_plain() -> None:
        if not pending_plain:
            return
        ls = list(pending_plain)
        pending_plain.clear()
        text = _join([x.text for x in ls])
        x0, x1 = min(x.x0 for x in ls), max(x.x1 for x in ls)
        direction = SENT if x0 - (w - x1) > 0.05 * w else RECEIVED
        box = (int(x0), int(min(x.y0 for x in ls)), int(x1), int(max(x.y1 for x in ls)))
        messages.append(Message(text, direction, stamp, box, _pii_boxes(ls, text), ls))

    for kind, obj in items:
        if kind == "plain":
            if pending_plain and (obj.y0 - pending_plain[-1].y1 > 0.8 * obj.h or abs(obj.x0 - pending_plain[-1].x0) > obj.h):
                flush_plain()
            pending_plain.append(obj)
            continue
        name = ""
        if kind == "bubble" and len(pending_plain) == 1:
            ln, top_line = pending_plain[0], obj[0]
            if (top_line.y0 - ln.y1 < 1.5 * top_line.h and len(ln.text) <= 24 and ln.h < top_line.h
                    and min(abs(ln.x0 - top_line.left), abs(ln.x1 - top_line.right)) < 1.5 * top_line.h):
                name = ln.text.strip()  # a group chat: the sender's name over the bubble
                pending_plain.clear()
        flush_plain()
        if kind == "time":
            ln = obj
            if abs(ln.xc - w / 2) >= 0.12 * w and messages and ln.y0 - messages[-1].bbox[3] < 2 * ln.h:
                messages[-1].time = _time_text(ln.text)  # a time printed under its bubble
            else:
                stamp = _time_text(ln.text)
            continue
        g = obj
        left, right = min(x.left for x in g), max(x.right for x in g)
        c = next(i for i, cc in enumerate(colors) if _diff(np.array(cc), g[0].color) <= 24)
        if sent_color is not None:
            direction = SENT if c == sent_color else RECEIVED
        else:
            direction = SENT if left - (w - right) > 0.05 * w else RECEIVED
        text = _join([x.text for x in g])
        top, bottom = _vertical_extent(rgb, g)
        box = (int(left), top, int(right), bottom)
        messages.append(Message(text, direction, stamp, box, _pii_boxes(g, text), g, name))
    flush_plain()
    return Screen(file, w, h, sender, messages, ignored)


def read_screenshot(path: str) -> Screen:
    """OCR one screenshot into messages; InputError naming the file if it is unreadable or has no text."""
    from .tabular import InputError

    rgb = load_image(path)
    lines = ocr_lines(rgb)
    if not lines:
        raise InputError(f"{path}: no text found in the image (is it a screenshot of a message thread?)")
    screen = analyse(rgb, lines, path)
    if not screen.messages:
        raise InputError(f"{path}: text was found but no message bubbles (only: {len(lines)} lines of title/status "
                         "text); is it a screenshot of a message thread?")
    return screen


# --- as a Source ---------------------------------------------------------------------------------

def _natural(p: Path) -> list:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", p.name)]


def list_images(paths: list[str]) -> list[str]:
    """The image files among ``paths``; folders give their images in natural name order (shot2 < shot10)."""
    from .tabular import InputError

    out: list[str] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted((f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTS), key=_natural)
            if not found:
                raise InputError(f"{p}: the folder has no screenshots (.png, .jpg, .jpeg, .webp)")
            out.extend(map(str, found))
        elif not p.exists():
            raise InputError(f"{p}: no such file")
        else:
            out.append(str(p))
    if len(out) > MAX_IMAGES:
        raise InputError(f"{paths[0]}: {len(out)} images, more than the limit of {MAX_IMAGES} in one run")
    return out


def open_images(paths: list[str]):
    """A Source with one row per message bubble over all the screenshots, in order.

    With a single image, an unreadable image raises InputError; with several, it becomes one row
    with the reason in ``error`` and the other images are still read.
    """
    from .tabular import InputError, Row, Source

    files = list_images(paths)
    for f in files:
        with open(f, "rb") as fh:
            head = fh.read(64)
        if not sniff(head):
            raise InputError(f"{f}: not a PNG, JPEG or WebP image" +
                             (" (HEIC photos: export them as JPEG first)" if b"ftyphei" in head or b"ftypmif1" in head else ""))
    first = read_screenshot(files[0]) if len(files) == 1 else None
    shown = paths[0] if len(paths) == 1 else f"{len(files)} images"

    def rows() -> Iterator[Row]:
        for f in files:
            try:
                screen = first if first is not None else read_screenshot(f)
            except InputError as e:
                yield Row([Path(f).name, "", "", "", "", "", "", ""], error=str(e).replace(f, Path(f).name))
                continue
            for i, m in enumerate(screen.messages, 1):
                sender = "我" if m.direction == SENT else (m.sender or screen.sender)
                row = Row([Path(f).name, i, m.time, sender, m.direction, m.text, ",".join(map(str, m.bbox)),
                           json.dumps(m.pii_boxes)])
                if m.direction == SENT:
                    row.skip = SENT_NOTE
                yield row

    src = Source(shown, "image", list(COLUMNS), rows(),
                 notes=[f"OCR of {len(files)} screenshot{'s' if len(files) > 1 else ''} (RapidOCR, PP-OCRv4): one row per "
                        "message bubble; check the text against the image"])
    src.files = {Path(f).name: f for f in files}
    return src


def crop(path: str, bbox: str, pii_boxes: str = "[]", mask: bool = True, max_width: int = 560) -> bytes:
    """PNG bytes of a message's region of its screenshot, numbers covered when ``mask``."""
    import io

    from PIL import Image, ImageDraw

    rgb = load_image(path)
    x0, y0, x1, y1 = (int(v) for v in str(bbox).split(","))
    h, w = rgb.shape[:2]
    m = 6
    box = (max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m))
    im = Image.fromarray(rgb)
    if mask:
        d = ImageDraw.Draw(im)
        for b in json.loads(pii_boxes or "[]"):
            d.rectangle(b, fill="#7f7f7f", outline="#555555", width=2)
    im = im.crop(box)
    if im.width > max_width:
        im = im.resize((max_width, max(1, round(im.height * max_width / im.width))))
    buf = io.BytesIO()
    im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
