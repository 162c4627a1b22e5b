package bidding

import (
	"context"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// A bid's moment of receipt is a transaction that holds the section row
// and the event log's head until it commits, and a commit waits for the
// disk: one at a time, a crowd finalizing in the last seconds before a
// deadline would queue for seconds. Finalizes that arrive while a commit
// is running are therefore committed together in the next transaction —
// one lock, one disk flush — at one moment of receipt. The first waiting
// request runs the batch for all (no background goroutine); if the batch
// fails on a database error, each of its bids is retried on its own.

// commitReq is one finalize waiting for its receipt.
type commitReq struct {
	priv   *notary.PrivateKey
	u      Upload
	p      Project
	key    string
	digest notary.Digest
	size   int64
	// arrival is when the finalize arrived: the bid's moment of receipt,
	// and what the deadline is judged by.
	arrival time.Time

	receipt notary.SignedReceipt
	err     error
	done    chan struct{}
}

// receiptBatch gathers the commits of each section.
type receiptBatch struct {
	mu      sync.Mutex
	waiting map[int64][]*commitReq // by section
	running map[int64]bool
}

// commit queues r and returns its receipt once its batch committed.
func (b *receiptBatch) commit(ctx context.Context, s *Service, r *commitReq) (notary.SignedReceipt, error) {
	sec := r.u.SectionID
	r.done = make(chan struct{})
	b.mu.Lock()
	if b.waiting == nil {
		b.waiting, b.running = map[int64][]*commitReq{}, map[int64]bool{}
	}
	b.waiting[sec] = append(b.waiting[sec], r)
	lead := !b.running[sec]
	b.running[sec] = true
	b.mu.Unlock()
	if lead {
		b.drain(ctx, s, sec)
	}
	<-r.done
	return r.receipt, r.err
}

// drain commits the section's waiting requests, batch after batch, until
// none is left.
func (b *receiptBatch) drain(ctx context.Context, s *Service, sec int64) {
	ctx = context.WithoutCancel(ctx) // the batch serves other requests too
	for {
		b.mu.Lock()
		batch := b.waiting[sec]
		delete(b.waiting, sec)
		if len(batch) == 0 {
			b.running[sec] = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		if err := s.commitBatch(ctx, sec, batch); err != nil && len(batch) > 1 {
			for _, r := range batch {
				s.commitBatch(ctx, sec, []*commitReq{r})
			}
		}
		for _, r := range batch {
			close(r.done)
		}
	}
}

// commitBatch commits the batch in one transaction at one moment. It
// returns an error only when the whole transaction failed; each request
// holds its own outcome.
func (s *Service) commitBatch(ctx context.Context, sectionID int64, batch []*commitReq) error {
	err := s.db.InTx(storage.WithUrgency(ctx), func(ctx context.Context) error {
		sec, err := s.st.section(ctx, sectionID, true)
		if err != nil {
			return err
		}
		now := s.now()
		for _, r := range batch {
			r.receipt, r.err = notary.SignedReceipt{}, nil
			if !sec.AcceptsBidsAt(r.arrival) {
				r.err = s.lateFinalize(ctx, sec, r.u, r.arrival, now)
				continue
			}
			r.receipt, r.err = s.commitOne(ctx, r, now)
			if e, ok := apperr.As(r.err); r.err != nil && (!ok || e.Code != "upload_busy") {
				// Anything but "another request finalized it" (refused
				// before any write) may have written part of this bid:
				// the whole transaction is void.
				return r.err
			}
		}
		return nil
	})
	if err != nil {
		for _, r := range batch {
			r.receipt, r.err = notary.SignedReceipt{}, err
		}
	}
	return err
}
