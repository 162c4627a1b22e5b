package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/storage"
)

// insertWarning stores w unless a warning with its dedupe key exists:
// false then, and w is left without an id.
func (st store) insertWarning(ctx context.Context, w *Warning) (bool, error) {
	res := st.insertIgnoring(ctx, "dedupe").Create(w)
	if res.Error != nil {
		return false, storage.Translate(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// warning returns the warning, locked for the transaction when lock is
// set; apperr.NotFound when there is none.
func (st store) warning(ctx context.Context, id int64, lock bool) (Warning, error) {
	var w Warning
	q := st.conn(ctx)
	if lock {
		q = st.locked(ctx)
	}
	err := q.Where("id = ?", id).Take(&w).Error
	return w, notFound(storage.Translate(err), "预警不存在", "no such warning")
}

func (st store) updateWarning(ctx context.Context, id int64, fields map[string]any) error {
	return storage.Translate(st.conn(ctx).Model(&Warning{}).Where("id = ?", id).Updates(fields).Error)
}

// openWarningLight is the worst light among the subject's warnings not yet
// accepted.
func (st store) openWarningLight(ctx context.Context, subject string) (Light, error) {
	var lights []Light
	err := st.conn(ctx).Model(&Warning{}).Where("subject = ? AND state <> ?", subject, WarningAccepted).
		Distinct().Pluck("light", &lights).Error
	l := Green
	for _, x := range lights {
		l = worse(l, x)
	}
	return l, storage.Translate(err)
}

// WarningFilter narrows a list of warnings.
type WarningFilter struct {
	Office  int64        // only warnings to this office
	Depts   []int64      // only warnings of these supervising departments (nil: all)
	Subject string       // only this subject's
	State   WarningState // only in this state
	Limit   int
}

func (st store) warnings(ctx context.Context, f WarningFilter) ([]Warning, error) {
	q := st.conn(ctx).Model(&Warning{})
	if f.Office != 0 {
		q = q.Where("office_org_id = ?", f.Office)
	}
	if f.Depts != nil {
		q = q.Where("department_org_id IN ?", f.Depts)
	}
	if f.Subject != "" {
		q = q.Where("subject = ?", f.Subject)
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	var ws []Warning
	err := q.Order("id DESC").Limit(f.Limit).Find(&ws).Error
	return ws, storage.Translate(err)
}

// overdueAnswers returns open warnings past their answer deadline, not yet
// escalated.
func (st store) overdueAnswers(ctx context.Context, now time.Time, limit int) ([]Warning, error) {
	var ws []Warning
	err := st.conn(ctx).Where("state = ? AND answer_due < ?", WarningOpen, now).Order("id").Limit(limit).Find(&ws).Error
	return ws, storage.Translate(err)
}

// SubjectFilter narrows the lights board.
type SubjectFilter struct {
	Kind  string  // case or section; empty: both
	Light Light   // only this light
	Depts []int64 // only these supervising departments (nil: all)
	Limit int
}

func (st store) board(ctx context.Context, f SubjectFilter) ([]Subject, error) {
	q := st.conn(ctx).Model(&Subject{}).Where("closed = ?", false)
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Light != "" {
		q = q.Where("light = ?", f.Light)
	}
	if f.Depts != nil {
		q = q.Where("department_org_id IN ?", f.Depts)
	}
	var out []Subject
	err := q.Order("updated_at DESC, subject").Limit(f.Limit).Find(&out).Error
	return out, storage.Translate(err)
}

// escalateWarning moves an open warning to escalated; 0 when another
// sweep did first.
func (st store) escalateWarning(ctx context.Context, id int64, now time.Time) (int64, error) {
	res := st.conn(ctx).Model(&Warning{}).Where("id = ? AND state = ?", id, WarningOpen).
		Updates(map[string]any{"state": WarningEscalated, "escalated_at": now})
	return res.RowsAffected, storage.Translate(res.Error)
}

// insertSignal stores sig unless one with its dedupe key exists.
func (st store) insertSignal(ctx context.Context, sig *Signal) (bool, error) {
	res := st.insertIgnoring(ctx, "dedupe").Create(sig)
	return res.RowsAffected == 1, storage.Translate(res.Error)
}

func (st store) signals(ctx context.Context, subject string) ([]Signal, error) {
	out := []Signal{}
	err := st.conn(ctx).Where("subject = ?", subject).Order("id").Find(&out).Error
	return out, storage.Translate(err)
}
