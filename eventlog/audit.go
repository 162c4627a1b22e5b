package eventlog

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/tenderhall/tenderhall/notary"
)

// Prover answers proof requests about a log being audited: the HTTP client
// of `tenderhall verify log`, or a *Tree directly. Its answers are never
// trusted; Audit verifies each against signed roots.
type Prover interface {
	InclusionProof(ctx context.Context, seq, size uint64) (notary.InclusionProof, error)
	ConsistencyProof(ctx context.Context, first, second uint64) (notary.ConsistencyProof, error)
}

var _ Prover = (*Tree)(nil)

// The kinds of Finding.
const (
	FindMissing   = "missing"   // a signed event is not in the log any more
	FindRewritten = "rewritten" // an event's content differs from what was signed
	FindReordered = "reordered" // an event sits at another seq than the one signed
	FindSwapped   = "swapped"   // an event carries another signed event's payload
	FindInserted  = "inserted"  // an event that was never signed was put into the signed range
	FindLeafHash  = "leaf-hash" // the stored leaf hash disagrees with the event
	FindOrder     = "order"     // the server returned events out of order or twice
	FindHead      = "head"      // a head is unsigned, badly signed, or absent
	FindFork      = "fork"      // two signed views of the log disagree
	FindProof     = "proof"     // the server could not prove what it signed
)

// Finding is one problem an audit found. Seq names the event concerned, or
// is 0 for a problem with a head or a proof.
type Finding struct {
	Seq    uint64 `json:"seq,omitempty"`
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// String renders the finding for a report: "event 5: rewritten: …".
func (f Finding) String() string {
	if f.Seq > 0 {
		return fmt.Sprintf("event %d: %s: %s", f.Seq, f.Kind, f.Detail)
	}
	return f.Kind + ": " + f.Detail
}

// Audit recomputes a log from its events and checks it against signed tree
// heads, without trusting the server that served them. Fill the fields and
// call Run.
type Audit struct {
	Events     []Event                 // every event downloaded, in the order received
	Heads      []notary.SignedTreeHead // heads to check: the server's and those remembered
	Key        *notary.PublicKey       // the platform key the heads must be signed with
	Remembered *notary.TreeHead        // size and root verified by an earlier run, or nil
	FromSize   uint64                  // also check consistency from this size (0: none)
	Prover     Prover                  // the server, for proofs
}

// Report is the outcome of an audit. The log is sound when Findings is empty.
type Report struct {
	Findings  []Finding
	Events    int                   // events downloaded
	Heads     int                   // heads whose signature verified
	Latest    notary.SignedTreeHead // the largest verified head
	Uncovered int                   // events beyond Latest, not yet under any head
	// Withheld counts the events served as withheld (secret until their
	// release): their leaf hashes were taken as given and checked against
	// the signed roots, their contents not. Run again after the release.
	Withheld int
}

// Run performs the audit. It never stops at the first problem: every
// finding is reported, each naming the event and what happened to it. A
// problem the audit cannot pin to an event (a server that cannot prove what
// it signed) is reported as such, never passed over.
func (a Audit) Run(ctx context.Context) Report {
	r := &auditRun{a: a, rep: Report{Events: len(a.Events)}}
	heads := r.verifiedHeads()
	if len(heads) == 0 {
		r.add(0, FindHead, "no validly signed tree head to check the log against")
		return r.rep
	}
	latest := heads[len(heads)-1]
	r.rep.Latest = latest
	r.loadEvents(latest.TreeSize)
	r.locate(ctx, latest)
	r.checkHeads(heads, latest)
	r.checkRemembered(ctx, latest)
	r.checkUncovered(latest.TreeSize)
	sort.SliceStable(r.rep.Findings, func(i, j int) bool { return r.rep.Findings[i].Seq < r.rep.Findings[j].Seq })
	return r.rep
}

// auditRun is the state of one Run.
type auditRun struct {
	a       Audit
	rep     Report
	content []*Event      // content[i] is the event with seq i+1, nil when absent
	mine    []notary.Hash // leaf hashes recomputed from content
	signed  map[uint64]notary.Hash
	tree    *notary.MemTree // the signed tree as far as the audit could establish it
}

func (r *auditRun) add(seq uint64, kind, format string, args ...any) {
	r.rep.Findings = append(r.rep.Findings, Finding{Seq: seq, Kind: kind, Detail: fmt.Sprintf(format, args...)})
}

// verifiedHeads checks every head's signature, drops duplicates, reports
// two heads of one size with different roots, and returns the valid heads by
// size.
func (r *auditRun) verifiedHeads() []notary.SignedTreeHead {
	seen := map[string]bool{}
	bySize := map[uint64]notary.SignedTreeHead{}
	var out []notary.SignedTreeHead
	for _, h := range r.a.Heads {
		id := fmt.Sprintf("%d/%s/%d/%s/%x", h.TreeSize, h.RootHash, h.Timestamp, h.KeyID, h.Signature)
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := h.Verify(r.a.Key); err != nil {
			r.add(0, FindHead, "the head of size %d signed at %s is not validly signed: %v", h.TreeSize, when(h.Timestamp), err)
			continue
		}
		if other, ok := bySize[h.TreeSize]; ok && other.RootHash != h.RootHash {
			r.add(0, FindFork, "two signed heads of size %d have different roots (%s at %s, %s at %s): the platform showed two different logs",
				h.TreeSize, other.RootHash, when(other.Timestamp), h.RootHash, when(h.Timestamp))
			continue
		}
		bySize[h.TreeSize] = h
		out = append(out, h)
		r.rep.Heads++
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].TreeSize < out[j].TreeSize })
	return out
}

// loadEvents places the downloaded events by seq, reporting any returned
// out of order, twice or with a seq of 0, and recomputes their leaf hashes.
func (r *auditRun) loadEvents(size uint64) {
	var last uint64
	for i := range r.a.Events {
		ev := &r.a.Events[i]
		if ev.Seq <= 0 || uint64(ev.Seq) <= last {
			r.add(uint64(max(ev.Seq, 0)), FindOrder, "returned after event %d: out of order or duplicated", last)
			continue
		}
		last = uint64(ev.Seq)
		for uint64(len(r.content)) < last-1 {
			r.content = append(r.content, nil)
		}
		r.content = append(r.content, ev)
	}
	for uint64(len(r.content)) < size {
		r.content = append(r.content, nil)
	}
	r.mine = make([]notary.Hash, len(r.content))
	for i, ev := range r.content {
		switch {
		case ev == nil:
		case ev.Withheld:
			// No content to hash: the server's leaf hash stands in, and
			// the signed roots decide whether it is the one signed.
			h, err := notary.ParseHash(ev.LeafHash)
			if err != nil {
				r.add(uint64(i+1), FindLeafHash, "it is withheld with a malformed leaf hash %q", ev.LeafHash)
			}
			r.mine[i] = h
			r.rep.Withheld++
		default:
			r.mine[i] = LeafHash(*ev)
		}
	}
}

// checkUncovered reports events after the latest head whose content does
// not match the leaf hash stored with them: no head covers them yet, but
// the mismatch alone shows a rewrite.
func (r *auditRun) checkUncovered(size uint64) {
	for i := size; i < uint64(len(r.content)); i++ {
		if ev := r.content[i]; ev != nil {
			r.rep.Uncovered++
			if ev.LeafHash != r.mine[i].String() {
				r.add(i+1, FindRewritten, "its content does not hash to the leaf hash stored with it (not yet under a signed head)")
			}
		}
	}
}

func when(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000Z") }
