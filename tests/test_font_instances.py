"""The fixed-weight instances of the book typeface (editions/font_instances.py) must draw exactly
what the variable font draws at their weight and optical size: the same glyphs, advances, kerning
and ligatures, in every script the typeface covers, under names a PDF's font list tells apart."""

from __future__ import annotations

import pytest

from pubpipe.editions import font_instances as fi

# Kerning pairs, ligatures, figures, quotes, Cyrillic, Greek with accents, Vietnamese stacking.
SAMPLE = ("AVATAR Toward Wave, “Yes,” he said: ‘office ffl Tr. Ty. P. W.’ — 1129–1130 (2004) "
          "Пакистан и СССР; Ἀθῆναι, αβγ; Tiếng Việt; naïve façade")


def shaped(font_bytes: bytes, variations: dict | None = None) -> list[tuple[int, int, int, int]]:
    import uharfbuzz as hb

    font = hb.Font(hb.Face(font_bytes))
    if variations:
        font.set_variations(variations)
    buffer = hb.Buffer()
    buffer.add_str(SAMPLE)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    return [(info.codepoint, pos.x_advance, pos.x_offset, pos.y_offset)
            for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions)]


@pytest.mark.parametrize("style", sorted(fi.SOURCES))
def test_each_instance_shapes_text_as_the_variable_font_does_at_its_weight(style):
    folder = fi.ensure_instances()
    variable = fi._source(style).read_bytes()
    for weight in fi.WEIGHTS:
        instance = (folder / fi.file_name(style, weight)).read_bytes()
        assert shaped(instance) == shaped(variable, {"wght": weight, "opsz": fi.OPTICAL_SIZE}), (style, weight)


def test_the_instances_have_their_own_names_and_style_bits():
    from fontTools.ttLib import TTFont

    folder = fi.ensure_instances()
    names = {}
    for style in fi.SOURCES:
        for weight in fi.WEIGHTS:
            font = TTFont(folder / fi.file_name(style, weight))
            names[style, weight] = font["name"].getDebugName(6)
            assert "fvar" not in font and "gvar" not in font, "an instance is a static font"
            assert bool(font["head"].macStyle & 1) == (weight == 700)  # bold
            assert bool(font["head"].macStyle & 2) == (style == "italic")
            assert font["OS/2"].usWeightClass == weight
    assert len(set(names.values())) == len(names), names
