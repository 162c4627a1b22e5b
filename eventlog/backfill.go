package eventlog

import (
	"context"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// Backfill brings events written before migration 0003 (which have no leaf
// hash) into the Merkle tree, batch events per transaction under the
// counter lock, and returns how many it hashed. Append does the same inline
// when it finds the tree behind, so Backfill is only an optimisation: call
// it once at start-up after migrating, so that the first append after an
// upgrade does not hash the whole old log in its transaction. It is safe on
// several replicas at once. Errors are those of storage, or apperr.Internal
// when the old log has a gap.
func (s *Service) Backfill(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = MaxPage
	}
	done := 0
	for {
		var n int64
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			seq, tree, err := s.st.lockCounter(ctx)
			if err != nil || tree >= seq {
				n = 0
				return err
			}
			to := min(seq, tree+int64(batch))
			if err := s.catchUp(ctx, tree, to); err != nil {
				return err
			}
			n = to - tree
			return s.st.setTreeSize(ctx, to)
		})
		if err != nil || n == 0 {
			return done, err
		}
		done += int(n)
	}
}

// catchUp adds the events with seq in (from, to] to the tree of size from:
// their leaf hashes into the events rows and their nodes into log_nodes.
// The caller holds the counter lock and records the new tree size.
func (s *Service) catchUp(ctx context.Context, from, to int64) error {
	f, err := notary.LoadFrontier(uint64(from), s.st.nodes(ctx, true))
	if err != nil {
		return err
	}
	for next := from + 1; next <= to; {
		evs, err := s.st.events(ctx, next, to, 500)
		if err != nil {
			return err
		}
		var nodes []notary.Node
		for _, ev := range evs {
			if ev.Seq != next {
				break
			}
			leaf := LeafHash(ev)
			if err := s.st.setLeafHash(ctx, ev.Seq, leaf); err != nil {
				return err
			}
			nodes = append(nodes, f.Append(leaf)...)
			next++
		}
		if len(nodes) == 0 {
			return apperr.Newf(apperr.Internal, "事件日志在序号 %d 处缺失，无法计算默克尔树",
				"the event log has no event %d; the Merkle tree cannot be built past it", next)
		}
		if err := s.st.insertNodes(ctx, nodes); err != nil {
			return err
		}
	}
	return nil
}
