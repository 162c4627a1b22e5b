package eventlog

import (
	"context"
	"sort"

	"github.com/tenderhall/tenderhall/notary"
)

const (
	maxSuspects = 256 // events whose signed leaf the audit asks for up front
	maxRounds   = 32  // further differences located by bisection
)

// locate establishes the leaves head h signed and pins every difference
// between them and the downloaded events to an event. Suspects (events
// absent, or whose content does not match the leaf hash stored with them)
// get their signed leaf from an inclusion proof checked against h's root.
// If the tree rebuilt with those leaves still misses h's root, some event
// was rewritten together with its stored hash: bisection with consistency
// proofs (each checked against h's root and the audit's own prefix root)
// finds the first such event, whose signed leaf is then fetched, until the
// roots agree.
func (r *auditRun) locate(ctx context.Context, h notary.SignedTreeHead) {
	n := h.TreeSize
	r.signed = map[uint64]notary.Hash{}
	signedLeaf := func(i uint64) bool {
		if _, ok := r.signed[i]; ok {
			return true
		}
		p, err := r.a.Prover.InclusionProof(ctx, i+1, n)
		if err != nil {
			r.add(i+1, FindProof, "the server cannot prove which leaf the head of size %d signed for this event: %v", n, err)
			return false
		}
		if p.LeafIndex != i || p.TreeSize != n || p.Verify(h.RootHash) != nil {
			r.add(i+1, FindProof, "the server's inclusion proof for this event in the head of size %d does not verify", n)
			return false
		}
		r.signed[i] = p.LeafHash
		return true
	}
	suspects := 0
	for i := uint64(0); i < n && suspects < maxSuspects; i++ {
		if ev := r.content[i]; ev == nil || ev.LeafHash != r.mine[i].String() {
			suspects++
			signedLeaf(i)
		}
	}
	for round := 0; ; round++ {
		tree, complete := r.rebuild(n)
		if !complete {
			break // an absent event whose signed leaf is unknown: reported above
		}
		if root, _ := tree.Root(n); root == h.RootHash {
			r.tree = tree
			break
		}
		if round == maxRounds {
			r.add(0, FindFork, "the events differ from the head of size %d in more places than this audit pins down; the first ones are listed", n)
			break
		}
		bad := r.bisect(ctx, tree, h)
		if _, known := r.signed[bad]; known || !signedLeaf(bad) {
			if known {
				r.add(bad+1, FindProof, "the server's consistency proofs disagree with its inclusion proof for this event")
			}
			break
		}
		if r.signed[bad] == r.mine[bad] {
			r.add(bad+1, FindProof, "the server's consistency proofs point at this event, but it matches the signed leaf")
			break
		}
	}
	r.diagnose(n)
}

// rebuild returns the tree of the first n events, with the signed leaf in
// place of every event known to differ; complete is false when an absent
// event's signed leaf is unknown.
func (r *auditRun) rebuild(n uint64) (*notary.MemTree, bool) {
	t := &notary.MemTree{}
	for i := uint64(0); i < n; i++ {
		if s, ok := r.signed[i]; ok {
			t.Append(s)
		} else if r.content[i] != nil {
			t.Append(r.mine[i])
		} else {
			return nil, false
		}
	}
	return t, true
}

