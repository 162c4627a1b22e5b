// Package pdf renders simple official documents — the opening record
// (开标记录表), the evaluation report (评标报告) and the like — to A4 PDF with
// proper Chinese text: a centred title block, headings, paragraphs, and ruled
// tables whose header row repeats on every page, with "第 i 页 / 共 N 页" in
// every page's footer. Output is deterministic (the creation date comes from
// the Document), so a rendered report can be signed and golden-tested.
//
// # Font
//
// The package embeds one font, fonts/TenderHallSansSC-Regular.ttf (7.4 MB),
// and embeds in each PDF only the glyphs that PDF uses, with a ToUnicode map
// so that the text can be searched and extracted. It is Noto Sans CJK SC
// Regular 2.004 (© 2014-2021 Adobe, with Reserved Font Name "Source"; Noto is
// a trademark of Google), licensed under the SIL Open Font License 1.1
// (fonts/LICENSE), subset to ASCII, Latin-1, common punctuation and symbols
// and every character of GBK — all 20,902 CJK Unified Ideographs
// U+4E00..U+9FA5, so all of GB 2312 and of the 通用规范汉字表 — with its
// outlines converted from CFF to TrueType, which the PDF library needs, and
// renamed "TenderHall Sans SC" as the OFL asks of a modified version.
// fonts/build_font.py rebuilds it from Debian's fonts-noto-cjk with
// python3-fonttools; its comment gives the command. There is one weight:
// bold text is drawn by stroking the outlines as well as filling them.
//
// A character outside the font (a rare ideograph from CJK Extension B, an
// emoji) prints as □ rather than failing; Unsupported lists them for a caller
// that must refuse instead.
package pdf
