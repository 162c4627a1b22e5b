package eventlog

import (
	"context"

	"github.com/tenderhall/tenderhall/notary"
)

// checkHeads checks every other verified head against the signed tree that
// locate established for the latest one: a head whose root differs signed
// a different history, which only a forked (rewritten) log can produce.
func (r *auditRun) checkHeads(heads []notary.SignedTreeHead, latest notary.SignedTreeHead) {
	if r.tree == nil {
		return
	}
	for _, h := range heads {
		if h.TreeSize == latest.TreeSize {
			continue
		}
		if root, _ := r.tree.Root(h.TreeSize); root != h.RootHash {
			r.add(0, FindFork, "the head of size %d signed at %s does not agree with the head of size %d signed at %s: the log was rewritten between them",
				h.TreeSize, when(h.Timestamp), latest.TreeSize, when(latest.Timestamp))
		}
	}
}

// checkRemembered checks consistency from the size an earlier run verified
// (and from FromSize) to the latest head, twice: by the audit's own
// recomputation of the tree, and by the server's consistency proof checked
// against the remembered root and the latest head's root.
func (r *auditRun) checkRemembered(ctx context.Context, latest notary.SignedTreeHead) {
	if rem := r.a.Remembered; rem != nil {
		r.checkFrom(ctx, latest, rem.TreeSize, &rem.RootHash, "verified on "+when(rem.Timestamp))
	}
	if r.a.FromSize > 0 {
		r.checkFrom(ctx, latest, r.a.FromSize, nil, "given with --from-size")
	}
}

// checkFrom checks that the latest head extends the tree of size m. With a
// remembered root the recomputed tree must have it; without one the root
// is the recomputed one.
func (r *auditRun) checkFrom(ctx context.Context, latest notary.SignedTreeHead, m uint64, root *notary.Hash, what string) {
	if m > latest.TreeSize {
		r.add(0, FindFork, "the latest signed head has size %d, smaller than the size %d %s: the log was truncated or rolled back",
			latest.TreeSize, m, what)
		return
	}
	if r.tree == nil {
		return // the events could not be rebuilt: the reason is reported already
	}
	own, _ := r.tree.Root(m)
	if root == nil {
		root = &own
	} else if own != *root {
		r.add(0, FindFork, "the log's first %d events differ from those %s (root %s then, %s now)", m, what, *root, own)
	}
	p, err := r.a.Prover.ConsistencyProof(ctx, m, latest.TreeSize)
	if err != nil {
		r.add(0, FindProof, "the server cannot prove that the head of size %d extends the log of size %d %s: %v", latest.TreeSize, m, what, err)
		return
	}
	if p.First != m || p.Second != latest.TreeSize || p.Verify(*root, latest.RootHash) != nil {
		r.add(0, FindFork, "the server's consistency proof from size %d (%s) to the head of size %d does not verify", m, what, latest.TreeSize)
	}
}