// bisect returns the first leaf of tree that h did not sign: the smallest m
// whose prefix root the server cannot prove consistent with h, minus one.
// A server error counts as a failed proof, which at worst blames an event
// that the inclusion check in locate then clears.
func (r *auditRun) bisect(ctx context.Context, tree *notary.MemTree, h notary.SignedTreeHead) uint64 {
	lo, hi := uint64(0), h.TreeSize // prefix lo is consistent, prefix hi is not
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		root, _ := tree.Root(mid)
		p, err := r.a.Prover.ConsistencyProof(ctx, mid, h.TreeSize)
		if err == nil && p.First == mid && p.Second == h.TreeSize && p.Verify(root, h.RootHash) == nil {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi - 1
}

// diagnose reports each event of the first n that differs from its signed
// leaf, saying what happened to it, and each whose stored leaf hash alone
// is wrong.
func (r *auditRun) diagnose(n uint64) {
	var bad []uint64
	for i := uint64(0); i < n; i++ {
		s, known := r.signed[i]
		switch ev := r.content[i]; {
		case ev == nil:
			bad = append(bad, i)
		case known && s != r.mine[i]:
			bad = append(bad, i)
		case ev.LeafHash != r.mine[i].String() && (known || r.tree != nil):
			r.add(i+1, FindLeafHash, "its content matches the signed log, but the leaf hash stored with it (%s) is wrong", ev.LeafHash)
		}
	}
	sort.Slice(bad, func(a, b int) bool { return bad[a] < bad[b] })
	for k := 0; k < len(bad); k++ {
		i, run := bad[k], 1
		for k+run < len(bad) && bad[k+run] == i+uint64(run) && r.content[i] == nil && r.content[bad[k+run]] == nil {
			run++
		}
		if run > 2 {
			// A long stretch of deleted events is one finding, not thousands.
			r.add(i+1, FindMissing, "events %d to %d (%d events) are covered by the head of size %d, but the server has none of them: they were deleted",
				i+1, i+uint64(run), run, n)
			k += run - 1
			continue
		}
		r.explain(i, n, bad)
	}
}

// explain reports one differing event: missing, moved from another seq,
// inserted (the signed event shifted one on), carrying another's payload,
// or otherwise rewritten.
func (r *auditRun) explain(i, n uint64, bad []uint64) {
	ev := r.content[i]
	signed, known := r.signed[i]
	if ev == nil {
		if known {
			r.add(i+1, FindMissing, "the head of size %d signed leaf %s for it, but the server has no such event: it was deleted", n, signed)
		} else {
			r.add(i+1, FindMissing, "the head of size %d covers it, but the server has no such event: it was deleted", n)
		}
		return
	}
	if ev.Withheld {
		r.add(i+1, FindRewritten, "it is withheld, and the leaf hash served for it (%s) is not the leaf signed in the head of size %d (%s)",
			ev.LeafHash, n, signed)
		return
	}
	if q, ok := r.match(bad, i, func(q uint64) (Event, uint64) { e := *ev; e.Seq = int64(q + 1); return e, q }); ok {
		r.add(i+1, FindReordered, "it holds the event signed as seq %d (%s on %s): events were reordered", q+1, ev.Type, ev.Subject)
		return
	}
	if next := i + 1; next < n && r.content[next] != nil && known {
		e := *r.content[next]
		e.Seq = int64(i + 1)
		if LeafHash(e) == signed {
			r.add(i+1, FindInserted, "it was never signed: the event signed as seq %d now sits at seq %d, and the later events are shifted", i+1, i+2)
			return
		}
	}
	if q, ok := r.match(bad, i, func(q uint64) (Event, uint64) {
		e := *ev
		if r.content[q] != nil {
			e.Payload = r.content[q].Payload
		}
		return e, i
	}); ok {
		r.add(i+1, FindSwapped, "it carries the payload that was signed for event %d: payloads were swapped", q+1)
		return
	}
	how := "the leaf hash stored with it was recomputed to hide the change"
	if ev.LeafHash == signed.String() {
		how = "the leaf hash stored with it is still the signed one"
	}
	r.add(i+1, FindRewritten, "its content (%s on %s) no longer hashes to the leaf signed in the head of size %d (signed %s, now %s); %s",
		ev.Type, ev.Subject, n, signed, r.mine[i], how)
}

// match returns the first other differing event q for which try(q) yields
// an event whose leaf hash is the signed leaf at the returned position.
func (r *auditRun) match(bad []uint64, i uint64, try func(q uint64) (Event, uint64)) (uint64, bool) {
	for k, q := range bad {
		if k >= maxSuspects {
			break
		}
		if q == i {
			continue
		}
		e, at := try(q)
		if s, ok := r.signed[at]; ok && LeafHash(e) == s {
			return q, true
		}
	}
	return 0, false
}
