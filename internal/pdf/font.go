package pdf

import (
	_ "embed"
	"encoding/binary"
	"sort"
	"strings"
	"sync"
)

// fontTTF is TenderHall Sans SC, a GBK subset of Noto Sans CJK SC with
// TrueType outlines (SIL OFL 1.1; see fonts/ and doc.go).
//
//go:embed fonts/TenderHallSansSC-Regular.ttf
var fontTTF []byte

// fontFamily is the name the renderer registers the embedded font under.
const fontFamily = "TenderHallSansSC"

// replacement stands in for a character the font lacks: □, as Chinese
// typesetting marks a missing character.
const replacement = '\u25A1'

var (
	coverOnce sync.Once
	cover     map[rune]bool
)

// covered reports whether the embedded font has a glyph for r.
func covered(r rune) bool {
	coverOnce.Do(func() { cover = parseCmap(fontTTF) })
	return r <= 0xFFFF && cover[r] // the PDF library indexes widths by BMP code point only
}

// ignorable reports whether r is a control or invisible format character,
// which is dropped rather than printed.
func ignorable(r rune) bool {
	return r < 0x20 || (r >= 0x7F && r < 0xA0) || r == 0xFEFF || r == 0x200B
}

// parseCmap returns the characters a TrueType font maps to a glyph, read
// from its Windows Unicode cmap subtable (format 4 or 12). A malformed font
// yields an empty set, which turns every character into the replacement;
// the embedded font is checked by the tests.
func parseCmap(b []byte) map[rune]bool {
	m := map[rune]bool{}
	u16 := func(o int) int {
		if o < 0 || o+2 > len(b) {
			return 0
		}
		return int(binary.BigEndian.Uint16(b[o:]))
	}
	u32 := func(o int) int {
		if o < 0 || o+4 > len(b) {
			return 0
		}
		return int(binary.BigEndian.Uint32(b[o:]))
	}
	cmap := -1
	for i, n := 0, u16(4); i < n; i++ {
		rec := 12 + 16*i
		if string(b[rec:min(rec+4, len(b))]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return m
	}
	var f4, f12 int = -1, -1
	for i, n := 0, u16(cmap+2); i < n; i++ {
		rec := cmap + 4 + 8*i
		pid, eid, off := u16(rec), u16(rec+2), cmap+u32(rec+4)
		switch {
		case pid == 3 && eid == 10 && u16(off) == 12:
			f12 = off
		case pid == 3 && eid == 1 && u16(off) == 4:
			f4 = off
		}
	}
	switch {
	case f12 >= 0:
		for i, n := 0, u32(f12+12); i < n && i < 1<<20; i++ {
			g := f12 + 16 + 12*i
			start, end, gid := u32(g), u32(g+4), u32(g+8)
			for c := start; c <= end && c <= 0x10FFFF; c++ {
				if gid+(c-start) != 0 {
					m[rune(c)] = true
				}
			}
		}
	case f4 >= 0:
		seg := u16(f4+6) / 2
		ends, starts := f4+14, f4+16+2*seg
		deltas, ranges := starts+2*seg, starts+4*seg
		for i := 0; i < seg; i++ {
			start, end := u16(starts+2*i), u16(ends+2*i)
			delta, ro := u16(deltas+2*i), u16(ranges+2*i)
			for c := start; c <= end && c < 0xFFFF; c++ {
				gid := 0
				if ro == 0 {
					gid = (c + delta) & 0xFFFF
				} else if g := u16(ranges + 2*i + ro + 2*(c-start)); g != 0 {
					gid = (g + delta) & 0xFFFF
				}
				if gid != 0 {
					m[rune(c)] = true
				}
			}
		}
	}
	return m
}

// clean makes s printable with the embedded font: "\r\n" and "\r" become
// "\n", a tab becomes a space, other control characters are dropped, and a
// character the font lacks becomes □.
func clean(s string) string {
	if s == "" {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			sb.WriteRune(r)
		case r == '\r', r == '\t':
			sb.WriteRune(' ')
		case ignorable(r):
		case r == ' ' || covered(r):
			sb.WriteRune(r)
		default:
			sb.WriteRune(replacement)
		}
	}
	return sb.String()
}

// Unsupported returns, in code point order, the characters of d that the font
// cannot show; Render prints each of them as □. A caller that must not
// print a substitute (a bidder's registered name, say) checks this first.
func Unsupported(d Document) []rune {
	seen := map[rune]bool{}
	add := func(s string) {
		for _, r := range s {
			if !ignorable(r) && r != ' ' && !covered(r) {
				seen[r] = true
			}
		}
	}
	add(d.Title)
	add(d.Subtitle)
	add(d.Footer)
	for _, kv := range d.Meta {
		add(kv.Key)
		add(kv.Value)
	}
	for _, b := range d.Blocks {
		switch b := b.(type) {
		case Heading:
			add(b.Text)
		case Paragraph:
			add(b.Text)
		case Table:
			for _, c := range b.Columns {
				add(c)
			}
			for _, row := range b.Rows {
				for _, c := range row {
					add(c)
				}
			}
		}
	}
	out := make([]rune, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
