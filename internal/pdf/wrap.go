package pdf

import (
	"strings"
	"unicode"
)

// noLineStart holds punctuation that must not begin a line (避头点).
const noLineStart = "，。、；：？！）》」』】〕〉”’…—·％"

// noLineEnd holds punctuation that must not end a line (避尾点).
const noLineEnd = "（《「『【〔〈“‘￥"

// breakable reports whether a line may break on either side of r: CJK
// ideographs, kana, CJK and general punctuation (“ ” — …) and full-width
// forms stand alone. ASCII punctuation and ¥ stay in their word, so that
// "¥1,234,567.89" is never broken at a comma.
func breakable(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x30FF) || (r >= 0xFF00 && r <= 0xFFEF) ||
		(r >= 0x2000 && r <= 0x206F) || r == 0x25A1
}

// tokens splits a line of text (no "\n") into the units a line may break
// between: single CJK characters and punctuation, runs of spaces, and runs
// of other characters (a Latin word, a number such as "¥1,234,567.89").
func tokens(s string) []string {
	var out []string
	start := -1
	space := false
	for i, r := range s {
		switch {
		case breakable(r):
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, string(r))
		case start >= 0 && (r == ' ') == space:
		default:
			if start >= 0 {
				out = append(out, s[start:i])
			}
			start, space = i, r == ' '
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// wrap breaks s into lines no wider than width, measuring with measure.
// "\n" always breaks. Chinese text breaks between any two characters except
// before closing or after opening punctuation; Latin words and numbers break
// at spaces, or anywhere when a word alone is too wide. Spaces at a break are
// dropped. An empty s gives one empty line.
func wrap(s string, width float64, measure func(string) float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, wrapLine(para, width, measure)...)
	}
	return lines
}

func wrapLine(s string, width float64, measure func(string) float64) []string {
	var lines []string
	var cur []string
	var curW float64
	flush := func() {
		for len(cur) > 0 && isSpace(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		lines = append(lines, strings.Join(cur, ""))
		cur, curW = nil, 0
	}
	push := func(tok string, w float64) { cur, curW = append(cur, tok), curW+w }
	for _, tok := range tokens(s) {
		w := measure(tok)
		switch {
		case curW+w <= width || len(cur) == 0 && isSpace(tok):
			push(tok, w)
			continue
		case isSpace(tok):
			flush()
			continue
		}
		if n := len(cur); n > 0 {
			first, _ := firstRune(tok)
			last, _ := firstRune(cur[n-1])
			switch {
			case strings.ContainsRune(noLineStart, first) && (n == 1 || isSpace(cur[n-1])):
				push(tok, w) // nothing to carry down: let the mark hang
				flush()
				continue
			case strings.ContainsRune(noLineStart, first) || n > 1 && strings.ContainsRune(noLineEnd, last):
				carry := cur[n-1] // keep it with tok on the next line
				cur = cur[:n-1]
				flush()
				push(carry, measure(carry))
			default:
				flush()
			}
		}
		if curW+w <= width {
			push(tok, w)
			continue
		}
		if len(cur) > 0 {
			flush()
		}
		// A word wider than the line: break it between characters.
		for _, r := range tok {
			rw := measure(string(r))
			if curW+rw > width && len(cur) > 0 {
				flush()
			}
			push(string(r), rw)
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		flush()
	}
	return lines
}

func isSpace(tok string) bool { return tok != "" && strings.Trim(tok, " ") == "" }

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}
