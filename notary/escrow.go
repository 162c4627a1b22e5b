package notary

import (
	"crypto/rand"
	"math/big"

	"github.com/emmansun/gmsm/sm2"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Codes of escrow errors (apperr.Invalid unless noted).
const (
	CodeBadEscrowSplit = "bad_escrow_split" // threshold or holder count out of range
	CodeBadShare       = "bad_share"        // a share that is malformed or does not match the commitments
	CodeTooFewShares   = "too_few_shares"   // fewer distinct shares than the threshold
)

// MaxEscrowHolders bounds n of a k-of-n split: share indices are one byte.
const MaxEscrowHolders = 255

// EscrowShare is one holder's part of a section escrow key: the point
// (Index, Value) of a secret polynomial over the SM2 group order whose
// value at 0 is the escrow private key (Shamir's scheme).
type EscrowShare struct {
	KeyID string // hex id of the escrow public key the share belongs to
	Index int    // 1..MaxEscrowHolders
	Value []byte // 32 bytes, big-endian, in [1, n-1]
}

// EscrowSplit is the public result of splitting an escrow key, plus the
// shares, which the caller must wrap to their holders and then drop.
type EscrowSplit struct {
	Key       *PublicKey
	Threshold int
	// Commitments are Feldman's a_j·G for the polynomial's coefficients
	// (uncompressed points; the first is the escrow public key itself), so
	// that every share can be checked on its own when it is handed in.
	Commitments [][]byte
	Shares      []EscrowShare
}

var sm2Order = sm2.P256().Params().N

// SplitKey splits priv into holders shares of which any threshold rebuild
// it. Errors: apperr.Invalid (bad_escrow_split) when not 1 ≤ threshold ≤
// holders ≤ MaxEscrowHolders; apperr.Internal when randomness fails.
func SplitKey(priv *PrivateKey, threshold, holders int) (*EscrowSplit, error) {
	if threshold < 1 || threshold > holders || holders > MaxEscrowHolders {
		return nil, apperr.Newf(apperr.Invalid, "托管密钥门限 %d / %d 无效（须 1 ≤ k ≤ n ≤ %d）",
			"escrow threshold %d of %d is invalid (want 1 ≤ k ≤ n ≤ %d)", threshold, holders, MaxEscrowHolders).WithCode(CodeBadEscrowSplit)
	}
	coeffs := []*big.Int{new(big.Int).Set(priv.key.D)}
	for len(coeffs) < threshold {
		c, err := rand.Int(rand.Reader, new(big.Int).Sub(sm2Order, big.NewInt(1)))
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Internal, "生成随机数失败", "cannot read randomness")
		}
		coeffs = append(coeffs, c.Add(c, big.NewInt(1)))
	}
	out := &EscrowSplit{Key: priv.Public(), Threshold: threshold}
	for _, c := range coeffs {
		out.Commitments = append(out.Commitments, baseMult(c))
	}
	for i := 1; i <= holders; i++ {
		out.Shares = append(out.Shares, EscrowShare{KeyID: priv.Public().ID, Index: i, Value: scalarBytes(evalPoly(coeffs, i))})
	}
	return out, nil
}

// evalPoly computes f(x) mod n by Horner's rule.
func evalPoly(coeffs []*big.Int, x int) *big.Int {
	y, bx := new(big.Int), big.NewInt(int64(x))
	for j := len(coeffs) - 1; j >= 0; j-- {
		y.Mul(y, bx).Add(y, coeffs[j]).Mod(y, sm2Order)
	}
	return y
}

// VerifyShare checks s against the split's commitments: s.Value·G must be
// Σ_j index^j·C_j. Errors: apperr.Invalid (bad_share).
func VerifyShare(s EscrowShare, commitments [][]byte) error {
	v, err := shareScalar(s)
	if err != nil {
		return err
	}
	if len(commitments) == 0 {
		return badShare("no commitments to check it against")
	}
	curve := sm2.P256()
	var sx, sy *big.Int
	xj, bx := big.NewInt(1), big.NewInt(int64(s.Index))
	for _, c := range commitments {
		cx, cy, err := parsePoint(c)
		if err != nil {
			return err
		}
		tx, ty := curve.ScalarMult(cx, cy, scalarBytes(xj))
		if sx == nil {
			sx, sy = tx, ty
		} else {
			sx, sy = curve.Add(sx, sy, tx, ty)
		}
		xj.Mul(xj, bx).Mod(xj, sm2Order)
	}
	gx, gy := curve.ScalarBaseMult(scalarBytes(v))
	if gx.Cmp(sx) != 0 || gy.Cmp(sy) != 0 {
		return badShare("it does not match the escrow key's published commitments")
	}
	return nil
}

