"""The social-sharing card: a 1200x630 PNG with the title, the count and the goal (pure).

Plain data in, bytes out, so it can run in a worker thread. Fonts come from the system
(DejaVu, as Debian installs it); without them Pillow's own font is used, so the card is
always drawn.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"
MUTED = "#4a4a4a"
ACCENT = "#0b4f9c"
TRACK = "#d9e2ec"
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
MAX_TITLE_LINES = 3

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Card:
    """Everything on the card, already in the reader's language."""

    title: str
    count_text: str  # "1,234 verified signers"
    goal_text: str  # "Goal: 2,000", or ""
    fraction: float | None  # progress toward the goal, 0..1, or None without a goal
    footer: str  # the site's name and the campaign's kind


@cache
def _font(bold: bool, size: int) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        path = Path(folder) / name
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    """Greedy word wrap to `width` pixels, at most MAX_TITLE_LINES lines (then an ellipsis)."""
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > MAX_TITLE_LINES:
        lines = lines[:MAX_TITLE_LINES]
        lines[-1] = lines[-1].rstrip(".,;: ") + "…"
    return lines


def render_card(card: Card) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 16), fill=ACCENT)
    title_font = _font(True, 56)
    y = MARGIN
    for line in _wrap(draw, card.title, title_font, WIDTH - 2 * MARGIN):
        draw.text((MARGIN, y), line, font=title_font, fill=TEXT)
        y += 70
    y = max(y + 30, 330)
    draw.text((MARGIN, y), card.count_text, font=_font(True, 64), fill=ACCENT)
    y += 90
    if card.fraction is not None:
        right = WIDTH - MARGIN
        draw.rounded_rectangle((MARGIN, y, right, y + 28), radius=14, fill=TRACK)
        filled = MARGIN + round((right - MARGIN) * min(max(card.fraction, 0.0), 1.0))
        if filled > MARGIN + 28:
            draw.rounded_rectangle((MARGIN, y, filled, y + 28), radius=14, fill=ACCENT)
        draw.text((MARGIN, y + 40), card.goal_text, font=_font(False, 32), fill=MUTED)
    draw.text((MARGIN, HEIGHT - MARGIN - 30), card.footer, font=_font(False, 30), fill=MUTED)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
