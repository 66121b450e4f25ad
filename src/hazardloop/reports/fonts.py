"""Finding a font that can draw Chinese labels (CJK), for the four-colour map picture.

Matplotlib's default fonts have no Chinese glyphs and draw boxes instead. :func:`find_cjk_font`
takes the font the user names (a file path or a family name) if it can draw the sample text,
else looks for a known CJK family, else scans the system's font files for one whose character
map covers the sample. When nothing is found it says so (``FontChoice.cjk`` False and a
``note``); the map then falls back to ASCII labels. Nothing here changes matplotlib's global
settings: the choice is a file path the drawing code passes to each text it draws.
"""

from __future__ import annotations

from pathlib import Path

import attrs

__all__ = ["FontChoice", "CJK_FAMILIES", "SAMPLE_TEXT", "font_covers", "find_cjk_font"]

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Hiragino Sans GB",
    "AR PL UMing CN",
    "AR PL UKai CN",
    "Droid Sans Fallback",
    "SimSun",
)
"""Families known to carry simplified Chinese, tried in this order."""

SAMPLE_TEXT = "乡镇街道红橙黄蓝未评估隐患风险四色图"
"""Characters a font must draw to be used for the labels."""


@attrs.frozen
class FontChoice:
    """The font the labels are drawn in: a file path, whether it draws Chinese, and why."""

    path: str | None
    family: str | None
    cjk: bool
    note: str = ""


def font_covers(path: str | Path, text: str = SAMPLE_TEXT) -> bool:
    """True when the font file at ``path`` has a glyph for every character of ``text``."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text if not ch.isspace())


def _family_of(path: str) -> str | None:
    from matplotlib.ft2font import FT2Font

    try:
        return str(FT2Font(path).family_name)
    except (OSError, RuntimeError, ValueError):
        return None


def _by_family(name: str) -> str | None:
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if entry.name.lower() == name.lower():
            return str(entry.fname)
    try:
        return str(font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False))
    except ValueError:
        return None


def _preference(path: str) -> tuple[int, int, str]:
    """Scan order: regular weights before bold or light, sans before serif, then by path."""
    name = Path(path).name.lower()
    weight = 0 if "regular" in name else 1
    serif = 1 if "serif" in name else 0
    return (weight, serif, path)


def find_cjk_font(preferred: str | Path | None = None, *, sample: str = SAMPLE_TEXT) -> FontChoice:
    """The font to draw Chinese labels with: the user's, a known CJK family, or any that covers
    ``sample``. Returns ``FontChoice(cjk=False)`` with a note when none can draw it."""
    notes = []
    if preferred is not None:
        text = str(preferred)
        path = text if Path(text).is_file() else _by_family(text)
        if path is not None and font_covers(path, sample):
            return FontChoice(path, _family_of(path), True, f"using the font given: {text}")
        notes.append(f"the font given ({text}) was not found or cannot draw Chinese")
    for family in CJK_FAMILIES:
        path = _by_family(family)
        if path is not None and font_covers(path, sample):
            return FontChoice(path, _family_of(path), True, "; ".join([*notes, f"found {family}"]))
    from matplotlib import font_manager

    # the font cache may predate a font installed since, so scan the files themselves
    for path in sorted(font_manager.findSystemFonts(), key=_preference):
        if font_covers(path, sample):
            return FontChoice(path, _family_of(path), True, "; ".join([*notes, f"found {Path(path).name}"]))
    notes.append("no font on this system can draw Chinese (install one, e.g. Debian's fonts-noto-cjk, "
                 "or name one); labels fall back to ASCII")
    return FontChoice(None, None, False, "; ".join(notes))