// CombineShares rebuilds the escrow private key from at least threshold
// distinct shares, each checked against the commitments, and confirms the
// result is pub's private half. Errors (apperr.Invalid): bad_share (a
// share that fails its check or belongs to another key), too_few_shares.
func CombineShares(shares []EscrowShare, threshold int, commitments [][]byte, pub *PublicKey) (*PrivateKey, error) {
	seen := map[int]bool{}
	var use []EscrowShare
	for _, s := range shares {
		if s.KeyID != pub.ID {
			return nil, badShare("it belongs to another escrow key")
		}
		if err := VerifyShare(s, commitments); err != nil {
			return nil, err
		}
		if !seen[s.Index] && len(use) < threshold {
			seen[s.Index] = true
			use = append(use, s)
		}
	}
	if threshold < 1 || len(use) < threshold {
		return nil, apperr.Newf(apperr.Invalid, "份额不足：需要 %d 份不同的份额，只有 %d 份", "too few shares: %d distinct shares are needed, %d were given",
			threshold, len(use)).WithCode(CodeTooFewShares)
	}
	d := lagrangeAtZero(use)
	k, err := sm2.NewPrivateKeyFromInt(d)
	if err != nil {
		return nil, badShare("the shares rebuild an invalid key")
	}
	priv, err := wrapPrivate(k)
	if err != nil {
		return nil, err
	}
	if priv.Public().ID != pub.ID {
		return nil, badShare("the shares rebuild another key than the escrow key")
	}
	return priv, nil
}

// lagrangeAtZero interpolates the shares' polynomial at 0, mod n.
func lagrangeAtZero(shares []EscrowShare) *big.Int {
	d := new(big.Int)
	for i, si := range shares {
		num, den := big.NewInt(1), big.NewInt(1)
		xi := big.NewInt(int64(si.Index))
		for j, sj := range shares {
			if i == j {
				continue
			}
			xj := big.NewInt(int64(sj.Index))
			num.Mul(num, xj).Mod(num, sm2Order)
			den.Mul(den, new(big.Int).Sub(xj, xi)).Mod(den, sm2Order)
		}
		term := new(big.Int).SetBytes(si.Value)
		term.Mul(term, num).Mul(term, den.ModInverse(den, sm2Order)).Mod(term, sm2Order)
		d.Add(d, term).Mod(d, sm2Order)
	}
	return d
}

func baseMult(k *big.Int) []byte {
	x, y := sm2.P256().ScalarBaseMult(scalarBytes(k))
	return marshalPoint(x, y)
}

func marshalPoint(x, y *big.Int) []byte {
	out := make([]byte, 65)
	out[0] = 4
	x.FillBytes(out[1:33])
	y.FillBytes(out[33:])
	return out
}

func parsePoint(b []byte) (*big.Int, *big.Int, error) {
	if len(b) != 65 || b[0] != 4 {
		return nil, nil, badShare("a commitment is not an uncompressed SM2 point")
	}
	x, y := new(big.Int).SetBytes(b[1:33]), new(big.Int).SetBytes(b[33:])
	if !sm2.P256().IsOnCurve(x, y) {
		return nil, nil, badShare("a commitment is not on the SM2 curve")
	}
	return x, y, nil
}

func scalarBytes(k *big.Int) []byte { return k.FillBytes(make([]byte, 32)) }

// shareScalar returns the share's value after checking its range.
func shareScalar(s EscrowShare) (*big.Int, error) {
	if s.Index < 1 || s.Index > MaxEscrowHolders {
		return nil, badShare("its index is out of range")
	}
	if len(s.Value) != 32 {
		return nil, badShare("its value is not 32 bytes")
	}
	v := new(big.Int).SetBytes(s.Value)
	if v.Sign() == 0 || v.Cmp(sm2Order) >= 0 {
		return nil, badShare("its value is out of range")
	}
	return v, nil
}

func badShare(why string) error {
	return apperr.Newf(apperr.Invalid, "托管密钥份额无效：%s", "the escrow key share is invalid: %s", why).WithCode(CodeBadShare)
}
