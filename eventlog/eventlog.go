// Package eventlog appends to and reads the platform's one append-only event
// log (DESIGN.md §3): the audit trail, the source of the transparency log and
// the feed other domains consume. Appends join the caller's transaction so an
// event commits or rolls back with the change it records.
package eventlog

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Event is one entry of the log. LeafHash is its Merkle leaf hash (hex),
// computed from LeafInput when it is appended.
type Event struct {
	Seq        int64     `json:"seq" gorm:"column:seq;primaryKey"`
	OccurredAt time.Time `json:"occurredAt" gorm:"column:occurred_at"`
	Type       string    `json:"type" gorm:"column:type"`
	Subject    string    `json:"subject" gorm:"column:subject"`
	Actor      string    `json:"actor" gorm:"column:actor"`
	IP         string    `json:"ip" gorm:"column:ip"`
	RequestID  string    `json:"requestId" gorm:"column:request_id"`
	Payload    string    `json:"payload" gorm:"column:payload"`
	LeafHash   string    `json:"leafHash" gorm:"column:leaf_hash"`
	// Withheld marks an event its reader may not read yet (see Secret):
	// only Seq and LeafHash are set, so the tree still verifies.
	Withheld bool `json:"withheld,omitempty" gorm:"-"`
}

// Withhold returns what a reader not entitled to e's contents sees of it:
// its position and leaf hash, nothing else — not even its type, time or
// subject, whose pattern alone would tell, say, how many bids arrived.
func (e Event) Withhold() Event { return Event{Seq: e.Seq, LeafHash: e.LeafHash, Withheld: true} }

// TableName maps Event to the events table.
func (Event) TableName() string { return "events" }

// Entry is what a domain appends: the log assigns Seq and OccurredAt.
type Entry struct {
	Type    string // e.g. "account.login_failed"
	Subject string // e.g. "user:42", "section:S-1"
	Actor   string // e.g. "user:7", "system"
	Payload any    // marshalled to JSON; never put secrets here
}

// Service appends to and reads the event log.
type Service struct {
	db    *storage.DB
	st    store
	clock clock.Clock
}

// New returns the event log service over db.
func New(db *storage.DB, c clock.Clock) *Service { return &Service{db: db, st: store{db}, clock: c} }

// Append adds e to the log inside the transaction carried by ctx (starting
// one when there is none) and returns the stored event. The sequence number
// comes from a counter row locked for the rest of the transaction, so
// concurrent appends from several replicas keep one gap-free sequence. In
// the same transaction it stores the event's leaf hash and the perfect
// subtrees of the Merkle tree the event completes (O(log n) hashes, at most
// one read), so the transparency log never lags the events. The request's
// address and ID are taken from ctx (see WithRequest). The time is kept to
// the millisecond, as the database stores it and the leaf hashes it. Errors
// are apperr.Internal for an incomplete entry, otherwise those of storage.
func (s *Service) Append(ctx context.Context, e Entry) (Event, error) {
	if e.Type == "" || e.Subject == "" || e.Actor == "" {
		return Event{}, apperr.New(apperr.Internal, "事件缺少类型、主体或操作者", "event needs type, subject and actor")
	}
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return Event{}, apperr.Wrap(err, apperr.Internal, "事件内容无法编码", "event payload cannot be encoded")
	}
	meta := requestFrom(ctx)
	ev := Event{Type: e.Type, Subject: e.Subject, Actor: e.Actor, IP: meta.IP, RequestID: meta.ID,
		Payload: string(payload), OccurredAt: s.clock.Now().UTC().Truncate(time.Millisecond)}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		seq, tree, err := s.st.advance(ctx)
		if err != nil {
			return err
		}
		if tree < seq {
			// Events written before migration 0003 are not in the tree yet:
			// hash them first, under the same lock (see Backfill).
			if err := s.catchUp(ctx, tree-1, seq-1); err != nil {
				return err
			}
		}
		ev.Seq = seq
		leaf := LeafHash(ev)
		ev.LeafHash = leaf.String()
		nodes, err := notary.AppendNodes(uint64(seq-1), leaf, s.st.nodes(ctx, true))
		if err != nil {
			return err
		}
		if err := s.st.insertEvent(ctx, &ev); err != nil {
			return err
		}
		if err := s.st.insertNodes(ctx, nodes); err != nil {
			return err
		}
		if tree < seq {
			return s.st.setTreeSize(ctx, seq)
		}
		return nil
	})
	return ev, err
}

// Range returns up to limit (at most 1000) events with seq in [from, ...),
// in order.
func (s *Service) Range(ctx context.Context, from int64, limit int) ([]Event, error) {
	return s.st.events(ctx, from, math.MaxInt64, clampLimit(limit))
}

// BySubject returns the events about subject, oldest first.
func (s *Service) BySubject(ctx context.Context, subject string, limit int) ([]Event, error) {
	return s.st.eventsWhere(ctx, "subject", subject, clampLimit(limit))
}

// SubjectAfter returns up to limit (at most MaxPage) events about subject
// with seq greater than after, oldest first: a follower's next page.
func (s *Service) SubjectAfter(ctx context.Context, subject string, after int64, limit int) ([]Event, error) {
	return s.st.subjectAfter(ctx, subject, after, clampLimit(limit))
}

// ByType returns the events of type typ, oldest first.
func (s *Service) ByType(ctx context.Context, typ string, limit int) ([]Event, error) {
	return s.st.eventsWhere(ctx, "type", typ, clampLimit(limit))
}

// MaxPage is the most events (or heads) one read returns.
const MaxPage = 1000

func clampLimit(limit int) int {
	if limit <= 0 || limit > MaxPage {
		return MaxPage
	}
	return limit
}
