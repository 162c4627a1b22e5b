#!/usr/bin/python3
"""Builds TenderHallSansSC-Regular.ttf, the font internal/pdf embeds.

It takes Noto Sans CJK SC Regular (SIL OFL 1.1) from Debian's fonts-noto-cjk,
keeps the characters official documents use (ASCII, Latin-1, general and CJK
punctuation, full-width forms, circled numbers, and every character of GBK,
which holds all 20,902 CJK Unified Ideographs U+4E00..U+9FA5 and so every
character of GB 2312 and of the 通用规范汉字表), converts the cubic CFF outlines
to quadratic TrueType outlines (Go PDF libraries read only 'glyf' fonts),
drops hinting, layout and vertical tables, and renames the family, as the OFL
asks of a modified version.

Run from the repository root (Debian 12: apt-get install fonts-noto-cjk
python3-fonttools):

    /usr/bin/python3 internal/pdf/fonts/build_font.py

The output is deterministic for a given fonts-noto-cjk and fonttools version.
"""
import sys

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection, newTable

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = "internal/pdf/fonts/TenderHallSansSC-Regular.ttf"
FAMILY = "TenderHall Sans SC"
PSNAME = "TenderHallSansSC-Regular"
MAX_ERR = 0.5  # font units (1000 per em) allowed between cubic and quadratic outlines


def charset():
    cs = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    cs |= set(range(0x2000, 0x2070))  # general punctuation
    cs |= set(range(0x2100, 0x2200))  # letterlike symbols, number forms, arrows
    cs |= set(range(0x2460, 0x2500))  # enclosed alphanumerics ①..⑳
    cs |= set(range(0x25A0, 0x2600))  # geometric shapes □ ■ ○ ●
    cs |= set(range(0x3000, 0x3040))  # CJK symbols and punctuation
    cs |= set(range(0x3200, 0x3300))  # enclosed CJK ㈠ ㊣
    cs |= set(range(0xFE30, 0xFE50))  # CJK compatibility forms
    cs |= set(range(0xFF00, 0xFFF0))  # full-width forms
    for hi in range(0x81, 0xFF):  # every double-byte GBK code
        for lo in range(0x40, 0xFF):
            try:
                cs |= {ord(c) for c in bytes([hi, lo]).decode("gbk")}
            except UnicodeDecodeError:
                pass
    return cs


def find_sc(path):
    for f in TTCollection(path).fonts:
        if f["name"].getDebugName(4) == "Noto Sans CJK SC":
            return f
    sys.exit("Noto Sans CJK SC not found in " + path)


def main():
    font = find_sc(SRC)
    opts = Options()
    opts.layout_features = []
    opts.hinting = False
    opts.desubroutinize = True
    opts.notdef_outline = True
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    sub = Subsetter(opts)
    sub.populate(unicodes=sorted(charset()))
    sub.subset(font)

    order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        gs[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    del font["CFF "]
    font.sfntVersion = "\x00\x01\x00\x00"
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxPoints", "maxContours",
                 "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 1
    post = font["post"]
    post.formatType = 3.0
    for a in ("extraNames", "mapping", "glyphOrder"):
        if hasattr(post, a):
            delattr(post, a)

    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 4, 16):
            rec.string = FAMILY
        elif rec.nameID == 3:
            rec.string = "2.004;" + PSNAME
        elif rec.nameID == 6:
            rec.string = PSNAME
        elif rec.nameID == 5:
            rec.string = "Version 2.004; subset of Noto Sans CJK SC"
    name.names = [r for r in name.names if r.nameID not in (16, 17)]
    font.recalcTimestamp = False
    font.save(OUT, reorderTables=True)
    print(OUT, len(order), "glyphs")


if __name__ == "__main__":
    main()
