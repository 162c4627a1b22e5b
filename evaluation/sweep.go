package evaluation

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/internal/jobs"
)

// TaskSweep is the periodic task that raises the award's time-limit
// warnings and repairs unfinished publications.
const TaskSweep = "evaluation:sweep"

// SweepInterval is how often the sweep runs.
const SweepInterval = time.Minute

// Register adds the sweep's handler and schedule to q.
func (s *Service) Register(q jobs.Queue) {
	q.Handle(TaskSweep, func(ctx context.Context, _ jobs.Task) error { return s.Sweep(ctx) })
	q.Every("evaluation-sweep", SweepInterval, jobs.Task{Type: TaskSweep})
}

// warning is one time limit the sweep watches: rows of model whose due
// column has passed and whose warned column is false get event typ, once.
type warning struct {
	typ, where string
	model      any
	warned     string
	rows       func(ctx context.Context, now time.Time) ([]warned, error)
}

type warned struct {
	id      any
	section int64
	payload map[string]any
}

// Sweep raises each overdue warning once, for supervision: candidates not
// published within 3 days of the report, publicity objections not answered
// in time, contracts not recorded within 30 days of the notice. It also stores final reports whose
// files a failure left unwritten. Errors: those of storage.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	for _, w := range s.warnings() {
		rows, err := w.rows(ctx, now)
		if err != nil {
			return err
		}
		for _, r := range rows {
			err := s.db.InTx(ctx, func(ctx context.Context) error {
				n, err := s.st.update(ctx, w.model, map[string]any{w.warned: true}, w.where+" AND "+w.warned+" = ?", r.id, false)
				if err != nil || n != 1 {
					return err
				}
				r.payload["sectionId"] = r.section
				return s.log(ctx, w.typ, sectionRef(r.section), "system", r.payload)
			})
			if err != nil {
				return err
			}
		}
	}
	return s.repairReports(ctx)
}

func (s *Service) warnings() []warning {
	return []warning{
		{typ: "supervision.publicity_late", where: "id = ?", model: &Session{}, warned: "publicity_warned", rows: s.latePublicity},
		{typ: "supervision.objection_overdue", where: "id = ?", model: &AwardObjection{}, warned: "overdue_warned", rows: func(ctx context.Context, now time.Time) ([]warned, error) {
			var os []AwardObjection
			err := s.st.find(ctx, &os, "id", "answer IS NULL AND due_at < ? AND overdue_warned = ?", now, false)
			out := make([]warned, len(os))
			for i, o := range os {
				out[i] = warned{o.ID, o.SectionID, map[string]any{"objectionId": o.ID, "dueAt": o.DueAt}}
			}
			return out, err
		}},
		{typ: "supervision.contract_overdue", where: "section_id = ?", model: &Award{}, warned: "overdue_warned", rows: func(ctx context.Context, now time.Time) ([]warned, error) {
			var as []Award
			err := s.st.find(ctx, &as, "section_id", "contract_recorded_at IS NULL AND contract_due < ? AND overdue_warned = ?", now, false)
			out := make([]warned, len(as))
			for i, a := range as {
				out[i] = warned{a.SectionID, a.SectionID, map[string]any{"contractDue": a.ContractDue, "issuedAt": a.IssuedAt}}
			}
			return out, err
		}},
	}
}

// latePublicity finds final reports older than PublicityDays whose
// candidates are not published and not yet warned about.
func (s *Service) latePublicity(ctx context.Context, now time.Time) ([]warned, error) {
	var rows []reportRow
	if err := s.st.find(ctx, &rows, "session_id", "final_at IS NOT NULL AND session_id IN "+
		"(SELECT id FROM eval_sessions WHERE publicity_warned = ? AND section_id NOT IN (SELECT section_id FROM award_publicity))", false); err != nil {
		return nil, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out []warned
	for _, r := range rows {
		if !publicityLate(cal, *r.FinalAt, now) {
			continue
		}
		sess, err := s.st.session(ctx, r.SessionID, false)
		if err != nil {
			continue
		}
		out = append(out, warned{sess.ID, sess.SectionID, map[string]any{"sessionId": sess.ID, "reportFinalAt": r.FinalAt}})
	}
	return out, nil
}

func (s *Service) repairReports(ctx context.Context) error {
	var rows []reportRow
	if err := s.st.find(ctx, &rows, "session_id", "final_at IS NOT NULL AND json_key = ?", ""); err != nil {
		return err
	}
	for _, r := range rows {
		if err := s.publishReport(ctx, r.SessionID); err != nil {
			return err
		}
	}
	return nil
}
