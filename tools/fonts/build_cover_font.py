"""Build curation/fonts/GardenCoverSans-Bold.otf, the font of the generated track covers.

Source: Noto Sans CJK KR Bold (SIL Open Font License 1.1), face 1 of NotoSansCJK-Bold.ttc in Debian's
fonts-noto-cjk package (1:20220127+repack1-1). Get it with `apt-get download fonts-noto-cjk` and
`dpkg-deb -x fonts-noto-cjk_*.deb <dir>`, then run

    python tools/fonts/build_cover_font.py <dir>/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc

The whole collection is 20 MB, almost all of it Han ideographs. Covers need Latin (with its accented letters),
Greek, Cyrillic and Hangul, so the subset keeps those and drops the rest. A subset is a Modified Version under the
OFL; it is renamed (the OFL reserves no name of this font but "Source", and "Noto" is Google's trademark) and keeps
the copyright notice and the licence. fontTools is a development dependency only: the product reads the result.
"""

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

KOREAN_FACE = 1  # JP, KR, SC, TC, HK, then the monospaced faces
FAMILY = "Garden Cover Sans KR"
STYLE = "Bold"
OUTPUT = Path(__file__).resolve().parents[2] / "curation" / "fonts" / "GardenCoverSans-Bold.otf"

UNICODE_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # general punctuation (dashes, curly quotes, ellipsis)
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x214F),  # letterlike symbols
    (0x2160, 0x217F),  # Roman numerals
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # enclosed alphanumerics
    (0x2600, 0x26FF),  # miscellaneous symbols (♪, ♥, ☆)
    (0x3000, 0x303F),  # CJK punctuation (「」, 〈〉)
    (0x3130, 0x318F),  # Hangul Compatibility Jamo
    (0xA960, 0xA97F),  # Hangul Jamo Extended-A
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xD7B0, 0xD7FF),  # Hangul Jamo Extended-B
    (0xFF01, 0xFF60),  # full-width forms
]


def build(source: Path, output: Path) -> None:
    font = TTCollection(source).fonts[KOREAN_FACE]
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["VORG", "vhea", "vmtx"]  # vertical metrics: covers set text horizontally
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=[code for low, high in UNICODE_RANGES for code in range(low, high + 1)])
    subsetter.subset(font)
    names = font["name"]
    postscript = f"{FAMILY.replace(' ', '')}-{STYLE}"
    for name_id, value in ((1, FAMILY), (3, f"{postscript};subset of Noto Sans CJK KR Bold 2.004"),
                           (4, f"{FAMILY} {STYLE}"), (6, postscript), (16, FAMILY), (17, STYLE)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    # Localised (Korean, Japanese...) family names of the source would still carry its name.
    names.names = [record for record in names.names
                   if record.nameID not in (1, 3, 4, 6, 16, 17) or record.langID in (0, 0x409)]
    font["CFF "].cff.fontNames = [postscript]
    output.parent.mkdir(parents=True, exist_ok=True)
    font.save(output)
    print(f"{output}: {output.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJK-Bold.ttc")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    arguments = parser.parse_args()
    build(arguments.source, arguments.output)
