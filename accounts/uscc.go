package accounts

import (
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// usccCharset is the GB 32100-2015 code character set, 31 characters: the
// digits and the capital letters except I, O, S, V and Z. A character's index
// is its value.
const usccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights of positions 1–17 (3^(i-1) mod 31).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeUSCC trims spaces and upper-cases a 统一社会信用代码 as typed by a
// person, before ValidUSCC checks it.
func NormalizeUSCC(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// ValidUSCC checks a 统一社会信用代码 (unified social credit code) against
// GB 32100-2015: 18 characters from the code character set (no I, O, S, V,
// Z, no lower case), an administrative division code of six digits in
// positions 3–8, and the check character in position 18. It returns
// apperr.Invalid with a "uscc" field error naming the problem, or nil.
func ValidUSCC(s string) error {
	if len(s) != 18 {
		return usccError("应为 18 位", "must be 18 characters", "length")
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(usccCharset, s[i])
		if v < 0 {
			return usccError("含有不允许的字符（不使用 I、O、S、V、Z 和小写字母）",
				"contains a character outside the code set (no I, O, S, V, Z or lower case)", "charset")
		}
		if i >= 2 && i < 8 && v > 9 {
			return usccError("第 3–8 位应为行政区划代码数字", "positions 3–8 must be the division code digits", "division")
		}
		if i < 17 {
			sum += v * usccWeights[i]
		}
	}
	if s[17] != usccCheck(sum) {
		return usccError("校验位错误，请核对", "check character is wrong; please check the code", "check")
	}
	return nil
}

// usccCheck returns the check character for a weighted sum of positions 1–17.
func usccCheck(sum int) byte {
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return usccCharset[c]
}

// usccWithCheck completes a 17-character code body with its check character.
// The body must already be in the code set.
func usccWithCheck(body string) string {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccCharset, body[i]) * usccWeights[i]
	}
	return body + string(usccCheck(sum))
}

// CompleteUSCC appends the GB 32100 check character to a 17-character
// code body (demonstration data and tests make codes with it). A body of
// another length or outside the code set gets "0", which ValidUSCC refuses.
func CompleteUSCC(body string) string {
	body = NormalizeUSCC(body)
	if len(body) != 17 || strings.Trim(body, usccCharset) != "" {
		return body + "0"
	}
	return usccWithCheck(body)
}

func usccError(zh, en, problem string) error {
	return apperr.New(apperr.Invalid, "统一社会信用代码"+zh, "unified social credit code "+en).
		WithField("uscc", problem).WithCode("invalid_uscc")
}
