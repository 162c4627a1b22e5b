package notary

import (
	"hash"

	"github.com/emmansun/gmsm/sm3"
)

// NewSM3 returns a plain SM3 hasher (GB/T 32905), for digests computed while
// streaming, such as those of tender documents. notary is the only package
// that imports gmsm, so other packages hash SM3 through this.
func NewSM3() hash.Hash { return sm3.New() }
