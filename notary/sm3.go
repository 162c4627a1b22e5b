package notary

import (
	"encoding/hex"
	"hash"

	"github.com/emmansun/gmsm/sm3"
)

// NewSM3 returns a plain SM3 hasher (GB/T 32905), for digests computed while
// streaming, such as those of tender documents. notary is the only package
// that imports gmsm, so other packages hash SM3 through this.
func NewSM3() hash.Hash { return sm3.New() }

// SM3Hex returns the SM3 digest of b in lowercase hex, as documents and
// receipts publish it.
func SM3Hex(b []byte) string {
	h := sm3.New()
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}
