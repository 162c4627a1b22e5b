package eventlog

import (
	"context"
	"math"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Tree is the transparency log over the event log: roots, inclusion and
// consistency proofs for any tree size up to the current one, each from
// O(log n) stored nodes in one query, and signed tree heads. Sizes and
// seqs are 1-based counts of events: the tree of size n holds events 1..n,
// and event seq is leaf seq-1.
type Tree struct {
	st    store
	clock clock.Clock
	key   *notary.PrivateKey
}

// NewTree returns the transparency log over db. key is the platform's
// signing key; with nil the tree answers reads and proofs but cannot sign.
func NewTree(db *storage.DB, c clock.Clock, key *notary.PrivateKey) *Tree {
	return &Tree{st: store{db}, clock: c, key: key}
}

// Tree returns the transparency log over the service's database and
// clock, signing with key (nil: read-only, as NewTree).
func (s *Service) Tree(key *notary.PrivateKey) *Tree { return NewTree(s.db, s.clock, key) }

// PublicKey returns the platform public key verifiers check heads with,
// or nil when the tree has no signing key.
func (t *Tree) PublicKey() *notary.PublicKey {
	if t.key == nil {
		return nil
	}
	return t.key.Public()
}

// Size returns the number of events in the tree (committed).
func (t *Tree) Size(ctx context.Context) (uint64, error) { return t.st.treeSize(ctx) }

// checkSize returns the current size and refuses a size beyond it with
// apperr.Invalid (code "beyond_tree") on the named field.
func (t *Tree) checkSize(ctx context.Context, field string, size uint64) (uint64, error) {
	cur, err := t.st.treeSize(ctx)
	if err != nil {
		return 0, err
	}
	if size > cur {
		return cur, apperr.Newf(apperr.Invalid, "树大小 %d 超过当前日志大小 %d", "tree size %d is beyond the current log size %d", size, cur).
			WithCode("beyond_tree").WithField(field, "beyond the current tree size")
	}
	return cur, nil
}

// Root returns the root hash of the tree of size events. A size beyond the
// tree is apperr.Invalid (code "beyond_tree").
func (t *Tree) Root(ctx context.Context, size uint64) (notary.Hash, error) {
	if _, err := t.checkSize(ctx, "size", size); err != nil {
		return notary.Hash{}, err
	}
	return notary.TreeRoot(size, t.st.nodes(ctx, false))
}

// InclusionProof proves that event seq is in the tree of size events. It
// returns apperr.Invalid with a field error when seq is 0 or above size, and
// code "beyond_tree" when size is beyond the tree.
func (t *Tree) InclusionProof(ctx context.Context, seq, size uint64) (notary.InclusionProof, error) {
	if seq == 0 {
		return notary.InclusionProof{}, apperr.New(apperr.Invalid, "事件序号从 1 开始", "event seq starts at 1").WithField("seq", "must be at least 1")
	}
	if seq > size {
		return notary.InclusionProof{}, apperr.Newf(apperr.Invalid, "事件 %d 不在大小为 %d 的树中",
			"event %d is not in the tree of size %d", seq, size).WithField("seq", "must not exceed size")
	}
	if _, err := t.checkSize(ctx, "size", size); err != nil {
		return notary.InclusionProof{}, err
	}
	return notary.BuildInclusionProof(seq-1, size, t.st.nodes(ctx, false))
}

// ConsistencyProof proves that the tree of first events is a prefix of the
// tree of second events. It returns apperr.Invalid with a field error when
// first > second, and code "beyond_tree" when second is beyond the tree.
func (t *Tree) ConsistencyProof(ctx context.Context, first, second uint64) (notary.ConsistencyProof, error) {
	if first > second {
		return notary.ConsistencyProof{}, apperr.Newf(apperr.Invalid, "第一个树大小 %d 大于第二个 %d",
			"the first size %d is larger than the second %d", first, second).WithField("first", "must not exceed second")
	}
	if _, err := t.checkSize(ctx, "second", second); err != nil {
		return notary.ConsistencyProof{}, err
	}
	return notary.BuildConsistencyProof(first, second, t.st.nodes(ctx, false))
}

// Events returns up to limit (at most MaxPage) events with seq >= from that
// are in the tree, in order, and the tree size they were read against.
func (t *Tree) Events(ctx context.Context, from uint64, limit int) ([]Event, uint64, error) {
	size, err := t.st.treeSize(ctx)
	if err != nil {
		return nil, 0, err
	}
	if from > math.MaxInt64 || from > size {
		return []Event{}, size, nil
	}
	evs, err := t.st.events(ctx, int64(max(from, 1)), int64(size), clampLimit(limit))
	if evs == nil {
		evs = []Event{}
	}
	return evs, size, err
}
