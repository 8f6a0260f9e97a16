"""Colour arithmetic for brand colours: WCAG 2.1 contrast, pale tints. No Flask here."""

import re

HEX_RE = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 4.5  # WCAG 2.1 AA for normal text


def parse_hex(value):
    """(r, g, b) of a #rrggbb colour; ValueError otherwise."""
    value = (value or "").strip()
    if not HEX_RE.fullmatch(value):
        raise ValueError(value)
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def _luminance(rgb):
    """Relative luminance (WCAG 2.1)."""
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(value):
    """Contrast ratio of white text on this colour (the same as this colour's text on white)."""
    return 1.05 / (_luminance(parse_hex(value)) + 0.05)


def usable(value):
    """True for a #rrggbb colour readable with white text (at least 4.5:1)."""
    try:
        return contrast_with_white(value) >= MIN_CONTRAST
    except ValueError:
        return False


def tint(value, share=0.12):
    """The colour mixed with white: a pale background of the same hue."""
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in parse_hex(value))
