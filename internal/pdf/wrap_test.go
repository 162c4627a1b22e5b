package pdf

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// units measures one unit per rune, two for a CJK ideograph.
func units(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width float64
		want  []string
	}{
		{"", 10, []string{""}},
		{"江西省建工集团有限责任公司", 10, []string{"江西省建工", "集团有限责", "任公司"}},
		{"报价¥1,234,567.89元", 12, []string{"报价", "¥1,234,567.8", "9元"}},
		{"hello world foo", 11, []string{"hello world", "foo"}},
		{"hello   world", 7, []string{"hello", "world"}},
		{"第一行\n第二行", 20, []string{"第一行", "第二行"}},
		{"甲乙丙丁，戊", 8, []string{"甲乙丙", "丁，戊"}},             // no line starts with "，"
		{"甲乙丙（丁）", 8, []string{"甲乙丙", "（丁）"}},             // no line ends with "（"
		{"甲，", 2, []string{"甲，"}},                         // a mark with nothing to carry hangs
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}}, // a word wider than the line
		{"　　段落缩进两字", 8, []string{"　　段落", "缩进两字"}},
	} {
		got := wrap(tc.in, tc.width, units)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("wrap(%q, %g) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestWrapKeepsEveryCharacter(t *testing.T) {
	in := "本项目于2026年11月20日09:30在江西省公共资源交易平台进行不见面开标，共收到12份投标文件（含联合体3家）。Bidders: ACME Construction Co., Ltd."
	for w := 3.0; w < 60; w++ {
		lines := wrap(in, w, units)
		if got := strings.Join(lines, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(in, " ", "") {
			t.Fatalf("width %g lost text: %q", w, got)
		}
		for _, l := range lines {
			if units(l) > w+2 && utf8.RuneCountInString(l) > 1 { // a hanging mark may exceed by one character
				t.Errorf("width %g: line %q is %g wide", w, l, units(l))
			}
		}
	}
}
