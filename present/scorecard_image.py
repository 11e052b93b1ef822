"""A scorecard image per entrant for WhatsApp groups: PNG, portrait 1080×1350 (the feed size phones show whole),
drawn with Pillow alone, so a server renders it without a browser (kaleido needs Chromium).

What it shows comes from `scoring.summary.EntrantFigures`: name, desa, rank and award, the final score, the six
fields as bars, the two strongest fields and the two criteria to fix first. Type is large (the smallest text is
30 px, a phone shows the image about 1/3 of its size), and the fonts are DejaVu Sans, as in the PDFs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from present.fmt import fmt_int, fmt_number
from present.i18n import t
from present.summary import field_award_text
from present.theme import field_colour
from scoring.fields import SPM_FIELDS
from scoring.summary import EntrantFigures

WIDTH, HEIGHT = 1080, 1350
MARGIN = 60
INK, MUTED, PAPER, HEAD = "#1A1A1A", "#555555", "#FFFFFF", "#1B4F72"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int, bold: bool = False) -> Font:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int, bold: bool = False,
         smallest: int = 30) -> tuple[str, Font]:
    """The text in the largest size ≤ `size` that fits `width`, cut with "…" at the smallest size."""
    while size > smallest and draw.textlength(text, font=_font(size, bold)) > width:
        size -= 2
    font = _font(size, bold)
    while len(text) > 1 and draw.textlength(text, font=font) > width:
        text = text[:-2].rstrip() + "…"
    return text, font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int, lines: int) -> list[str]:
    """Words over at most `lines` lines of `width` px, the last cut with "…" when the text is longer."""
    out: list[str] = []
    words = text.split()
    while words and len(out) < lines:
        line = words.pop(0)
        while words and draw.textlength(line + " " + words[0], font=font) <= width:
            line += " " + words.pop(0)
        out.append(line)
    if words and out:
        last = out[-1]
        while last and draw.textlength(last + " …", font=font) > width:
            last = last[:-1]
        out[-1] = last.rstrip() + " …"
    return out


def scorecard_png(fig: EntrantFigures, competition_name: str, criterion_texts: Mapping[str, str], lang: str,
                  footer: str = "") -> bytes:
    """The scorecard of one entrant as PNG bytes (1080×1350)."""
    img = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    d = ImageDraw.Draw(img)
    inner = WIDTH - 2 * MARGIN

    # Head: the contest on a dark band.
    d.rectangle([0, 0, WIDTH, 110], fill=HEAD)
    text, font = _fit(d, competition_name, 34, inner, bold=True)
    d.text((MARGIN, 55), text, font=font, fill="#FFFFFF", anchor="lm")

    y = 140
    text, font = _fit(d, f"{t('pages_posyandu_prefix', lang)} {fig.posyandu_name}", 68, inner, bold=True, smallest=40)
    d.text((MARGIN, y), text, font=font, fill=INK, anchor="la")
    y += 86
    if fig.desa_name:
        text, font = _fit(d, t("share_img_desa", lang, desa=fig.desa_name), 36, inner)
        d.text((MARGIN, y), text, font=font, fill=MUTED, anchor="la")
    y += 70

    # Rank, award and total side by side in two boxes.
    box_w, box_h = (inner - 30) // 2, 172
    for i, (label, value, extra) in enumerate((
            (t("share_img_rank", lang),
             "–" if fig.rank is None else fmt_int(fig.rank, lang),
             t("share_img_of", lang, n=fmt_int(fig.n_ranked, lang)) if fig.rank is not None else ""),
            (t("share_img_total", lang), fmt_number(fig.total, 2, lang), t("share_img_of_100", lang)))):
        x0 = MARGIN + i * (box_w + 30)
        d.rounded_rectangle([x0, y, x0 + box_w, y + box_h], radius=22, fill="#EEF3F8")
        d.text((x0 + 30, y + 26), label, font=_font(32), fill=MUTED, anchor="la")
        d.text((x0 + 30, y + 62), value, font=_font(84, bold=True), fill=INK, anchor="la")
        if extra:
            d.text((x0 + 30 + d.textlength(value, font=_font(84, bold=True)) + 16, y + 140), extra, font=_font(32),
                   fill=MUTED, anchor="ls")
    y += box_h + 22
    honours = ([fig.award] if fig.award else []) + [field_award_text(f, p, lang) for f, p in fig.field_awards]
    if honours:
        # one pill per honour, flowing over the rows they need (smaller when there are many: a posyandu may win
        # every field); the bars below close up to make room
        size, pill, gap = (34, 58, 70) if len(honours) <= 3 else (28, 48, 58)
        font, x, rows = _font(size, bold=True), MARGIN, 1
        for honour in honours:
            w = int(d.textlength(honour, font=font)) + 40
            if x > MARGIN and x + w > WIDTH - MARGIN:
                x, y, rows = MARGIN, y + gap, rows + 1
            text, fitted = _fit(d, honour, size, WIDTH - MARGIN - x - 40, bold=True, smallest=22)
            w = int(d.textlength(text, font=fitted)) + 40
            d.rounded_rectangle([x, y, x + w, y + pill], radius=pill // 2, fill="#F6C744")
            d.text((x + 20, y + pill // 2), text, font=fitted, fill=INK, anchor="lm")
            x += w + 14
        y += pill + 24
    else:
        rows = 0
        y += 16

    # The six fields as bars on 0–100.
    d.text((MARGIN, y), t("share_img_fields", lang), font=_font(36, bold=True), fill=INK, anchor="la")
    y += 58
    label_w, bar_h, step = 330, 34, (52, 52, 46, 42, 38, 36)[min(rows, 5)]
    bar_w = inner - label_w - 110
    for f in SPM_FIELDS:
        score = fig.fields.get(f)
        text, font = _fit(d, t(f"field_{f}", lang), 30, label_w - 16, smallest=24)
        d.text((MARGIN, y + bar_h // 2), text, font=font, fill=INK, anchor="lm")
        x0 = MARGIN + label_w
        d.rounded_rectangle([x0, y, x0 + bar_w, y + bar_h], radius=8, fill="#E6E6E6")
        if score is not None and score > 0:
            d.rounded_rectangle([x0, y, x0 + max(16, int(bar_w * min(score, 100.0) / 100.0)), y + bar_h],
                                radius=8, fill=field_colour(f))
        d.text((x0 + bar_w + 100, y + bar_h // 2), fmt_number(score, 1, lang), font=_font(30, bold=True),
               fill=INK, anchor="rm")
        y += step
    y += 8

    # Strongest fields and what to fix first.
    d.line([MARGIN, y, WIDTH - MARGIN, y], fill="#DDDDDD", width=3)
    y += 26
    strong = t("share_sum_and", lang).join(t(f"field_{f}", lang) for f, _ in fig.strongest) or "–"
    d.text((MARGIN, y), t("share_img_strong", lang), font=_font(32, bold=True), fill=INK, anchor="la")
    text, font = _fit(d, strong, 32, inner - 260)
    d.text((MARGIN + 260, y), text, font=font, fill=INK, anchor="la")
    y += 60
    small = _font(24)
    foot = _wrap(d, footer, small, inner, 2) if footer else []
    bottom = HEIGHT - 24 - 30 * len(foot) - 12          # the fix-first lines stay above the footer
    d.text((MARGIN, y), t("share_img_fix", lang), font=_font(32, bold=True), fill=INK, anchor="la")
    y += 48
    # Every criterion to fix gets its line: two lines each when there is room, else one (cut with "…"), in a
    # smaller type when a crowded card (many honours) leaves less than a line of 30 px type for each.
    n_fix = len(fig.fix_first)
    sizes = ((30, 40), (26, 34), (22, 28))          # type size, line height
    fits = [(size, lead) for size, lead in sizes if ((bottom - y) // max(n_fix, 1) - 10) // lead >= 1]
    size, lead = fits[0] if fits else sizes[-1]
    per = min(2, ((bottom - y) // max(n_fix, 1) - 10) // lead)
    body = _font(size)
    for c in fig.fix_first:
        line = f"{c.criterion_id} · {' '.join(criterion_texts.get(c.criterion_id, '').split())}"
        if per < 1 or y + lead > bottom:    # not even a small line left (never with two criteria): on the Profil
            break
        for part in _wrap(d, line, body, inner - 30, per):
            d.text((MARGIN + 30, y), part, font=body, fill=INK, anchor="la")
            y += lead
        y += 10
    if not fig.fix_first:
        d.text((MARGIN + 30, y), "–", font=body, fill=INK, anchor="la")

    for i, part in enumerate(foot):
        d.text((MARGIN, HEIGHT - 24 - 30 * (len(foot) - 1 - i)), part, font=small, fill=MUTED, anchor="ls")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
