package storage

import (
	"context"
	"sync"
)

// writeGate queues SQLite's write transactions in Go: one at a time, in
// arrival order, urgent ones (WithUrgency) before the rest. SQLite alone
// lets waiters poll with growing sleeps, so under load a request can
// starve for seconds; a bid finalized in the last second before a deadline
// must not wait behind a crowd of chunk uploads.
type writeGate struct {
	mu     sync.Mutex
	busy   bool
	queues [2][]chan struct{} // [0] urgent, [1] normal; FIFO each
}

func (g *writeGate) lock(urgent bool) {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	q := 1
	if urgent {
		q = 0
	}
	g.queues[q] = append(g.queues[q], ch)
	g.mu.Unlock()
	<-ch // the holder handed the gate over
}

func (g *writeGate) unlock() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for q := range g.queues {
		if len(g.queues[q]) > 0 {
			ch := g.queues[q][0]
			g.queues[q] = g.queues[q][1:]
			close(ch)
			return
		}
	}
	g.busy = false
}

type urgentKey struct{}

// WithUrgency marks ctx's transactions as deadline-critical (the moment of
// receipt of a bid, the deadline's close): on SQLite they go before other
// waiting transactions. MySQL schedules by itself; there it changes nothing.
func WithUrgency(ctx context.Context) context.Context {
	return context.WithValue(ctx, urgentKey{}, true)
}

func urgent(ctx context.Context) bool {
	u, _ := ctx.Value(urgentKey{}).(bool)
	return u
}
