package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/internal/jobs"
)

// The background tasks of supervision.
const (
	TaskConsume = "supervision:consume"
	TaskSweep   = "supervision:sweep"
)

// Register adds the consumer's and the sweep's handlers and schedules to
// q: the consumer every 2 s (it also sweeps after a sandbox clock move),
// the sweep every minute.
func (s *Service) Register(q jobs.Queue) {
	q.Handle(TaskConsume, func(ctx context.Context, _ jobs.Task) error { _, err := s.Consume(ctx); return err })
	q.Handle(TaskSweep, func(ctx context.Context, _ jobs.Task) error { return s.Sweep(ctx) })
	q.Every("supervision-consume", ConsumeInterval, jobs.Task{Type: TaskConsume, MaxRetry: -1})
	q.Every("supervision-sweep", time.Minute, jobs.Task{Type: TaskSweep, MaxRetry: -1})
}

// ConsumeInterval is how often the consumer looks for new events: often
// enough for a live board, rarely enough that the queue's week of
// deduplicated schedule rows stays small (about 120,000).
const ConsumeInterval = 5 * time.Second

// sweepPage is how many timers or warnings one sweep round reads.
const sweepPage = 500

// Sweep moves every timer whose time has come to its light now (green to
// yellow, yellow to red, raising their warnings) and escalates warnings
// not answered in time, then reads the bids of opened sections waiting
// for their content signals (scanBids). Only timers due for a look are read, so the cost
// follows the changes, not the number of open cases. Safe to run twice at
// once: a timer moves only from the light it was read with. Errors: those
// of storage and the event log.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	for {
		ts, err := s.st.due(ctx, now, sweepPage)
		if err != nil {
			return err
		}
		// One transaction per page: a page's changes commit together (a
		// failure leaves them all for the next sweep, which redoes them).
		err = s.db.InTx(ctx, func(ctx context.Context) error {
			for _, t := range ts {
				l := t.window().LightAt(now)
				if l == t.Light { // not due after all (a moved limit): look again later
					if _, err := s.st.moveTimer(ctx, t, &t.Light, map[string]any{"next_at": nextLook(t.window(), l)}); err != nil {
						return err
					}
					continue
				}
				if err := s.moveLight(ctx, t, l, 0, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(ts) < sweepPage {
			break
		}
	}
	if err := s.escalate(ctx, now); err != nil {
		return err
	}
	return s.scanBids(ctx)
}

// escalate marks open warnings past their answer deadline as escalated to
// the head of the supervising department, once.
func (s *Service) escalate(ctx context.Context, now time.Time) error {
	ws, err := s.st.overdueAnswers(ctx, now, sweepPage)
	if err != nil {
		return err
	}
	for _, w := range ws {
		err := s.db.InTx(ctx, func(ctx context.Context) error {
			n, err := s.st.escalateWarning(ctx, w.ID, now)
			if err != nil || n != 1 {
				return err
			}
			return s.append(ctx, EventWarningEscalated, w.Subject, "system", map[string]any{"warningId": w.ID,
				"answerDue": w.AnswerDue, "departmentOrgId": w.DepartmentOrgID})
		})
		if err != nil {
			return err
		}
	}
	return nil
}
