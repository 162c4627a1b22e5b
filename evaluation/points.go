package evaluation

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Points is a score in hundredths of a point: 1250 is 12.50 points. Its
// JSON form is a number with at most two decimals.
type Points int64

// ParsePoints reads a decimal such as "12", "12.5" or "12.34". More than
// two decimals, a sign other than a leading minus, or anything else is
// apperr.Invalid: a score is never silently rounded on the way in.
func ParsePoints(s string) (Points, error) {
	bad := apperr.Newf(apperr.Invalid, "分值 %q 无效：应为最多两位小数的数", "score %q is invalid: a number with at most two decimals", s).
		WithCode("bad_points")
	neg := strings.HasPrefix(s, "-")
	digits := strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(digits, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 || (hasDot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, bad
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	p := Points(w*100 + f)
	if neg {
		p = -p
	}
	return p, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats p with two decimals: "12.50", "-0.25".
func (p Points) String() string {
	sign := ""
	v := int64(p)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON writes p as a JSON number with two decimals.
func (p Points) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a JSON number (or a string holding one) with at most
// two decimals.
func (p *Points) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := ParsePoints(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Rat returns p as an exact rational number of points.
func (p Points) Rat() *big.Rat { return big.NewRat(int64(p), 100) }

// RoundHalfUp rounds r (in points) to two decimals, halves away from zero.
func RoundHalfUp(r *big.Rat) Points {
	h := new(big.Rat).Mul(r, big.NewRat(100, 1))
	num, den := new(big.Int).Set(h.Num()), h.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return Points(q.Int64())
}

// ratString formats r with the given decimals, rounded half-up, for the
// report's step-by-step computations.
func ratString(r *big.Rat, decimals int) string {
	return r.FloatString(decimals) // big.Rat.FloatString rounds half away from zero
}
